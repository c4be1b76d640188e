"""Parsing XML from other tools with defusedxml, into elements with plain (namespace-free) tags.

Tools disagree on namespaces (some write none, some the codebook namespace inside a
project), so elements are matched by their local names only.

REFI-QDA files need no document type declaration, so any DTD is refused: with it go
entity expansion (the "billion laughs") and external entities. A file that is not
well-formed XML is refused with its line and column.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from ..errors import BeaconError


def parse_xml(data: bytes, label: str) -> Element:
    """The root element of ``data``; tags lose their namespace, qualified attributes are dropped."""
    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise BeaconError(
            f"{label} declares a DTD or entities, which are refused (no entity expansion, no external entities)"
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise BeaconError(f"{label} is not well-formed XML (line {line}, column {column + 1})") from None
    except (ValueError, LookupError) as exc:  # e.g. an encoding the parser does not know
        raise BeaconError(f"{label} cannot be read as XML ({exc})") from None
    for element in root.iter():
        element.tag = local_name(element.tag)
        for key in [k for k in element.attrib if k.startswith("{")]:
            del element.attrib[key]  # REFI attributes are unqualified; xsi:* and others are not ours
    return root


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else tag


def children(element: Element, tag: str) -> list[Element]:
    return [child for child in element if child.tag == tag]


def child(element: Element, tag: str) -> Element | None:
    for item in element:
        if item.tag == tag:
            return item
    return None


def child_text(element: Element, tag: str) -> str | None:
    found = child(element, tag)
    if found is None:
        return None
    return "".join(found.itertext())
