"""Councils (cases): seed the 2008 register, list and show them, test how names match."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, fields

import click

from beacon_qual.cases.councils import (
    COUNCIL_TYPES,
    DEFAULT_MIN_SCORE,
    CaseRecord,
    case_details,
    forget_alias,
    list_cases,
    load_register,
    remembered_aliases,
    resolve_council,
    resolve_many,
    seed_cases,
)
from beacon_qual.cli.base import open_project
from beacon_qual.cli.output import Listing, Out, aligned, output_options
from beacon_qual.errors import BeaconError

TABLE_COLUMNS = ("code", "name", "type", "region", "gss_code", "ons_code")


@click.group("cases", help=__doc__)
def cases() -> None:
    pass


@cases.command("seed")
@click.pass_context
def seed_command(ctx: click.Context) -> None:
    """Add the 388 English councils of 1 April 2008, with every known spelling of their names."""
    project = open_project(ctx)
    added = seed_cases(project)
    total = len(load_register())
    if added:
        click.echo(f"added {added} of the {total} register councils, with their other names and codes")
    else:
        click.echo(f"all {total} register councils are already in the project; no councils added")


@cases.command("add")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(["organisation"]),
    required=True,
    help="organisation: a body that is not one of the register's councils (an improvement agency, a "
    "government department, a regional body).",
)
@click.pass_context
def add_command(ctx: click.Context, name: str, kind: str) -> None:
    """Add a case that is not a council: an organisation whose interviews are imported beside the councils'.

    Documents can then name it as their council (front matter, manifest, --council). Analyses by council
    leave its documents out and say how many; analyses by document keep them.
    """
    from beacon_qual.cases.organisations import add_organisation

    project = open_project(ctx)
    add_organisation(project, name)
    click.echo(f"added {kind} {' '.join(name.split())!r}")


@cases.command("list")
@click.option("--type", "kind", type=click.Choice(COUNCIL_TYPES), help="Only councils of this type.")
@click.option("--region", help="Only councils in this region (e.g. 'North East').")
@output_options()
@click.pass_context
def list_command(ctx: click.Context, kind: str | None, region: str | None, out: Out) -> None:
    """List the project's cases by name."""
    records = list_cases(open_project(ctx), type=kind, region=region)

    def table() -> list[str]:
        rows = [[getattr(r, c) or "" for c in TABLE_COLUMNS] for r in records]
        return [*aligned(["code", "name", "type", "region", "GSS", "ONS"], rows), f"{len(records)} case(s)"]

    columns = [f.name for f in fields(CaseRecord)]
    rows = [list(asdict(r).values()) for r in records]
    out.listing(Listing(columns, rows, lines=table))


@cases.command("show")
@click.argument("ref")
@click.pass_context
def show_command(ctx: click.Context, ref: str) -> None:
    """Show one council (REF: a name, short name, alias or code), its aliases and linked material."""
    project = open_project(ctx)
    match = resolve_council(project, ref)
    details = case_details(project, match.case_id)
    case = details.case
    click.echo(f"[{case.code}] {case.name}" if case.code else case.name)
    waves = ", ".join(str(w) for w in details.waves)
    lines = [
        ("short name", case.short_name),
        ("type", case.type),
        ("region", case.region),
        ("GSS code", case.gss_code),
        ("ONS code", case.ons_code),
        ("matched by", f"{match.how} (score {match.score:.0f})"),
        ("documents", str(details.documents)),
        (
            "survey values",
            f"{details.survey_values}"
            + (
                f" ({details.survey_variables} variable(s); wave(s) {waves})" if details.survey_values else ""
            ),
        ),
        ("note", details.note),
    ]
    for label, value in lines:
        if value:
            click.echo(f"  {label:<14} {value}")
    click.echo(f"  aliases ({len(details.aliases)}):")
    for alias, source in details.aliases:
        click.echo(f"    {alias}  [{source}]" if source else f"    {alias}")


@cases.command("match")
@click.argument("refs", nargs=-1, required=True)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    default=DEFAULT_MIN_SCORE,
    show_default=True,
    help="Lowest fuzzy score (0-100) accepted as a match.",
)
@click.pass_context
def match_command(ctx: click.Context, refs: tuple[str, ...], min_score: float) -> None:
    """Show how each reference resolves to a council, or which councils it could mean.

    A reference that is only similar to a council's name (a fuzzy match) is not resolved: it is shown
    with its closest council as a candidate, to be confirmed where it is used.
    """
    matches, problems = resolve_many(open_project(ctx), refs, min_score=min_score)
    unresolved = 0
    for ref in dict.fromkeys(refs):
        m = matches.get(ref)
        if m is not None and m.how != "fuzzy":
            code = f"[{m.code}] " if m.code else ""
            click.echo(f"{ref} -> {code}{m.name} ({m.how}, score {m.score:.0f})")
            continue
        unresolved += 1
        if m is not None:
            code = f"[{m.code}] " if m.code else ""
            click.echo(f"{ref}: not a known spelling; only similar to a council (unresolved)")
            click.echo(f"    {code}{m.name} (score {m.score:.0f})")
        else:
            problem = problems[ref]
            click.echo(f"{ref}: {problem.message}")
            for line in problem.details:
                click.echo(f"    {line}")
    if unresolved:
        raise BeaconError(
            f"{unresolved} of {len(matches) + len(problems)} reference(s) did not resolve to one council"
        )


@cases.command("aliases")
@output_options()
@click.pass_context
def aliases_command(ctx: click.Context, out: Out) -> None:
    """List the spellings remembered in this project (not the register's own names and codes)."""
    found = remembered_aliases(open_project(ctx))

    def table() -> Iterator[str]:
        if not found:
            yield "no remembered spellings"
            return
        width = max(len(spelling) for spelling, *_ in found)
        for spelling, _, name, code, source in found:
            council = f"[{code}] {name}" if code else name
            yield f"{spelling:<{width}}  -> {council}  ({source or 'no source'})"
        yield f"{len(found)} remembered spelling(s)"

    rows = [[spelling, name, code, source] for spelling, _, name, code, source in found]
    out.listing(Listing(["spelling", "council", "code", "source"], rows, lines=table))


@cases.group("alias")
def alias_group() -> None:
    """Remembered spellings of councils."""


@alias_group.command("remove")
@click.argument("spelling")
@click.pass_context
def alias_remove_command(ctx: click.Context, spelling: str) -> None:
    """Forget a remembered SPELLING, so that it is matched afresh (the register's names stay)."""
    for alias, council in forget_alias(open_project(ctx), spelling):
        click.echo(f"removed spelling {alias!r} (was {council})")
