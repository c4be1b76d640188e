"""Find sentences in the transcripts, in document order or by relevance.

QUERY uses full-text syntax: words (stemmed, so "learned" finds "learning"), "exact phrases",
AND, OR, NOT (lower case works too), NEAR(word word, 10) and prefix*. Each hit shows its document,
council, phase, role and the offsets of its sentence.

Hits come in document order by default: document by document in the order they were imported (their
id in 'docs list'), and within a document from start to end, as NVivo, ATLAS.ti and MAXQDA list them.
--order relevance puts the best matches first (bm25, with a score), which takes longer on common words.
Only the first --limit hits are shown, with the matched words marked; the last line tells how many
sentences match in all (with a filter, counting stops past 1,000), how many are shown and in which
order (CSV: on standard error; JSON: "total" and "total_exact").

--apply-code CODE codes every matching sentence at once (with the filters above; --speaker respondent
keeps to respondents' turns): it lists them all, says how many are new, asks, then writes them in one
go. Sentences that already have CODE from you are left alone. 'coding undo' takes back one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.coders import current_coder
from beacon_qual.cli.output import Listing, Out, marks, one_line, output_options
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.speaker_roles import SPEAKER_CHOICES
from beacon_qual.search import fulltext as search_svc
from beacon_qual.store import Project


@click.command("search", help=__doc__)
@click.argument("query")
@click.option("--council", help="Only this council (name, code or any known spelling).")
@click.option("--phase", type=int, help="Only this study phase.")
@click.option("--role", help="Only this respondent role (e.g. officer, 'elected member', partner).")
@click.option("--code", help="Only sentences overlapping a coding of this code (or of a code below it).")
@click.option(
    "--speaker",
    type=click.Choice(SPEAKER_CHOICES),
    default="any",
    show_default=True,
    help="Only sentences in respondents' or the interviewer's turns (see 'docs speakers').",
)
@click.option(
    "--order",
    type=click.Choice(search_svc.ORDERS),
    default="document",
    show_default=True,
    help="document: document by document in import order, each from start to end; relevance: best first (bm25).",
)
@click.option("--limit", type=int, default=50, show_default=True, help="Most hits to show.")
@output_options()
@click.option(
    "--apply-code",
    "apply_code",
    metavar="CODE",
    help="Code every matching sentence with CODE (path, name or id), after listing them all and asking.",
)
@click.option("--yes", is_flag=True, help="With --apply-code: do not ask (for scripts).")
@click.option("--coder", help="With --apply-code: the coder (default: BEACON_QUAL_CODER, else 'coder set').")
def search_cmd(
    query: str,
    council: str | None,
    phase: int | None,
    role: str | None,
    code: str | None,
    speaker: str,
    order: str,
    limit: int,
    out: Out,
    apply_code: str | None,
    yes: bool,
    coder: str | None,
) -> None:
    project = open_project()
    fmt = out.fmt
    if apply_code is not None:
        if out.target is not None:
            raise BeaconError("--apply-code lists every hit on the screen; leave out --output")
        if fmt != "table" or order != "document":
            raise BeaconError(
                "--apply-code lists every hit in document order; leave out --format and --order"
            )
        _apply_to_hits(project, query, apply_code, yes, coder, council, phase, role, code, speaker)
        return
    if yes or coder:
        raise BeaconError("--yes and --coder go with --apply-code")
    shown = marks() if fmt == "table" and out.target is None else search_svc.MARKS
    hits = search_svc.search(
        project,
        query,
        council=council,
        phase=phase,
        role=role,
        code=code,
        speaker=speaker,
        limit=limit,
        order=order,
        marks=shown,
    )
    columns = ["document_id", "document", "council", "phase", "role", "start", "end", "score", "snippet"]
    data = {
        "query": query,
        "order": order,
        "total": hits.total,
        "total_exact": hits.total_exact,
        "hits": [asdict(h) for h in hits],
    }
    rows = [[getattr(h, c) for c in columns] for h in hits]
    out.listing(Listing(columns, rows, data=data, lines=lambda: _hit_lines(hits, limit)))
    if fmt in ("csv", "markdown"):
        click.echo(_summary(hits, limit), err=True)


def _apply_to_hits(
    project: Project,
    query: str,
    code_ref: str,
    yes: bool,
    coder: str | None,
    council: str | None,
    phase: int | None,
    role: str | None,
    code: str | None,
    speaker: str,
) -> None:
    from beacon_qual.codebook.tree import resolve_code
    from beacon_qual.search import code_hits
    from beacon_qual.store.lookup import code_name_and_codable

    code_id = resolve_code(project, code_ref)
    name, codable = code_name_and_codable(project, code_id)
    if not codable:
        raise BeaconError(f"{name} is a group code and cannot be applied")
    coder_id = current_coder(project, coder)
    hits = code_hits.all_hits(
        project, query, council=council, phase=phase, role=role, code=code, speaker=speaker, marks=marks()
    )
    if not hits:
        raise BeaconError(f"nothing matches {query!r}; nothing coded")
    todo = code_hits.plan(project, hits, code_id, coder_id)
    for number, hit in enumerate(hits, start=1):
        mark = "=" if hit in todo.already else "+"
        click.echo(
            f"{mark}{number:>3}. {hit.document} | {hit.council or 'no council'} | {hit.start}-{hit.end}"
        )
        click.echo(f"      {one_line(hit.snippet)}")
    click.echo(
        f"{len(todo.new)} sentences in {todo.documents} documents to code as {name}"
        + (f"; {len(todo.already)} have it already (=)" if todo.already else "")
    )
    if not todo.new:
        click.echo("nothing to code")
        return
    if not yes and not click.confirm(f"Code these {len(todo.new)} sentences as {name}?", default=False):
        click.echo("nothing coded")
        return
    added = code_hits.apply(project, todo, code_id, coder_id)
    click.echo(f"coded {len(added)} sentences as {name}")


def _summary(hits: search_svc.Hits, limit: int) -> str:
    """How many sentences match, how many are shown and in which order."""
    if not hits.total_exact:
        matching = f"more than {hits.total:,} sentences match"
    else:
        matching = f"{hits.total:,} sentences match" if hits.total != 1 else "1 sentence matches"
    if hits.total == 0:
        return "no matches"
    order = (
        "in document order (document by document, each from start to end)"
        if hits.order == "document"
        else "best first (relevance)"
    )
    if len(hits) == hits.total:
        return f"{matching}, all shown {order}"
    return f"{matching}; the first {len(hits):,} (--limit {limit}) are shown, {order}"


def _hit_lines(hits: search_svc.Hits, limit: int) -> Iterator[str]:
    for number, hit in enumerate(hits, start=1):
        where = " | ".join(
            part
            for part in (
                hit.document,
                hit.council or "no council",
                f"phase {hit.phase}" if hit.phase is not None else "",
                hit.role or "",
                f"{hit.start}-{hit.end}",
                f"score {hit.score:.2f}" if hit.score is not None else "",
            )
            if part
        )
        yield f"{number:>3}. {where}"
        yield f"     {one_line(hit.snippet)}"
    yield _summary(hits, limit)
