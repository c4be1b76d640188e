"""Suggest sentences for codes from their keywords; list, review and evaluate the suggestions.

Without a subcommand, matches every code's keywords and phrases (lemmatised, so "adapted" meets
"adapt" and "site visits" meets "site visit") against every sentence and stores new suggestions.
Running again adds only new ones and never reopens a decided one. Suggestions are not codings:
they count nowhere until a coder accepts them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.coders import current_coder
from beacon_qual.cli.output import Listing, Out, marks, one_line, output_options
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.speaker_roles import SPEAKER_CHOICES
from beacon_qual.search import suggest as suggest_svc
from beacon_qual.store import Project
from beacon_qual.store.lookup import resolve_document


@click.group("suggest", invoke_without_command=True, help=__doc__)
@click.option(
    "--codes",
    "codes",
    multiple=True,
    metavar="PATH",
    help="Only this code and the codes below it (repeat for more). Default: every code with keywords.",
)
@click.option(
    "--documents",
    "documents",
    multiple=True,
    metavar="DOC",
    help="Only this document, by id or file name (repeat for more). Default: all.",
)
@click.option(
    "--speaker",
    type=click.Choice(SPEAKER_CHOICES),
    default=None,
    help="Suggest sentences of respondents' turns (the default), the interviewer's, or any.",
)
@click.pass_context
def suggest_group(
    ctx: click.Context, codes: tuple[str, ...], documents: tuple[str, ...], speaker: str | None
) -> None:
    if ctx.invoked_subcommand is not None:
        if codes or documents or speaker:
            raise BeaconError(
                f"--codes, --documents and --speaker before '{ctx.invoked_subcommand}' are not used; put them after it"
            )
        return
    project = open_project()
    code_ids = suggest_svc.select_codes(project, codes) if codes else None
    doc_ids = [resolve_document(project, d) for d in documents] if documents else None
    started = time.perf_counter()
    run = suggest_svc.make_suggestions(
        project, code_ids=code_ids, document_ids=doc_ids, speaker=speaker or "respondent"
    )
    seconds = time.perf_counter() - started
    click.echo(
        f"{run.found:,} sentence-code matches for {run.codes} codes in {run.documents} documents "
        f"({run.sentences:,} sentences, {run.words:,} words, {seconds:.1f} s)"
        + ("" if run.speaker is None else f"; {run.speaker}s' sentences only")
    )
    click.echo(f"{run.added:,} new suggestions, {run.found - run.added:,} already suggested")
    if run.removed:
        click.echo(f"{run.removed:,} open suggestions removed: their documents were revised since")


def _code_filter(project: Project, code: str | None) -> list[int] | None:
    return suggest_svc.select_codes(project, [code]) if code else None


@suggest_group.command("list")
@click.option(
    "--status", type=click.Choice([*suggest_svc.STATUSES, "all"]), default="open", show_default=True
)
@click.option("--document", help="Only this document (id or file name).")
@click.option("--code", help="Only this code and the codes below it.")
@output_options()
def suggest_list(status: str, document: str | None, code: str | None, out: Out) -> None:
    """List suggestions with their sentence and the words that matched."""
    project = open_project()
    found = suggest_svc.list_suggestions(
        project,
        resolve_document(project, document) if document else None,
        None if status == "all" else status,
        code_ids=_code_filter(project, code),
    )
    columns = ["id", "document", "start", "end", "code", "status", "matched", "text"]
    rows = [
        [s.id, s.document, s.start, s.end, s.code, s.status, "; ".join(s.matched), one_line(s.text)]
        for s in found
    ]

    def table() -> Iterator[str]:
        shown = marks()
        for s in found:
            yield f"{s.id:>5}  {s.document} {s.start}-{s.end}  {s.code}  ({s.status})"
            yield f"       {one_line(suggest_svc.mark_words(s.text, s.matched, shown))}"
        yield f"{len(found)} suggestion{'s' if len(found) != 1 else ''}"

    out.listing(Listing(columns, rows, data=[asdict(s) for s in found], lines=table))


KEYS = {"a": "accept", "r": "reject", "s": "skip", "q": "quit"}


PROMPT = "  a accept, r reject, s skip, q quit? "


def _read_choice(interactive: bool) -> str:
    """One of accept/reject/skip/quit: a key press on a terminal, else the first letter of the next input
    line (the end of the input quits)."""
    while True:
        click.echo(PROMPT, nl=False)
        if interactive:
            try:
                key = click.getchar().lower()
            except EOFError:
                key = "q"
        else:
            line = sys.stdin.readline()
            if not line:
                click.echo("quit")
                return "quit"
            key = line.strip()[:1].lower()
        if key in KEYS:
            click.echo(KEYS[key])
            return KEYS[key]
        click.echo(f"{key!r}: press a (accept), r (reject), s (skip) or q (quit)")


@suggest_group.command("review")
@click.option(
    "--coder",
    help="Coder name (default: BEACON_QUAL_CODER, else the coder set with 'beacon-qual coder set').",
)
@click.option("--code", help="Only this code and the codes below it.")
@click.option("--document", help="Only this document (id or file name).")
@click.option("--skipped", is_flag=True, help="Review the skipped suggestions instead of the open ones.")
def suggest_review(coder: str | None, code: str | None, document: str | None, skipped: bool) -> None:
    """Go through suggestions one by one: a accepts (applies the code as your coding), r rejects,
    s skips, q stops. On a terminal one key is enough; piped input gives one line per suggestion.
    """
    project = open_project()
    coder_id = current_coder(project, coder)
    status = "skipped" if skipped else "open"
    document_id = resolve_document(project, document) if document else None
    code_ids = _code_filter(project, code)
    pending = suggest_svc.list_suggestions(project, document_id, status, code_ids=code_ids)
    if not pending:
        click.echo("no suggestions to review")
        return
    interactive = sys.stdin.isatty()
    shown = marks()
    done = {"accept": 0, "reject": 0, "skip": 0}
    for number, item in enumerate(pending, start=1):
        if suggest_svc.get_suggestion(project, item.id).status != status:
            continue  # decided elsewhere (the workbench, another coder) since the list was read
        click.echo(
            f"[{number}/{len(pending)}] {item.document} ({item.council or 'no council'}) "
            f"{item.start}-{item.end}  code: {item.code}"
        )
        click.echo(f"  {one_line(suggest_svc.mark_words(item.text, item.matched, shown))}")
        action = _read_choice(interactive)
        if action == "quit":
            break
        if action == "accept":
            coding = suggest_svc.accept_suggestion(project, item.id, coder_id)
            click.echo(f"  coded (coding {coding.id})")
        elif action == "reject":
            suggest_svc.reject_suggestion(project, item.id, coder_id)
        else:
            suggest_svc.skip_suggestion(project, item.id, coder_id)
        done[action] += 1
    left = len(suggest_svc.list_suggestions(project, document_id, status, code_ids=code_ids))
    click.echo(
        f"accepted {done['accept']}, rejected {done['reject']}, skipped {done['skip']}; {left} {status} left"
    )


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@suggest_group.command("evaluate")
@click.option("--coder", required=True, help="The coder whose codings are the answer key.")
@click.option(
    "--codes",
    "codes",
    multiple=True,
    metavar="PATH",
    help="Only this code and the codes below it (repeat for more).",
)
@output_options()
def suggest_evaluate(coder: str, codes: tuple[str, ...], out: Out) -> None:
    """Precision and recall of the suggestions against one coder's codings, per code and overall.

    Every suggestion counts, whatever its status (open, accepted, rejected, skipped). A suggestion is a
    true positive when the coder has a coding of the same code, in the same document, overlapping its
    sentence; precision = true positives / suggestions. Recall = the share of the coder's codings (of codes
    with keywords) that some suggestion of the same code overlaps. Overall figures sum over all codes.
    """
    project = open_project()
    coder_id = project.coder_id(coder, create=False)
    code_ids = suggest_svc.select_codes(project, codes) if codes else None
    result = suggest_svc.evaluate_suggestions(project, coder_id, code_ids)
    rows = [*result.codes, result.overall]
    columns = ["code", "suggestions", "true_positives", "precision", "codings", "recalled", "recall", "f1"]

    def values(score: suggest_svc.CodeScore) -> list[Any]:
        return [
            score.code,
            score.suggestions,
            score.true_positives,
            score.precision,
            score.codings,
            score.recalled,
            score.recall,
            score.f1,
        ]

    data = {
        "coder": coder,
        "codes": [dict(zip(columns, values(s))) for s in result.codes],
        "overall": dict(zip(columns, values(result.overall))),
    }

    def table() -> Iterator[str]:
        width = max(len(s.code) for s in rows)
        yield (
            f"{'code':<{width}}  {'sugg':>6} {'tp':>6} {'prec':>6}  "
            f"{'codings':>7} {'found':>6} {'recall':>6}  {'f1':>6}"
        )
        for s in rows:
            yield (
                f"{s.code:<{width}}  {s.suggestions:>6} {s.true_positives:>6} {_ratio(s.precision):>6}  "
                f"{s.codings:>7} {s.recalled:>6} {_ratio(s.recall):>6}  {_ratio(s.f1):>6}"
            )

    out.listing(Listing(columns, [values(s) for s in rows], data=data, lines=table))
