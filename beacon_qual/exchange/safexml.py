"""Parsing XML from other tools with defusedxml, into elements with plain (namespace-free) tags.

Tools disagree on namespaces (some write none, some the codebook namespace inside a
project), so elements are matched by their local names only.

REFI-QDA files need no document type declaration, so any DTD is refused: with it go
entity expansion (the "billion laughs") and external entities. A file that is not
well-formed XML is refused with its line and column, and so is one whose elements nest
deeper than :data:`MAX_DEPTH` (codes nested inside codes are read by recursion).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from beacon_qual.errors import BeaconError

MAX_DEPTH = 100  # element levels: a REFI codebook nests a code per level, a few levels below the root


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
    if _depth(root) > MAX_DEPTH:
        raise BeaconError(
            f"{label} nests elements more than {MAX_DEPTH} levels deep (line {_deep_line(data)}); "
            "codes nested that deep are refused"
        )
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


def _depth(root: Element) -> int:
    """How many levels of elements ``root`` holds, itself included (without recursion)."""
    deepest = 0
    stack = [(root, 1)]
    while stack:
        element, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((item, level + 1) for item in element)
    return deepest


def _deep_line(data: bytes) -> int:
    """The line where elements first nest deeper than MAX_DEPTH (read again only for the message)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    level = [0]

    class Found(Exception):
        pass

    def start(*_: object) -> None:
        level[0] += 1
        if level[0] > MAX_DEPTH:
            raise Found

    def end(*_: object) -> None:
        level[0] -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except Found:
        return parser.CurrentLineNumber
    except expat.ExpatError:
        pass
    return 1
