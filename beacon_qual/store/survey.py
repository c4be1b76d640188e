"""The rows behind survey measures (``survey.measures``): variables and their values per council and wave.

Each function is one statement; the type rules, the import report and the audit record are the service's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from beacon_qual.store.db import Project


def case_name(project: Project, case_id: int) -> str | None:
    """A case's name; None when there is no such case."""
    return project.scalar("SELECT name FROM cases WHERE id = ?", (case_id,))


def stored_type(project: Project, name: str) -> sqlite3.Row | None:
    """The ``type`` and ``levels`` (JSON) of the variable called ``name``; None when there is none."""
    return project.one("SELECT type, levels FROM variables WHERE name = ?", (name,))


def variable_id_row(project: Project, name: str) -> sqlite3.Row | None:
    """The ``id`` of the variable called ``name``; None when there is none."""
    return project.one("SELECT id FROM variables WHERE name = ?", (name,))


def insert_variable(
    project: Project, uuid: str, name: str, type_: str, levels: str | None, label: str | None, source: str
) -> int | None:
    """Add a variable; its id."""
    return project.execute(
        "INSERT INTO variables(uuid, name, type, levels, label, source) VALUES (?,?,?,?,?,?)",
        (uuid, name, type_, levels, label, source),
    ).lastrowid


def update_variable(project: Project, variable_id: int, levels: str | None, label: str | None) -> None:
    """Set a variable's levels, and its label when one is given."""
    project.execute(
        "UPDATE variables SET levels = ?, label = coalesce(?, label) WHERE id = ?",
        (levels, label, variable_id),
    )


def stored_values(project: Project, variable_id: int | None) -> sqlite3.Cursor:
    """A variable's values: ``case_id``, ``wave``, ``value_num``, ``value_text``."""
    return project.execute(
        "SELECT case_id, wave, value_num, value_text FROM case_values WHERE variable_id = ?",
        (variable_id,),
    )


def upsert_values(
    project: Project, rows: Iterable[tuple[int | None, int, int, float | None, str | None]]
) -> None:
    """Write (variable_id, case_id, wave, value_num, value_text) rows, replacing a stored value."""
    project.conn.executemany(
        "INSERT INTO case_values(variable_id, case_id, wave, value_num, value_text) VALUES (?,?,?,?,?)"
        " ON CONFLICT(variable_id, case_id, wave) DO UPDATE"
        " SET value_num = excluded.value_num, value_text = excluded.value_text",
        rows,
    )


def coverage_all(project: Project) -> sqlite3.Cursor:
    """(variable_id, wave, councils with a value) for every variable and wave."""
    return project.execute(
        "SELECT variable_id, wave, count(DISTINCT case_id) FROM case_values GROUP BY variable_id, wave"
    )


def variables(project: Project) -> sqlite3.Cursor:
    """Every variable's row, by name."""
    return project.execute("SELECT * FROM variables ORDER BY name")


def variable_named(project: Project, name: str) -> sqlite3.Row | None:
    """The variable called ``name``, or else one whose name differs only in case; None when neither."""
    return project.one("SELECT * FROM variables WHERE name = ?", (name,)) or project.one(
        "SELECT * FROM variables WHERE lower(name) = lower(?)", (name,)
    )


def variable_names(project: Project) -> list[str]:
    """Every variable's name, sorted."""
    return [r[0] for r in project.execute("SELECT name FROM variables ORDER BY name")]


def coverage(project: Project, variable_id: int) -> dict[int, int]:
    """{wave: councils with a value} for one variable."""
    return {
        r[0]: r[1]
        for r in project.execute(
            "SELECT wave, count(DISTINCT case_id) FROM case_values WHERE variable_id = ? GROUP BY wave",
            (variable_id,),
        )
    }


def value_rows(project: Project, variable_id: int, wave: int | None) -> sqlite3.Cursor:
    """(case_id, council, code, wave, value_num, value_text) of a variable, by council and wave."""
    return project.execute(
        "SELECT v.case_id, c.name, c.code, v.wave, v.value_num, v.value_text FROM case_values v"
        " JOIN cases c ON c.id = v.case_id WHERE v.variable_id = ? AND (? IS NULL OR v.wave = ?)"
        " ORDER BY c.name, v.wave",
        (variable_id, wave, wave),
    )


def councils(project: Project) -> dict[int, tuple[str, str | None]]:
    """{case id: (name, code)} of every case."""
    return {r[0]: (r[1], r[2]) for r in project.execute("SELECT id, name, code FROM cases")}


def case_count(project: Project) -> int:
    """How many cases the project holds."""
    return project.scalar("SELECT count(*) FROM cases")
