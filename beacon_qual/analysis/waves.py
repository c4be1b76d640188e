"""Survey waves and study phases: which wave holds the measures of each phase, and when a wave was taken.

``survey waves set WAVE --phase N [--date YYYY-MM-DD]`` records them (tables ``survey_waves`` and
``phase_waves``). A phase with no recorded wave uses the wave of its own number, and every analysis that
joins measures to phases says which wave it used for each phase and whether it was recorded or assumed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from beacon_qual.analysis.measures import Variable, choose_wave, waves_of
from beacon_qual.analysis.selection import DOCS, Selection
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import measures as sql
from beacon_qual.store.analysis.passages import selection_phases as phases_of

ASSUMED = "assumed: none recorded, same number"


@dataclass(frozen=True)
class PhaseWave:
    phase: int
    wave: int
    how: str  # "recorded", or why this wave: none recorded (same number), the variable's only wave

    def text(self) -> str:
        return f"phase {self.phase}: wave {self.wave} ({self.how})"


@dataclass(frozen=True)
class WaveInfo:
    wave: int
    date: str | None
    phases: tuple[int, ...]
    councils: int  # councils with at least one survey value in the wave


def document_phases(project: Project) -> list[int]:
    return sql.document_phases(project)


def phase_waves(project: Project, phases: list[int] | None = None) -> dict[int, PhaseWave]:
    """The wave of each phase (every phase with documents, or those given), recorded or assumed."""
    recorded = sql.recorded_phase_waves(project)
    wanted = document_phases(project) if phases is None else phases
    return {
        p: PhaseWave(p, recorded[p], "recorded") if p in recorded else PhaseWave(p, p, ASSUMED)
        for p in wanted
    }


def set_wave(
    project: Project, wave: int, *, phases: tuple[int, ...] = (), date: str | None = None
) -> WaveInfo:
    """Record that ``wave`` holds the measures of ``phases`` (replacing their earlier wave) and its date."""
    if wave < 0:
        raise BeaconError(f"a survey wave is a number of 0 or more, not {wave}")
    for phase in phases:
        if phase < 0:
            raise BeaconError(f"a study phase is a number of 0 or more, not {phase}")
    if date is not None:
        try:
            date = dt.date.fromisoformat(date.strip()).isoformat()
        except ValueError:
            raise BeaconError(f"--date must be a date written YYYY-MM-DD, not {date!r}") from None
    if not phases and date is None:
        raise BeaconError("say what to record: --phase N (repeatable) and/or --date YYYY-MM-DD")
    with project.transaction():
        sql.record_wave(project, wave, phases, date)
        project.audit(
            "survey.waves",
            "survey_waves",
            wave,
            after={"wave": wave, "phases": list(phases), "date": date},
        )
    return next(w for w in list_waves(project) if w.wave == wave)


def list_waves(project: Project) -> list[WaveInfo]:
    """Every wave that has a record or survey values, with its date, phases and councils."""
    dates = sql.wave_dates(project)
    councils = sql.wave_councils(project)
    phases: dict[int, list[int]] = {}
    for phase, wave in sql.phase_wave_rows(project):
        phases.setdefault(wave, []).append(phase)
    waves = sorted(set(dates) | set(councils) | set(phases))
    return [WaveInfo(w, dates.get(w), tuple(phases.get(w, ())), councils.get(w, 0)) for w in waves]


def wave_for_phases(
    project: Project, variable_name: str, waves: list[int], phases: list[int]
) -> tuple[int, list[PhaseWave]]:
    """The one wave of a variable to use for documents of ``phases`` when no --wave is given.

    The phases' waves (recorded, else assumed) must agree and the variable must have that wave; a variable
    with a single wave uses it. Returns the wave and the phase-to-wave record to report.
    """
    mapping = list(phase_waves(project, phases).values())
    wanted = sorted({m.wave for m in mapping})
    if len(wanted) == 1 and wanted[0] in waves:
        return wanted[0], mapping
    if len(waves) == 1:
        return waves[0], [
            m if m.wave == waves[0] else PhaseWave(m.phase, waves[0], f"the only wave of {variable_name}")
            for m in mapping
        ]
    listed = "; ".join(m.text() for m in mapping) or "no phases"
    raise BeaconError(
        f"survey variable {variable_name!r} has waves {', '.join(map(str, waves))}; choose one with --wave, "
        f"limit --phase, or record each phase's wave with 'survey waves set' (the selected phases: {listed})"
    )


def selection_phases(project: Project, selection: Selection) -> list[int]:
    """The phases of the documents a selection keeps."""
    where, params = selection.document_where()
    return phases_of(project, DOCS, where, params)


def wave_for_selection(
    project: Project, selection: Selection, variable: Variable, wave: int | None
) -> tuple[int, list[PhaseWave]]:
    """The wave of a variable to read: --wave, else the one wave the selection's phases point to (or the
    variable's only wave), with the phase-to-wave record to report (empty when --wave chose it)."""
    waves = waves_of(project, variable)
    if wave is not None or not waves:
        return choose_wave(project, variable, wave), []
    return wave_for_phases(project, variable.name, waves, selection_phases(project, selection))
