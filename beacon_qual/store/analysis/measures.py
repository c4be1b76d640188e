"""The SQL of survey measures as the analyses read them (``analysis.measures``, ``analysis.waves``, the joint
display and the council panel): variables, each council's values in a wave, and the survey waves recorded for
study phases (tables ``variables``, ``case_values``, ``survey_waves``, ``phase_waves``).

Each function is one statement (``record_wave``: the statements of one record) and returns rows or values;
which wave to read, labels and the checks are the analyses'.
"""

from __future__ import annotations

import sqlite3

from beacon_qual.store.db import Project

_VARIABLE = "SELECT id, name, type, levels, label FROM variables"


# -- variables -----------------------------------------------------------------------------------------------------
def variables(project: Project) -> list[sqlite3.Row]:
    """Every variable's id, name, type, levels and label, by name."""
    return project.execute(f"{_VARIABLE} ORDER BY name").fetchall()


def variable_named(project: Project, name: str, *, any_case: bool = False) -> sqlite3.Row | None:
    """The variable called ``name`` (exactly, or with ``any_case`` in any case); None when there is none."""
    if any_case:
        return project.one(f"{_VARIABLE} WHERE name = ? COLLATE NOCASE", (name,))
    return project.one(f"{_VARIABLE} WHERE name = ?", (name,))


def variable_names(project: Project) -> list[str]:
    return [r[0] for r in project.execute("SELECT name FROM variables ORDER BY name")]


def variable_waves(project: Project, variable_id: int) -> list[int]:
    """The waves holding values of a variable, oldest first."""
    rows = project.execute(
        "SELECT DISTINCT wave FROM case_values WHERE variable_id = ? ORDER BY wave", (variable_id,)
    )
    return [r[0] for r in rows]


# -- values --------------------------------------------------------------------------------------------------------
def numeric_values(project: Project, variable_id: int, wave: int) -> sqlite3.Cursor:
    """(case id, value_num) of each council with a number in the wave."""
    return project.execute(
        "SELECT case_id, value_num FROM case_values "
        "WHERE variable_id = ? AND wave = ? AND value_num IS NOT NULL",
        (variable_id, wave),
    )


def shown_values(project: Project, variable_id: int, wave: int, *, numeric: bool) -> sqlite3.Cursor:
    """(case id, value) of each council with a value in the wave: value_num when ``numeric``, else value_text."""
    column = "value_num" if numeric else "value_text"
    return project.execute(
        f"SELECT case_id, {column} FROM case_values "
        f"WHERE variable_id = ? AND wave = ? AND {column} IS NOT NULL",
        (variable_id, wave),
    )


def case_values(project: Project, variable_id: int, wave: int) -> sqlite3.Cursor:
    """(case_id, value_num, value_text) of every council's row in the wave."""
    return project.execute(
        "SELECT case_id, value_num, value_text FROM case_values WHERE variable_id = ? AND wave = ?",
        (variable_id, wave),
    )


def council_values(project: Project, variable_id: int, case_id: int, *, numeric: bool) -> list[sqlite3.Row]:
    """(wave, value, value_text) of one council in every wave with a value, oldest first: the value is
    value_num when ``numeric``, else value_text."""
    column = "value_num" if numeric else "value_text"
    return project.execute(
        f"SELECT wave, {column}, value_text FROM case_values WHERE variable_id = ? AND case_id = ? "
        f"AND {column} IS NOT NULL ORDER BY wave",
        (variable_id, case_id),
    ).fetchall()


# -- survey waves and study phases ----------------------------------------------------------------------------------
def document_phases(project: Project) -> list[int]:
    """The phases of the documents, in order."""
    rows = project.execute("SELECT DISTINCT phase FROM documents WHERE phase IS NOT NULL ORDER BY phase")
    return [r[0] for r in rows]


def recorded_phase_waves(project: Project) -> dict[int, int]:
    """The wave recorded for each phase."""
    return dict(project.execute("SELECT phase, wave FROM phase_waves").fetchall())


def record_wave(project: Project, wave: int, phases: tuple[int, ...], date: str | None) -> None:
    """Add ``wave`` if new, set its date (when given), and make it the wave of each of ``phases``."""
    project.execute("INSERT OR IGNORE INTO survey_waves (wave) VALUES (?)", (wave,))
    if date is not None:
        project.execute("UPDATE survey_waves SET date = ? WHERE wave = ?", (date, wave))
    for phase in phases:
        project.execute(
            "INSERT INTO phase_waves (phase, wave) VALUES (?, ?) "
            "ON CONFLICT (phase) DO UPDATE SET wave = excluded.wave",
            (phase, wave),
        )


def wave_dates(project: Project) -> dict[int, str | None]:
    """Each recorded wave's date (None when not given)."""
    return dict(project.execute("SELECT wave, date FROM survey_waves").fetchall())


def wave_councils(project: Project) -> dict[int, int]:
    """Each wave with survey values, and the number of councils with a value in it."""
    return dict(
        project.execute("SELECT wave, count(DISTINCT case_id) FROM case_values GROUP BY wave").fetchall()
    )


def phase_wave_rows(project: Project) -> sqlite3.Cursor:
    """(phase, wave) of each recorded phase, by phase."""
    return project.execute("SELECT phase, wave FROM phase_waves ORDER BY phase")
