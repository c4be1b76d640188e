"""Commands: search, reindex, suggest (make), suggest list|review|evaluate."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from dataclasses import asdict
from typing import Any

import click

from beacon_qual.cli.base import main, open_project
from beacon_qual.cli.coding_cmds import current_coder
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.speaker_roles import SPEAKER_CHOICES
from beacon_qual.search import fulltext as search_svc
from beacon_qual.search import suggest as suggest_svc
from beacon_qual.store import Project
from beacon_qual.store.lookup import resolve_document
from beacon_qual.text.csvsafe import safe_cell
from beacon_qual.text.terminal import HIGHLIGHT

FORMATS = click.Choice(["table", "csv", "json"])
TTY_MARKS = HIGHLIGHT  # drawn as bold colour by the output stream (beacon_qual.text.terminal)


def _marks() -> tuple[str, str]:
    """Bold colour on a terminal, [brackets] when piped or when NO_COLOR is set."""
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return TTY_MARKS
    return search_svc.MARKS


def _write_csv(columns: list[str], rows: list[list[Any]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[safe_cell(v) for v in row] for row in rows])
    click.echo(out.getvalue(), nl=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- search ---------------------------------------------------------------------------------------------


@main.command("search")
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
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
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
    fmt: str,
    apply_code: str | None,
    yes: bool,
    coder: str | None,
) -> None:
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
    project = open_project()
    if apply_code is not None:
        if fmt != "table" or order != "document":
            raise BeaconError(
                "--apply-code lists every hit in document order; leave out --format and --order"
            )
        _apply_to_hits(project, query, apply_code, yes, coder, council, phase, role, code, speaker)
        return
    if yes or coder:
        raise BeaconError("--yes and --coder go with --apply-code")
    marks = _marks() if fmt == "table" else search_svc.MARKS
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
        marks=marks,
    )
    if fmt == "json":
        result = {
            "query": query,
            "order": order,
            "total": hits.total,
            "total_exact": hits.total_exact,
            "hits": [asdict(h) for h in hits],
        }
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        columns = ["document_id", "document", "council", "phase", "role", "start", "end", "score", "snippet"]
        _write_csv(columns, [[getattr(h, c) for c in columns] for h in hits])
        click.echo(_summary(hits, limit), err=True)
    else:
        _print_hits(hits, limit)


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

    code_id = resolve_code(project, code_ref)
    name = project.scalar("SELECT name FROM codes WHERE id = ?", (code_id,))
    if not project.scalar("SELECT codable FROM codes WHERE id = ?", (code_id,)):
        raise BeaconError(f"{name} is a group code and cannot be applied")
    coder_id = current_coder(project, coder)
    hits = code_hits.all_hits(
        project, query, council=council, phase=phase, role=role, code=code, speaker=speaker, marks=_marks()
    )
    if not hits:
        raise BeaconError(f"nothing matches {query!r}; nothing coded")
    todo = code_hits.plan(project, hits, code_id, coder_id)
    for number, hit in enumerate(hits, start=1):
        mark = "=" if hit in todo.already else "+"
        click.echo(
            f"{mark}{number:>3}. {hit.document} | {hit.council or 'no council'} | {hit.start}-{hit.end}"
        )
        click.echo(f"      {_one_line(hit.snippet)}")
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


def _print_hits(hits: search_svc.Hits, limit: int) -> None:
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
        click.echo(f"{number:>3}. {where}")
        click.echo(f"     {_one_line(hit.snippet)}")
    click.echo(_summary(hits, limit))


@main.command("reindex")
def reindex_cmd() -> None:
    """Rebuild the full-text search index, each coding's sentences and turns, and the counts of codings."""
    from beacon_qual.store.placement import rebuild_counts, rebuild_placement

    project = open_project()
    click.echo(f"indexed {search_svc.rebuild_index(project):,} sentences")
    click.echo(f"placed {rebuild_placement(project):,} codings in their sentences and turns")
    click.echo(f"counted codings for {rebuild_counts(project):,} (code, document, coder) combinations")


# -- suggest --------------------------------------------------------------------------------------------


@main.group("suggest", invoke_without_command=True)
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
    """Suggest sentences for codes from their keywords; list, review and evaluate the suggestions.

    Without a subcommand, matches every code's keywords and phrases (lemmatised, so "adapted" meets
    "adapt" and "site visits" meets "site visit") against every sentence and stores new suggestions.
    Running again adds only new ones and never reopens a decided one. Suggestions are not codings:
    they count nowhere until a coder accepts them.
    """
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
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def suggest_list(status: str, document: str | None, code: str | None, fmt: str) -> None:
    """List suggestions with their sentence and the words that matched."""
    project = open_project()
    found = suggest_svc.list_suggestions(
        project,
        resolve_document(project, document) if document else None,
        None if status == "all" else status,
        code_ids=_code_filter(project, code),
    )
    columns = ["id", "document", "start", "end", "code", "status", "matched", "text"]
    if fmt == "json":
        click.echo(json.dumps([asdict(s) for s in found], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        _write_csv(
            columns,
            [
                [s.id, s.document, s.start, s.end, s.code, s.status, "; ".join(s.matched), _one_line(s.text)]
                for s in found
            ],
        )
    else:
        marks = _marks()
        for s in found:
            click.echo(f"{s.id:>5}  {s.document} {s.start}-{s.end}  {s.code}  ({s.status})")
            click.echo(f"       {_one_line(suggest_svc.mark_words(s.text, s.matched, marks))}")
        click.echo(f"{len(found)} suggestion{'s' if len(found) != 1 else ''}")


# -- review ---------------------------------------------------------------------------------------------

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
    marks = _marks()
    done = {"accept": 0, "reject": 0, "skip": 0}
    for number, item in enumerate(pending, start=1):
        if suggest_svc.get_suggestion(project, item.id).status != status:
            continue  # decided elsewhere (the workbench, another coder) since the list was read
        click.echo(
            f"[{number}/{len(pending)}] {item.document} ({item.council or 'no council'}) "
            f"{item.start}-{item.end}  code: {item.code}"
        )
        click.echo(f"  {_one_line(suggest_svc.mark_words(item.text, item.matched, marks))}")
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


# -- evaluate -------------------------------------------------------------------------------------------


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
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def suggest_evaluate(coder: str, codes: tuple[str, ...], fmt: str) -> None:
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

    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "coder": coder,
                    "codes": [dict(zip(columns, values(s))) for s in result.codes],
                    "overall": dict(zip(columns, values(result.overall))),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    elif fmt == "csv":
        _write_csv(columns, [values(s) for s in rows])
    else:
        width = max(len(s.code) for s in rows)
        click.echo(
            f"{'code':<{width}}  {'sugg':>6} {'tp':>6} {'prec':>6}  "
            f"{'codings':>7} {'found':>6} {'recall':>6}  {'f1':>6}"
        )
        for s in rows:
            click.echo(
                f"{s.code:<{width}}  {s.suggestions:>6} {s.true_positives:>6} {_ratio(s.precision):>6}  "
                f"{s.codings:>7} {s.recalled:>6} {_ratio(s.recall):>6}  {_ratio(s.f1):>6}"
            )
