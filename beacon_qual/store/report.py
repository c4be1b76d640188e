"""The SQL behind the study report and its figures (``report.html``, ``report.figures``).

Each function is one statement. The documents a report covers are given as SQL by the analysis selection: a
table of documents (``docs``), conditions on it as ``d`` (``where``) and the condition that a document is
coded (``coded``), each with its parameters; the sections, tables and charts are the services'.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from beacon_qual.store.db import Project


def documents_by_phase_and_role(
    project: Project, docs: str, where: str, params: list[Any], coded: str, coded_params: list[Any]
) -> list[sqlite3.Row]:
    """(phase, role, documents, coded, councils) of the selected documents, phase by phase, role by role."""
    return project.execute(
        f"SELECT d.phase, d.role, count(*), sum({coded}), count(DISTINCT d.case_id) FROM {docs} d "
        f"WHERE {where} GROUP BY d.phase, d.role ORDER BY d.phase IS NULL, d.phase, d.role IS NULL, d.role",
        coded_params + params,
    ).fetchall()


def document_totals(
    project: Project, docs: str, where: str, params: list[Any], coded: str, coded_params: list[Any]
) -> sqlite3.Row:
    """(documents, coded documents, councils, councils with coded documents) of the selected documents."""
    return project.execute(
        f"SELECT count(*), sum({coded}), count(DISTINCT d.case_id), "
        f"count(DISTINCT CASE WHEN {coded} THEN d.case_id END) FROM {docs} d WHERE {where}",
        coded_params + coded_params + params,
    ).fetchone()


def coder_totals(project: Project, docs: str, where: str, params: list[Any]) -> list[sqlite3.Row]:
    """(coder, codings, documents coded) of every coder in the selected documents, by name."""
    return project.execute(
        "SELECT k.name, count(c.id), count(DISTINCT c.document_id) FROM coders k "
        f"LEFT JOIN codings c ON c.coder_id = k.id AND c.document_id IN (SELECT d.id FROM {docs} d WHERE {where}) "
        "GROUP BY k.id ORDER BY k.name",
        params,
    ).fetchall()


def code_count(project: Project) -> int:
    """How many codes the codebook holds."""
    return project.scalar("SELECT count(*) FROM codes")


def code_details(project: Project) -> sqlite3.Cursor:
    """(id, name, description, inclusion, exclusion, colour) of every code."""
    return project.execute("SELECT id, name, description, inclusion, exclusion, colour FROM codes")


def code_memos(project: Project) -> sqlite3.Cursor:
    """(code id, text) of every memo on a code, in the order written."""
    return project.execute("SELECT target_id, text FROM memos WHERE target_type = 'code' ORDER BY id")


def coders_with_codings(project: Project) -> list[str]:
    """The names of the coders who have codings, sorted."""
    return [
        r[0]
        for r in project.execute(
            "SELECT name FROM coders WHERE id IN (SELECT DISTINCT coder_id FROM codings) ORDER BY name"
        )
    ]


def code_colours(project: Project) -> dict[int, str | None]:
    """{code id: colour} of every code."""
    return dict(project.execute("SELECT id, colour FROM codes").fetchall())


def code_names(project: Project) -> dict[int, str]:
    """{code id: name} of every code."""
    return dict(project.execute("SELECT id, name FROM codes").fetchall())
