"""Survey measures linked to councils: importing survey files, listing and reading variables.

An import reads one CSV, TSV or .xlsx file with one row per council (or per
council and wave), resolves every row to one council, infers or reads the type
of each other column, and writes the values in one audited transaction. Nothing
is written until every row resolves to exactly one council, unless the user
skips rows (``skip_rows``) or accepts a candidate for a spelling (``accept``).

Codes, exact names and known aliases resolve by themselves. A row matched only by
similarity (a fuzzy match, such as 'Camdn') is never taken silently: it is listed
with its closest council, and nothing is written until the user confirms it, one
spelling at a time (``accept``) or all at once (``accept_fuzzy``). A row whose code
and council name point at different councils is refused. When rows do not resolve,
:class:`UnresolvedRows` carries every one of them with its candidates (the CLI writes
them to a CSV file); the filled-in file comes back as ``resolutions``, one council
(or ``skip``) per row.

A spelling confirmed with ``accept`` is remembered as an alias only when, on its own, it matches nothing at all (such as 'Brum'). A spelling
that is ambiguous ('Durham'), part of or similar to councils' names ('Richmond',
'Camdn'), a later council or a contradicted designation is used for this file and
reported as not remembered; ``accept_fuzzy`` and resolutions files never remember
anything.

Re-importing a variable for the same council and wave replaces the stored value;
the report counts how many values were replaced and how many were already equal.
A missing cell never erases a stored value. A column whose variable is already
stored is read as the stored type; a declared type that differs, or values that
do not fit the stored type, are an error naming the variable.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from beacon_qual.cases.councils import (
    CouncilMatch,
    CouncilNotResolved,
    remember_alias,
    resolve_council,
    resolve_many,
)
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid
from beacon_qual.store import survey as store
from beacon_qual.survey.table import Row, Table, read_table
from beacon_qual.survey.types import (
    ColumnType,
    TypesFile,
    categorical_levels,
    infer_type,
    is_missing,
    load_types_file,
    normal_label,
    stored_pair,
    with_observed_scale,
)

COUNCIL_HEADERS = (
    "council",
    "council name",
    "authority",
    "local authority",
    "authority name",
    "la name",
    "name",
)
CODE_HEADERS = ("gss code", "gss", "ons code", "ons", "council code", "la code")
WAVE_HEADER = "wave"
MAX_LISTED_PROBLEMS = 40  # problem lines shown on the terminal; the problems file holds every row
SKIP_WORDS = ("skip", "-")  # in a resolutions file's council column: leave the row out
RESOLUTION_COLUMNS = ("row", "council_in_file", "codes_in_file", "problem", "candidates", "council")
_WAVE = re.compile(r"(?:wave\s*|w)?(\d+)", re.IGNORECASE)

Value = float | str | bool


@dataclass(frozen=True)
class ImportOptions:
    council_column: str | None = None
    wave_column: str | None = None
    wave: int | None = None
    types: Path | None = None
    skip_rows: tuple[str, ...] = ()
    accept: tuple[tuple[str, str], ...] = ()  # (spelling in the file, council reference)
    accept_fuzzy: bool = False  # take every row's closest council when it is a clear fuzzy match
    dry_run: bool = False
    encoding: str | None = None  # of a CSV or TSV file, instead of detecting it
    resolutions: Path | None = None  # a filled-in problems file: a council (or 'skip') per row number


@dataclass(frozen=True)
class RowProblem:
    """A row that did not resolve to one council, as written to the problems file."""

    row: int
    spelling: str  # the council cell
    codes: tuple[str, ...]  # the code cells that hold something
    problem: str
    candidates: tuple[str, ...]  # "[CODE] Name (type, score N)"


class UnresolvedRows(BeaconError):
    """Rows of a survey file that did not resolve to one council; ``problems`` holds every one."""

    def __init__(self, message: str, problems: list[RowProblem], details: list[str]):
        super().__init__(message, details=details)
        self.problems = problems


@dataclass(frozen=True)
class VariableImport:
    name: str
    type: str
    levels: tuple[str, ...] | None
    created: bool
    written: int  # values new to the project
    replaced: int  # stored values overwritten with a different value
    unchanged: int  # stored values equal to the imported one
    missing: int  # missing cells (nothing written)


@dataclass(frozen=True)
class SurveyReport:
    file: str
    encoding: str
    rows: int
    councils: int
    waves: tuple[int, ...]
    variables: tuple[VariableImport, ...]
    skipped_rows: tuple[tuple[int, str], ...]
    aliases: tuple[tuple[str, int], ...]  # spellings remembered: (spelling, case id)
    aliases_refused: tuple[tuple[str, str], ...]  # spellings not remembered: (spelling, why)
    # rows matched by similarity and taken with accept_fuzzy: (row, spelling, case id, council, score)
    fuzzy: tuple[tuple[int, str, int, str, float], ...]
    resolved: tuple[tuple[int, str, str], ...]  # rows settled by a resolutions file: (row, spelling, council)
    empty_columns: tuple[str, ...]
    dry_run: bool

    @property
    def written(self) -> int:
        return sum(v.written for v in self.variables)

    @property
    def replaced(self) -> int:
        return sum(v.replaced for v in self.variables)

    @property
    def unchanged(self) -> int:
        return sum(v.unchanged for v in self.variables)


@dataclass(frozen=True)
class Variable:
    id: int
    name: str
    type: str
    levels: tuple[str, ...] | None
    label: str | None
    source: str | None
    coverage: dict[int, int] = field(default_factory=dict)  # wave -> councils with a value

    @property
    def waves(self) -> tuple[int, ...]:
        return tuple(sorted(self.coverage))


@dataclass(frozen=True)
class ValueRow:
    case_id: int
    council: str
    code: str | None
    wave: int
    value: Value


@dataclass(frozen=True)
class WaveSummary:
    wave: int
    n: int
    statistics: dict[str, Value | None]  # numeric, date and text summaries
    counts: tuple[tuple[str, int], ...]  # ordinal, categorical and boolean levels, in order


@dataclass(frozen=True)
class VariableSummary:
    variable: Variable
    councils: int  # councils in the project
    waves: tuple[WaveSummary, ...]


# -- import --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Layout:
    council: int | None
    codes: tuple[int, ...]
    wave: int | None
    variables: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class _Placed:
    row: Row
    wave: int
    ref: str  # the cell that matched: a code or a spelling
    case_id: int
    how: str  # 'code', 'name', 'alias', 'fuzzy' or 'accepted'
    score: float
    council: str


def import_survey(
    project: Project, path: Path | str, *, options: ImportOptions | None = None
) -> SurveyReport:
    """Import one survey file; raises BeaconError (writing nothing) for any row or value that does not fit."""
    path = Path(path)
    options = options or ImportOptions()
    table = read_table(path, options.encoding)
    types = load_types_file(options.types) if options.types else TypesFile(columns={})
    layout = _layout(table, options, types, path.name)
    kept, skipped = _skip_rows(table, layout, options.skip_rows, path.name)
    resolved: dict[int, CouncilMatch] = {}
    if options.resolutions is not None:
        resolved, skip_numbers = _resolutions(project, options.resolutions, layout, kept)
        skipped = tuple(
            sorted((*skipped, *((r.number, _spelling(r, layout)) for r in kept if r.number in skip_numbers)))
        )
        kept = [row for row in kept if row.number not in skip_numbers]
    waves = {row.number: _row_wave(row, layout, options.wave, table) for row in kept}
    accepted = _accepted(project, options.accept, layout, kept, path.name)
    placed = _place_rows(project, kept, layout, waves, accepted, resolved, options.accept_fuzzy, path.name)
    _check_duplicates(project, placed, path.name)
    columns, empty = _column_types(project, table, layout, types, placed, path.name)
    values = {
        name: _column_values(table, name, column, placed, path.name) for name, column in columns.items()
    }
    try:
        with project.transaction():
            imports = tuple(
                _write_variable(project, name, columns[name], values[name], len(placed), path.name)
                for name in columns
            )
            aliases, refused = _remember(project, placed, f"survey:{path.name}")
            report = SurveyReport(
                file=path.name,
                encoding=table.encoding,
                rows=len(placed),
                councils=len({p.case_id for p in placed}),
                waves=tuple(sorted({p.wave for p in placed})),
                variables=imports,
                skipped_rows=skipped,
                aliases=aliases,
                aliases_refused=refused,
                fuzzy=tuple(
                    (p.row.number, p.ref, p.case_id, p.council, p.score) for p in placed if p.how == "fuzzy"
                ),
                resolved=tuple((p.row.number, p.ref, p.council) for p in placed if p.how == "resolved"),
                empty_columns=empty,
                dry_run=options.dry_run,
            )
            project.audit("survey.import", "variables", None, after=_audit_record(report, path))
            if options.dry_run:
                raise _RolledBack(report)
    except _RolledBack as rolled_back:
        return rolled_back.report
    return report


class _RolledBack(Exception):
    """Raised inside the import transaction so that a dry run counts everything and keeps nothing."""

    def __init__(self, report: SurveyReport):
        super().__init__("dry run")
        self.report = report


def _audit_record(report: SurveyReport, path: Path) -> dict[str, Any]:
    return {
        "file": str(path),
        "rows": report.rows,
        "councils": report.councils,
        "waves": list(report.waves),
        "variables": [
            {
                "name": v.name,
                "type": v.type,
                "written": v.written,
                "replaced": v.replaced,
                "unchanged": v.unchanged,
                "created": v.created,
            }
            for v in report.variables
        ],
        "skipped_rows": [row for row, _ in report.skipped_rows],
        "resolved_rows": [row for row, _, _ in report.resolved],
        "aliases": [spelling for spelling, _ in report.aliases],
    }


# -- the file's columns --------------------------------------------------------------------------------
def _header_key(title: str) -> str:
    return re.sub(r"[\s_\-]+", " ", title.casefold()).strip()


def _named_column(table: Table, name: str, what: str, file: str) -> int:
    for index, title in enumerate(table.header):
        if title.casefold() == name.casefold():
            return index
    raise BeaconError(
        f"{file} has no {what} column {name!r}", details=[f"columns: {', '.join(table.header)}"]
    )


def _find_column(table: Table, keys: Iterable[str]) -> int | None:
    by_key = {_header_key(title): index for index, title in enumerate(table.header)}
    return next((by_key[k] for k in keys if k in by_key), None)


def _layout(table: Table, options: ImportOptions, types: TypesFile, file: str) -> _Layout:
    council_name = options.council_column or types.council_column
    council = (
        _named_column(table, council_name, "council", file)
        if council_name
        else _find_column(table, COUNCIL_HEADERS)
    )
    codes = tuple(i for i, t in enumerate(table.header) if _header_key(t) in CODE_HEADERS and i != council)
    if council is None and not codes:
        raise BeaconError(
            f"{file} has no council column; name it with --council-column",
            details=[f"columns: {', '.join(table.header)}"],
        )
    wave = _wave_column(table, options, types, file)
    skip = {_named_column(table, name, "skipped", file) for name in types.skip}
    for name in types.columns:
        _named_column(table, name, "typed", file)
    identifiers = {council, wave, *codes} - {None}
    variables = tuple(
        (title, index) for index, title in enumerate(table.header) if index not in identifiers | skip
    )
    if not variables:
        raise BeaconError(f"{file} has no survey columns besides the council and wave columns")
    return _Layout(council, codes, wave, variables)


def _wave_column(table: Table, options: ImportOptions, types: TypesFile, file: str) -> int | None:
    named = options.wave_column or types.wave_column
    if options.wave is not None and options.wave_column:
        raise BeaconError("give either --wave N or --wave-column NAME, not both")
    if options.wave is not None and options.wave < 1:
        raise BeaconError(f"--wave must be 1 or more, not {options.wave}")
    column = _named_column(table, named, "wave", file) if named else _find_column(table, (WAVE_HEADER,))
    if column is not None and options.wave is not None:
        raise BeaconError(
            f"{file} has a wave column {table.header[column]!r}; drop --wave or list the column under skip"
        )
    return column


def _row_wave(row: Row, layout: _Layout, fixed: int | None, table: Table) -> int:
    if layout.wave is None:
        return fixed or 1
    cell = row.cells[layout.wave]
    match = _WAVE.fullmatch(cell.strip())
    if match is None or int(match.group(1)) < 1:
        raise BeaconError(
            f"row {row.number}, column {table.header[layout.wave]!r}: {cell!r} is not a wave number (1, 2, ...)"
        )
    return int(match.group(1))


def _spelling(row: Row, layout: _Layout) -> str:
    if layout.council is not None and not is_missing(row.cells[layout.council]):
        return row.cells[layout.council]
    return next((row.cells[i] for i in layout.codes if not is_missing(row.cells[i])), "")


def _references(row: Row, layout: _Layout) -> list[str]:
    """Codes first, then the name: the order in which a row is matched to a council."""
    indexes = [*layout.codes, *([layout.council] if layout.council is not None else [])]
    return [row.cells[i] for i in indexes if not is_missing(row.cells[i])]


# -- skipped and accepted rows -------------------------------------------------------------------------
def _skip_rows(
    table: Table, layout: _Layout, refs: Iterable[str], file: str
) -> tuple[list[Row], tuple[tuple[int, str], ...]]:
    skip: set[int] = set()
    for ref in refs:
        matched = _rows_named(table, layout, ref)
        if not matched:
            raise BeaconError(f"--skip-row {ref!r} names no data row of {file}")
        skip |= matched
    kept = [row for row in table.rows if row.number not in skip]
    skipped = tuple((row.number, _spelling(row, layout)) for row in table.rows if row.number in skip)
    return kept, skipped


def _rows_named(table: Table, layout: _Layout, ref: str) -> set[int]:
    ref = ref.strip()
    if ref.isdigit():
        return {row.number for row in table.rows if row.number == int(ref)}
    wanted = ref.casefold()
    return {row.number for row in table.rows if wanted in {r.casefold() for r in _references(row, layout)}}


def _accepted(
    project: Project, accept: Iterable[tuple[str, str]], layout: _Layout, kept: list[Row], file: str
) -> dict[str, CouncilMatch]:
    """Spellings (case-folded) the user has matched to a council by hand."""
    accepted: dict[str, CouncilMatch] = {}
    spellings = {r.casefold() for row in kept for r in _references(row, layout)}
    for spelling, ref in accept:
        if spelling.strip().casefold() not in spellings:
            raise BeaconError(f"--accept {spelling!r}: no row of {file} spells a council that way")
        try:
            match = resolve_council(project, ref)
        except BeaconError as exc:
            raise BeaconError(f"--accept {spelling}={ref}: {exc.message}", details=exc.details) from None
        if match.how == "fuzzy":
            raise BeaconError(
                f"--accept {spelling}={ref}: {ref!r} is not a council's name, alias or code; the closest is "
                f"{_described(match)} (score {match.score:.0f})"
            )
        accepted[spelling.strip().casefold()] = match
    return accepted


# -- councils ------------------------------------------------------------------------------------------
def _place_rows(
    project: Project,
    rows: list[Row],
    layout: _Layout,
    waves: dict[int, int],
    accepted: dict[str, CouncilMatch],
    resolved: dict[int, CouncilMatch],
    accept_fuzzy: bool,
    file: str,
) -> list[_Placed]:
    refs = {row.number: _references(row, layout) for row in rows}
    matches, problems = resolve_many(
        project,
        [
            ref
            for number, row_refs in refs.items()
            if number not in resolved
            for ref in row_refs
            if ref.casefold() not in accepted
        ],
    )
    placed: list[_Placed] = []
    unplaced: list[RowProblem] = []
    lines: list[str] = []
    unconfirmed = 0
    for row in rows:
        if row.number in resolved:
            match = resolved[row.number]
            ref = _spelling(row, layout)
            placed.append(_Placed(row, waves[row.number], ref, match.case_id, "resolved", 100.0, match.name))
            continue
        found = _row_match(row, layout, accepted, matches, problems)
        if isinstance(found, RowProblem):
            unplaced.append(found)
            lines.append(f"row {row.number}: {found.problem}" + _candidates_text(found.candidates))
            continue
        ref, match, how = found
        if how == "fuzzy" and not accept_fuzzy:
            unconfirmed += 1
            line = _fuzzy_line(row, ref, match)
            unplaced.append(
                _row_problem(
                    row, layout, line.split(": ", 1)[1], [f"{_described(match)} (score {match.score:.0f})"]
                )
            )
            lines.append(line)
        else:
            placed.append(_Placed(row, waves[row.number], ref, match.case_id, how, match.score, match.name))
    if unplaced:
        raise UnresolvedRows(_unplaced_message(len(unplaced), unconfirmed, file), unplaced, _capped(lines))
    return placed


def _unplaced_message(unplaced: int, unconfirmed: int, file: str) -> str:
    """The headline for rows left unplaced, ``unconfirmed`` of them matched only by similarity."""
    if unplaced == unconfirmed:
        what = f"{unconfirmed} row(s) of {file} match a council only by similarity"
    elif not unconfirmed:
        what = f"{unplaced} row(s) of {file} do not match exactly one council"
    else:
        what = (
            f"{unplaced} row(s) of {file} do not match exactly one council ({unconfirmed} only by similarity)"
        )
    remedies = (
        "--accept 'SPELLING=COUNCIL'" + (", --accept-fuzzy" if unconfirmed else "") + " or --skip-row ROW"
    )
    return f"{what}; nothing was imported (use {remedies})"


def _row_match(
    row: Row,
    layout: _Layout,
    accepted: dict[str, CouncilMatch],
    matches: dict[str, CouncilMatch],
    problems: dict[str, CouncilNotResolved],
) -> tuple[str, CouncilMatch, str] | RowProblem:
    """(reference, match, how) for a row, or why it has none.

    An accepted spelling wins. Otherwise the row's codes are tried first, then its name; a code and a
    name that both resolve, to different councils, make the row a problem.
    """
    refs = _references(row, layout)
    for ref in refs:
        if ref.casefold() in accepted:
            return ref, accepted[ref.casefold()], "accepted"
    found = [(ref, matches[ref]) for ref in refs if ref in matches]
    if not found:
        if not refs:
            return _row_problem(row, layout, "no council named", [])
        problem = problems[refs[-1]]
        return _row_problem(row, layout, problem.message, problem.details)
    ref, match = found[0]
    for other, other_match in found[1:]:
        if other_match.case_id != match.case_id:
            return _row_problem(
                row,
                layout,
                f"{ref!r} is {_described(match)} but {other!r} is {_described(other_match)}",
                [_described(match), _described(other_match)],
            )
    return ref, match, match.how


def _row_problem(row: Row, layout: _Layout, problem: str, candidates: Iterable[str]) -> RowProblem:
    spelling = row.cells[layout.council] if layout.council is not None else ""
    codes = tuple(row.cells[i] for i in layout.codes if not is_missing(row.cells[i]))
    return RowProblem(row.number, spelling, codes, problem, tuple(candidates))


def _candidates_text(candidates: tuple[str, ...]) -> str:
    return f"; candidates: {'; '.join(candidates)}" if candidates else ""


# -- resolutions files -----------------------------------------------------------------------------------
def problem_rows(problems: list[RowProblem]) -> list[list[str]]:
    """The rows of a problems file: a header, then one line per problem row, its council cell empty."""
    lines = [list(RESOLUTION_COLUMNS)]
    for p in problems:
        lines.append([str(p.row), p.spelling, " | ".join(p.codes), p.problem, " | ".join(p.candidates), ""])
    return lines


def _resolutions(
    project: Project, path: Path, layout: _Layout, kept: list[Row]
) -> tuple[dict[int, CouncilMatch], set[int]]:
    """Read a filled-in problems file: (council for each resolved row, rows to skip).

    Each line names a row of the survey file and, in its ``council`` column, a council's code or exact
    name, or ``skip``; lines with an empty council are left as they were. A line whose ``council_in_file``
    differs from the survey file's row belongs to another version of the file and is refused.
    """
    name = path.name
    if not path.is_file():
        raise BeaconError(f"no resolutions file at {path}")
    sheet = read_table(path)
    columns = {title.casefold(): i for i, title in enumerate(sheet.header)}
    for needed in ("row", "council"):
        if needed not in columns:
            raise BeaconError(
                f"resolutions file {name} has no {needed!r} column",
                details=[f"columns: {', '.join(sheet.header)}"],
            )
    rows = {row.number: row for row in kept}
    resolved: dict[int, CouncilMatch] = {}
    skip: set[int] = set()
    for line in sheet.rows:
        council = line.cells[columns["council"]].strip()
        number_text = line.cells[columns["row"]].strip()
        if not council:
            continue
        where = f"resolutions file {name} line {line.number}"
        if not number_text.isdigit() or int(number_text) not in rows:
            raise BeaconError(f"{where}: {number_text!r} is not a data row of the survey file")
        number = int(number_text)
        if number in resolved or number in skip:
            raise BeaconError(f"{where}: row {number} is resolved twice")
        if "council_in_file" in columns:
            written = line.cells[columns["council_in_file"]]
            actual = _row_problem(rows[number], layout, "", []).spelling
            if written not in (actual, "'" + actual):  # a cell starting '=' was written with a quote
                raise BeaconError(
                    f"{where}: row {number} of the survey file names {actual!r}, not {written!r}; "
                    "the resolutions file belongs to another version of the file"
                )
        if council.casefold() in SKIP_WORDS:
            skip.add(number)
            continue
        try:
            match = resolve_council(project, council)
        except BeaconError as exc:
            raise BeaconError(f"{where}: {exc.message}", details=exc.details) from None
        if match.how == "fuzzy":
            raise BeaconError(
                f"{where}: {council!r} is not a council's name, alias or code; the closest is "
                f"{_described(match)} (score {match.score:.0f})"
            )
        resolved[number] = match
    return resolved, skip


def _fuzzy_line(row: Row, ref: str, match: CouncilMatch) -> str:
    return (
        f"row {row.number}: {ref!r} is not a known spelling; closest {_described(match)} "
        f"(score {match.score:.0f})"
    )


def _described(match: CouncilMatch) -> str:
    return f"[{match.code}] {match.name}" if match.code else match.name


def _remember(
    project: Project, placed: list[_Placed], source: str
) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str], ...]]:
    """Remember spellings matched by hand: (remembered, used but not remembered with the reason).

    Only a spelling that on its own matches nothing is remembered. One that is ambiguous ('Durham'),
    part of or like councils' names ('Richmond', 'Camdn'), a later council, or another council's name
    was used for this file only. Fuzzy matches taken with accept_fuzzy, and rows settled by a
    resolutions file (answers about rows, not spellings), are never remembered.
    """
    remembered: list[tuple[str, int]] = []
    refused: list[tuple[str, str]] = []
    for ref, case_id in sorted({(p.ref, p.case_id) for p in placed if p.how == "accepted"}):
        why = _not_rememberable(project, ref, case_id)
        if why is None:
            try:
                remember_alias(project, case_id, ref, source)
            except BeaconError as exc:
                why = exc.message
            else:
                remembered.append((ref, case_id))
                continue
        if why:
            refused.append((ref, why))
    return tuple(remembered), tuple(refused)


def _not_rememberable(project: Project, ref: str, case_id: int) -> str | None:
    """Why ``ref`` is not remembered as case ``case_id`` ('' when it already means it), or None."""
    try:
        alone = resolve_council(project, ref)
    except CouncilNotResolved as exc:
        if exc.reason == "unknown":
            return None
        if exc.ambiguous:
            return f"{ref!r} could mean any of {len(exc.candidates)} councils on its own"
        if exc.reason == "similar":
            return f"{ref!r} is part of or like the names of other councils ({'; '.join(exc.details[:3])})"
        return exc.message
    if alone.case_id == case_id:
        if alone.how == "fuzzy":
            return f"{ref!r} matches {alone.name} only by similarity (score {alone.score:.0f})"
        return ""
    if alone.how == "fuzzy":
        return f"{ref!r} is close to {alone.name} (score {alone.score:.0f})"
    return f"{ref!r} already stands for {alone.name}"


def _check_duplicates(project: Project, placed: list[_Placed], file: str) -> None:
    first: dict[tuple[int, int], _Placed] = {}
    clashes: list[str] = []
    for p in placed:
        key = (p.case_id, p.wave)
        if key in first:
            earlier = first[key]
            name = store.case_name(project, p.case_id)
            clashes.append(
                f"rows {earlier.row.number} ({earlier.ref}) and {p.row.number} ({p.ref}) are both "
                f"{name}, wave {p.wave}"
            )
        else:
            first[key] = p
    if clashes:
        raise BeaconError(f"{file}: {clashes[0]}; nothing was imported", details=_capped(clashes[1:]))


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LISTED_PROBLEMS:
        return lines
    return [*lines[:MAX_LISTED_PROBLEMS], f"... and {len(lines) - MAX_LISTED_PROBLEMS} more"]


# -- types and values ----------------------------------------------------------------------------------
def _column_types(
    project: Project, table: Table, layout: _Layout, types: TypesFile, placed: list[_Placed], file: str
) -> tuple[dict[str, ColumnType], tuple[str, ...]]:
    columns: dict[str, ColumnType] = {}
    empty: list[str] = []
    for name, index in layout.variables:
        cells = [p.row.cells[index] for p in placed]
        declared = _declared(types, name)
        stored = _stored_type(project, name)
        try:
            column = _settle_type(name, cells, declared, stored)
        except ValueError as exc:
            raise BeaconError(f"{file}, column {name!r}: {exc}") from None
        if column is None:
            empty.append(name)
        else:
            columns[name] = column
    return columns, tuple(empty)


def _declared(types: TypesFile, name: str) -> ColumnType | None:
    return next((c for title, c in types.columns.items() if title.casefold() == name.casefold()), None)


def _stored_type(project: Project, name: str) -> ColumnType | None:
    row = store.stored_type(project, name)
    if row is None:
        return None
    levels = tuple(json.loads(row["levels"])) if row["levels"] else None
    return ColumnType(row["type"], levels, closed=row["type"] == "ordinal")


def _settle_type(
    name: str, cells: list[str], declared: ColumnType | None, stored: ColumnType | None
) -> ColumnType | None:
    """The type a column is read as: declared, else the stored variable's, else inferred."""
    if declared is not None and declared.type == "ordinal" and not declared.levels and stored is not None:
        declared = replace(declared, levels=stored.levels, closed=True)
    if declared is not None:
        declared = with_observed_scale(declared, cells)
    if stored is None:
        return declared or infer_type(cells)
    if declared is not None:
        return _declared_against_stored(name, declared, stored)
    inferred = infer_type(cells)
    if inferred is not None and inferred.type in ("numeric", "date") and inferred.type != stored.type:
        raise ValueError(
            f"reads as {inferred.type} but variable {name!r} is stored as {stored.type}; "
            f"declare the column's type in a types file or rename it"
        )
    return stored


def _declared_against_stored(name: str, declared: ColumnType, stored: ColumnType) -> ColumnType:
    if declared.type != stored.type:
        raise ValueError(f"is declared {declared.type} but variable {name!r} is stored as {stored.type}")
    if declared.type == "ordinal" and [normal_label(x) for x in declared.levels or ()] != [
        normal_label(x) for x in stored.levels or ()
    ]:
        raise ValueError(
            f"declares levels that differ from those stored for {name!r}: {', '.join(stored.levels or ())}"
        )
    if declared.type == "categorical":
        levels = categorical_levels(stored.levels or (), list(declared.levels or ()))
        return replace(declared, levels=levels)
    return declared


def _column_values(
    table: Table, name: str, column: ColumnType, placed: list[_Placed], file: str
) -> dict[tuple[int, int], tuple[float | None, str | None]]:
    index = table.column(name)
    values: dict[tuple[int, int], tuple[float | None, str | None]] = {}
    errors: list[str] = []
    for p in placed:
        cell = p.row.cells[index]
        if is_missing(cell):
            continue
        try:
            values[(p.case_id, p.wave)] = stored_pair(cell, column)
        except ValueError as exc:
            errors.append(f"row {p.row.number}, column {name!r}: {cell!r} {exc}")
    if errors:
        raise BeaconError(f"{file} {errors[0]} ({column.type} column)", details=_capped(errors[1:]))
    return values


def _write_variable(
    project: Project,
    name: str,
    column: ColumnType,
    values: dict[tuple[int, int], tuple[float | None, str | None]],
    rows: int,
    file: str,
) -> VariableImport:
    levels = column.levels
    if column.type == "categorical":
        levels = categorical_levels(column.levels or (), [text for _, text in values.values() if text])
    row = store.variable_id_row(project, name)
    levels_json = None if levels is None else json.dumps(list(levels), ensure_ascii=False)
    if row is None:
        variable_id = store.insert_variable(
            project, new_uuid(), name, column.type, levels_json, column.label, f"survey:{file}"
        )
    else:
        variable_id = row["id"]
        store.update_variable(project, variable_id, levels_json, column.label)
    before = {
        (r["case_id"], r["wave"]): (r["value_num"], r["value_text"])
        for r in store.stored_values(project, variable_id)
    }
    store.upsert_values(
        project,
        [(variable_id, case_id, wave, num, text) for (case_id, wave), (num, text) in values.items()],
    )
    unchanged = sum(1 for key, pair in values.items() if before.get(key) == pair)
    replaced = sum(1 for key in values if key in before) - unchanged
    return VariableImport(
        name=name,
        type=column.type,
        levels=levels,
        created=row is None,
        written=len(values) - replaced - unchanged,
        replaced=replaced,
        unchanged=unchanged,
        missing=rows - len(values),
    )


# -- reading variables ---------------------------------------------------------------------------------
def _variable_from_row(row: Any, coverage: dict[int, int]) -> Variable:
    return Variable(
        id=row["id"],
        name=row["name"],
        type=row["type"],
        levels=tuple(json.loads(row["levels"])) if row["levels"] else None,
        label=row["label"],
        source=row["source"],
        coverage=coverage,
    )


def list_variables(project: Project) -> list[Variable]:
    coverage: dict[int, dict[int, int]] = {}
    for r in store.coverage_all(project):
        coverage.setdefault(r[0], {})[r[1]] = r[2]
    return [_variable_from_row(row, coverage.get(row["id"], {})) for row in store.variables(project)]


def get_variable(project: Project, name: str) -> Variable:
    row = store.variable_named(project, name)
    if row is None:
        from rapidfuzz import process

        names = store.variable_names(project)
        close = [match for match, score, _ in process.extract(name, names, limit=3) if score >= 60]
        raise BeaconError(
            f"no survey variable called {name!r}",
            details=[f"did you mean: {', '.join(close)}"] if close else [],
        )
    return _variable_from_row(row, store.coverage(project, row["id"]))


def typed_value(variable_type: str, value_num: float | None, value_text: str | None) -> Value:
    """A stored value as Python: float (numeric), bool (boolean), str (ordinal label, ISO date, text)."""
    if variable_type == "numeric":
        return float(value_num)  # type: ignore[arg-type]
    if variable_type == "boolean":
        return bool(value_num)
    return value_text  # type: ignore[return-value]


def variable_values(project: Project, name: str, wave: int | None = None) -> dict[tuple[int, int], Value]:
    """Every stored value of a variable keyed by (case_id, wave), optionally for one wave."""
    return {(r.case_id, r.wave): r.value for r in value_rows(project, name, wave)}


def value_rows(project: Project, name: str, wave: int | None = None) -> list[ValueRow]:
    """The values of a variable with each council's name and code, ordered by council and wave."""
    variable = get_variable(project, name)
    rows = store.value_rows(project, variable.id, wave)
    return [ValueRow(r[0], r[1], r[2], r[3], typed_value(variable.type, r[4], r[5])) for r in rows]


def variable_frame(project: Project, names: Iterable[str], wave: int | None = None) -> list[dict[str, Any]]:
    """One row per council and wave: case_id, council, code, wave and one key per variable (None if missing).

    Only councils with a value for at least one of the variables appear; rows are ordered by council and wave.
    """
    names = list(names)
    values = {name: variable_values(project, name, wave) for name in names}
    councils = store.councils(project)
    keys = sorted(
        {key for per in values.values() for key in per}, key=lambda k: (councils[k[0]][0], k[0], k[1])
    )
    return [
        {
            "case_id": case_id,
            "council": councils[case_id][0],
            "code": councils[case_id][1],
            "wave": w,
            **{name: values[name].get((case_id, w)) for name in names},
        }
        for case_id, w in keys
    ]


def summarise_variable(project: Project, name: str, wave: int | None = None) -> VariableSummary:
    """Per wave: how many councils have a value, and summary statistics or level counts."""
    variable = get_variable(project, name)
    by_wave: dict[int, list[Value]] = {}
    for (_, w), value in sorted(
        variable_values(project, variable.name, wave).items(), key=lambda kv: kv[0][1]
    ):
        by_wave.setdefault(w, []).append(value)
    councils = store.case_count(project)
    return VariableSummary(
        variable=variable,
        councils=councils,
        waves=tuple(_summarise_wave(variable, w, vals) for w, vals in sorted(by_wave.items())),
    )


def _summarise_wave(variable: Variable, wave: int, values: list[Value]) -> WaveSummary:
    kind = variable.type
    if kind in ("ordinal", "categorical", "boolean"):
        # Ordinal and categorical values are their labels already (see typed_value); booleans become
        # "true"/"false".
        labels = [str(v).lower() if kind == "boolean" else str(v) for v in values]
        counts = Counter(labels)
        levels = ("false", "true") if kind == "boolean" else (variable.levels or tuple(sorted(counts)))
        stats: dict[str, Value | None] = {}
        if kind == "ordinal":
            ranks = sorted(levels.index(label) for label in labels)
            stats["median"] = levels[ranks[(len(ranks) - 1) // 2]]
        return WaveSummary(wave, len(values), stats, tuple((level, counts.get(level, 0)) for level in levels))
    if kind == "numeric":
        numbers = [float(v) for v in values]
        stats = {
            "mean": statistics.fmean(numbers),
            "sd": statistics.stdev(numbers) if len(numbers) > 1 else None,
            "min": min(numbers),
            "median": statistics.median(numbers),
            "max": max(numbers),
        }
    elif kind == "date":
        stats = {"earliest": min(map(str, values)), "latest": max(map(str, values))}
    else:
        stats = {"distinct": len(set(values))}
    return WaveSummary(wave, len(values), stats, ())
