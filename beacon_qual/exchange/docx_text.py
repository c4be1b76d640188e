"""Plain text of a .docx source that another tool stored without a plain-text version.

The .docx is itself a ZIP archive, so it goes through the same checks as a project
archive (:func:`~beacon_qual.text.safezip.check_office_archive`), and any XML part
declaring a DTD or entities is refused before python-docx parses it. Paragraphs become lines; table cells follow in reading order, one per line.
"""

from __future__ import annotations

import io

import docx
from docx.table import Table

from beacon_qual.errors import BeaconError
from beacon_qual.text.safezip import OFFICE_LIMITS, Limits, check_office_archive


def docx_text(data: bytes, label: str, limits: Limits) -> str:
    """The text of a Word document, paragraphs separated by LF.

    The document is held to the limits of an office document and, where they are stricter, to ``limits``
    (those of the archive it came in)."""
    check_office_archive(io.BytesIO(data), label, OFFICE_LIMITS.tightened(limits), kind="Word document")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for a bad file
        raise BeaconError(f"{label} is not a readable Word document ({type(exc).__name__})") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = []
    seen: list = []  # cell elements already read (kept alive, compared by identity)
    for row in table.rows:
        for cell in row.cells:
            if any(cell._tc is done for done in seen):  # a merged cell is listed once per column it spans
                continue
            seen.append(cell._tc)
            lines.extend(paragraph.text for paragraph in cell.paragraphs)
    return lines
