"""What the full-text index holds, for tests that compare two ways of filling it."""

from __future__ import annotations

from beacon_qual.store import Project


def index_dump(project: Project) -> list[tuple]:
    """Every (term, unit id, column, offset) the index holds, read through fts5vocab."""
    project.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, unit_fts, instance)"
    )
    return project.execute(
        "SELECT term, doc, col, offset FROM temp.fts_terms ORDER BY doc, offset, term"
    ).fetchall()
