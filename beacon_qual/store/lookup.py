"""Looking up documents by id or name."""

from __future__ import annotations

from beacon_qual.errors import BeaconError
from beacon_qual.store import Project


def resolve_document(project: Project, ref: str | int) -> int:
    """A document id from an id, a file name, or a unique prefix of a file name."""
    text = str(ref).strip()
    if text.isdigit():
        row = project.one("SELECT id FROM documents WHERE id = ?", (int(text),))
        if row is not None:
            return row[0]
    row = project.one("SELECT id FROM documents WHERE name = ?", (text,))
    if row is not None:
        return row[0]
    like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = project.execute(
        "SELECT id, name FROM documents WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT 6", (like,)
    ).fetchall()
    if len(rows) == 1:
        return rows[0][0]
    if rows:
        raise BeaconError(f"document {text!r} is ambiguous", details=[f"{r[0]}: {r[1]}" for r in rows])
    raise BeaconError(f"no document {text!r} in this project (see 'beacon-qual docs list')")
