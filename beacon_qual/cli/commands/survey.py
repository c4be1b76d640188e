"""Import survey measures per council and wave; list and summarise them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.output import Listing, Out, aligned, csv_text, output_options
from beacon_qual.errors import BeaconError
from beacon_qual.survey import measures as svc


@click.group("survey", help=__doc__)
def survey() -> None:
    pass


@survey.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--council-column", help="Column naming the council (default: council, authority, name, ...).")
@click.option("--wave-column", help="Column holding the wave number (default: a column called 'wave').")
@click.option("--wave", type=int, help="Wave of every row, for a file of one wave without a wave column.")
@click.option(
    "--types",
    "types_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file declaring column types and levels, columns to skip.",
)
@click.option(
    "--skip-row",
    "skip_rows",
    multiple=True,
    metavar="ROWREF",
    help="Leave out a row, by number (header = row 1) or by its council spelling. Repeatable.",
)
@click.option(
    "--accept",
    multiple=True,
    metavar="SPELLING=COUNCIL",
    help="Match a spelling in the file to a council (code or name) for this import. Remembered as an "
    "alias only if the spelling on its own matches nothing (not if it is ambiguous or only similar). "
    "Repeatable.",
)
@click.option(
    "--accept-fuzzy",
    is_flag=True,
    help="Take the closest council for every spelling that matches only by similarity (when one "
    "council is clearly closest), for this import only; never remembered.",
)
@click.option(
    "--resolutions",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A filled-in problems file (written when rows do not resolve): its 'council' column gives "
    "each row's council (code or exact name) or 'skip'.",
)
@click.option(
    "--problems-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the rows that do not resolve (default: FILE's name with '-resolutions.csv' "
    "beside the project file, numbered rather than overwrite a file).",
)
@click.option("--dry-run", is_flag=True, help="Check and count everything, write nothing.")
@click.option(
    "--encoding",
    metavar="NAME",
    help="Read a CSV or TSV file in this encoding (e.g. iso-8859-2) instead of detecting it.",
)
def survey_import(
    file: Path,
    council_column: str | None,
    wave_column: str | None,
    wave: int | None,
    types_path: Path | None,
    skip_rows: tuple[str, ...],
    accept: tuple[str, ...],
    accept_fuzzy: bool,
    resolutions: Path | None,
    problems_file: Path | None,
    dry_run: bool,
    encoding: str | None,
) -> None:
    """Import a CSV, TSV or .xlsx survey file with one row per council (or per council and wave).

    Codes, exact names and known spellings match by themselves. A spelling that matches a council
    only by similarity (e.g. 'Camdn') is listed with its closest council and nothing is imported
    until it is confirmed with --accept 'Camdn=Camden' or --accept-fuzzy.

    When rows do not resolve, every one of them is written to a CSV file with its candidates; fill in
    its 'council' column (a code or exact name, or 'skip') and pass it back with --resolutions.
    """
    project = open_project()
    options = svc.ImportOptions(
        council_column=council_column,
        wave_column=wave_column,
        wave=wave,
        types=types_path,
        skip_rows=skip_rows,
        accept=tuple(_accept_pair(a) for a in accept),
        accept_fuzzy=accept_fuzzy,
        dry_run=dry_run,
        encoding=encoding,
        resolutions=resolutions,
    )
    try:
        report = svc.import_survey(project, file, options=options)
    except svc.UnresolvedRows as exc:
        target = problems_file or _problems_path(project.path.parent, file, resolutions)
        _write_problems(target, exc.problems, project.path)
        raise BeaconError(
            f"{exc.message}; every problem row is in {target}: fill in its 'council' column and pass it "
            f"back with --resolutions",
            details=exc.details,
        ) from None
    _print_report(report)


def _problems_path(folder: Path, file: Path, resolutions: Path | None) -> Path:
    """FILE-resolutions.csv in ``folder`` (the project's); numbered rather than overwrite any file.

    Not beside the survey file, whose folder may be shared or read-only; never over a resolutions file
    being filled in.
    """
    path = folder / f"{file.stem}-resolutions.csv"
    number = 2
    while path.exists() or (resolutions is not None and path.resolve() == resolutions.resolve()):
        path = folder / f"{file.stem}-resolutions-{number}.csv"
        number += 1
    return path


def _write_problems(path: Path, problems: list[svc.RowProblem], project: Path) -> None:
    """Write the problems file whole or not at all, through the one output path (beacon_qual.text.outfile):
    never over a project, a file beacon-qual did not write, or through a link it would replace."""
    from beacon_qual.text.outfile import Output

    header, *rows = svc.problem_rows(problems)
    Output(path, protect=(project,)).write(csv_text(header, rows))


def _accept_pair(text: str) -> tuple[str, str]:
    spelling, sep, council = text.rpartition("=")
    if not sep or not spelling.strip() or not council.strip():
        raise BeaconError(f"--accept {text!r} should read SPELLING=COUNCIL, e.g. 'Sthend=Southend-on-Sea'")
    return spelling.strip(), council.strip()


def _print_report(report: svc.SurveyReport) -> None:
    waves = ", ".join(map(str, report.waves))
    verb = "dry run, nothing written: would import" if report.dry_run else "imported"
    click.echo(
        f"{verb} {report.file} ({report.encoding}): {report.rows} rows, {report.councils} councils, wave(s) {waves}"
    )
    width = max(len(v.name) for v in report.variables)
    for v in report.variables:
        state = "new" if v.created else "existing"
        click.echo(
            f"  {v.name:<{width}}  {v.type:<11} {state:<8}  {v.written} new, {v.replaced} replaced, "
            f"{v.unchanged} unchanged, {v.missing} missing"
        )
    for number, spelling in report.skipped_rows:
        click.echo(f"  skipped row {number} ({spelling})")
    for number, spelling, _, council, score in report.fuzzy:
        click.echo(
            f"  row {number}: {spelling!r} read as {council} (fuzzy, score {score:.0f}), accepted for "
            "this import, not remembered"
        )
    for number, spelling, council in report.resolved:
        click.echo(f"  row {number}: {spelling!r} read as {council} (resolutions file)")
    remember = "would remember" if report.dry_run else "remembered"
    for spelling, _ in report.aliases:
        click.echo(f"  {remember} spelling {spelling!r}")
    for spelling, why in report.aliases_refused:
        click.echo(f"  used but not {remember} {spelling!r}: {why}")
    if report.empty_columns:
        click.echo(f"  no values, not imported: {', '.join(report.empty_columns)}")
    click.echo(f"values: {report.written} new, {report.replaced} replaced, {report.unchanged} unchanged")


@survey.command("list")
@output_options()
def survey_list(out: Out) -> None:
    """List survey variables: type, levels, waves and how many councils have a value in each wave."""
    project = open_project()
    rows: list[dict[str, Any]] = [
        {
            "name": v.name,
            "type": v.type,
            "levels": list(v.levels) if v.levels else [],
            "waves": list(v.waves),
            "coverage": {str(w): n for w, n in sorted(v.coverage.items())},
        }
        for v in svc.list_variables(project)
    ]
    flat = [
        {
            "name": r["name"],
            "type": r["type"],
            "levels": " | ".join(r["levels"]),
            "waves": ", ".join(map(str, r["waves"])),
            "coverage": ", ".join(f"w{w}: {n}" for w, n in r["coverage"].items()),
        }
        for r in rows
    ]
    columns = ["name", "type", "waves", "coverage", "levels"]
    out.listing(_listing(flat, columns, empty="no survey variables yet", data=rows))


@survey.command("show")
@click.argument("variable")
@click.option("--wave", type=int, help="Only this wave.")
@click.option("--values", "show_values", is_flag=True, help="List each council's value.")
@output_options()
def survey_show(variable: str, wave: int | None, show_values: bool, out: Out) -> None:
    """Show one variable: type, levels, coverage and summary statistics or level counts."""
    project = open_project()
    summary = svc.summarise_variable(project, variable, wave)
    rows = svc.value_rows(project, summary.variable.name, wave) if show_values else []
    data: dict[str, Any] = _summary_data(summary)
    if show_values:
        data["values"] = [asdict(r) for r in rows]
        columns = ["council", "code", "wave", "value"]
        out.listing(_listing([asdict(r) for r in rows], columns, empty="no values", data=data))
        return
    listing = _listing(_summary_lines(summary), ["wave", "measure", "value"], empty="", data=data)
    listing.lines = lambda: _summary_text(summary)
    out.listing(listing)


def _summary_data(summary: svc.VariableSummary) -> dict[str, Any]:
    v = summary.variable
    return {
        "name": v.name,
        "type": v.type,
        "levels": list(v.levels) if v.levels else None,
        "label": v.label,
        "source": v.source,
        "councils": summary.councils,
        "waves": [
            {"wave": w.wave, "n": w.n, "statistics": w.statistics, "counts": dict(w.counts)}
            for w in summary.waves
        ],
    }


def _summary_lines(summary: svc.VariableSummary) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for w in summary.waves:
        lines.append({"wave": w.wave, "measure": "councils", "value": w.n})
        lines.extend({"wave": w.wave, "measure": k, "value": _number(x)} for k, x in w.statistics.items())
        lines.extend({"wave": w.wave, "measure": level, "value": n} for level, n in w.counts)
    return lines


def _summary_text(summary: svc.VariableSummary) -> Iterator[str]:
    v = summary.variable
    yield (
        f"{v.name}: {v.type}"
        + (f" ({v.label})" if v.label else "")
        + (f", from {v.source}" if v.source else "")
    )
    if v.levels:
        yield f"levels: {' < '.join(v.levels) if v.type == 'ordinal' else ', '.join(v.levels)}"
    if not summary.waves:
        yield "no values"
    for w in summary.waves:
        yield f"wave {w.wave}: {w.n} of {summary.councils} councils"
        if w.statistics:
            yield "  " + "  ".join(f"{k} {_number(x)}" for k, x in w.statistics.items())
        width = max((len(level) for level, _ in w.counts), default=0)
        for level, n in w.counts:
            yield f"  {level:<{width}}  {n}"


def _number(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.4g}" if not value.is_integer() else str(int(value))
    return "-" if value is None else value


def _listing(rows: list[dict[str, Any]], columns: list[str], *, empty: str, data: Any) -> Listing:
    """Rows of named values as a listing; the table says ``empty`` when there are none."""
    cells = [[_cell(r[c]) for c in columns] for r in rows]
    return Listing(columns, cells, data=data, lines=lambda: aligned(columns, cells) if cells else [empty])


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None:
        return ""
    return value


@survey.group("waves", invoke_without_command=True)
@output_options()
@click.pass_context
def survey_waves(ctx: click.Context, out: Out) -> None:
    """List survey waves: date, the study phases whose measures they hold, councils with values.

    Analyses that join survey measures to study phases use the wave recorded for each phase; a phase
    with no recorded wave uses the wave of its own number, and the analyses say so.
    """
    if ctx.invoked_subcommand is not None:
        return
    from beacon_qual.analysis.waves import list_waves, phase_waves

    project = open_project()
    waves = list_waves(project)
    mapping = phase_waves(project)
    rows: list[dict[str, Any]] = [
        {"wave": w.wave, "date": w.date, "phases": list(w.phases), "councils": w.councils} for w in waves
    ]
    unrecorded = [pw.text() for pw in mapping.values() if pw.how != "recorded"]
    data = {
        "waves": rows,
        "phases": {str(p): {"wave": pw.wave, "how": pw.how} for p, pw in mapping.items()},
    }
    flat = [{**r, "phases": ", ".join(map(str, r["phases"]))} for r in rows]
    listing = _listing(flat, ["wave", "date", "phases", "councils"], empty="no survey waves yet", data=data)
    table = listing.lines
    assert table is not None
    listing.lines = lambda: [*table(), *unrecorded]
    out.listing(listing)


@survey_waves.command("set")
@click.argument("wave", type=int)
@click.option(
    "--phase",
    "phases",
    type=int,
    multiple=True,
    help="A study phase whose measures this wave holds (repeatable).",
)
@click.option("--date", help="When the wave was taken, YYYY-MM-DD.")
def survey_waves_set(wave: int, phases: tuple[int, ...], date: str | None) -> None:
    """Record that WAVE holds the survey measures of study phase(s) --phase N, and its --date."""
    from beacon_qual.analysis.waves import set_wave

    info = set_wave(open_project(), wave, phases=phases, date=date)
    phases_text = ", ".join(map(str, info.phases)) or "none"
    click.echo(f"wave {info.wave}: date {info.date or '-'}, phases {phases_text}")
