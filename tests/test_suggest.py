"""Keyword suggestions: lemma and phrase matching, storing, idempotent re-runs, accept (through the coding
service, audited, undoable), reject and skip, the review command with piped input, suggestions never
counted as codings, and precision and recall against hand-counted codings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from builders import Code, Doc, spec
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.codebook.tree import code_tree
from beacon_qual.coding import codings as coding
from beacon_qual.errors import BeaconError
from beacon_qual.search import suggest as svc
from beacon_qual.store import Project

# Invented test transcripts.
DOC_A = (
    "Interviewer: Did the site visits help you adapt?\n"
    "Respondent: We adapted the toolkit after two site visits. We copied the forms word for word. "
    "Nothing else changed.\n"
)
DOC_B = (
    "Interviewer: What happened next?\n"
    "Respondent: The visit to the site was short. Adapting it took a year. We adopted their rota.\n"
)
KEYWORDS = {
    "Adaptation": ["adapt", "tailored"],
    "Site visit": ["site visit"],
    "Copying": ["copy", "word for word", "adopt"],
}


def span(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


@pytest.fixture
def project(make_project) -> Project:
    return make_project(
        spec(
            documents=[
                Doc(name, text, phase=1, role="officer")
                for name, text in (("a.txt", DOC_A), ("b.txt", DOC_B))
            ],
            codes=[Code("Innovation", codable=False, keywords=("innovation", "adapt"))]
            + [Code(f"Innovation/{name}", keywords=tuple(words)) for name, words in KEYWORDS.items()]
            + [Code("Other")],
        ),
        "suggest.db",
    )


def code_id(project: Project, name: str) -> int:
    return project.scalar("SELECT id FROM codes WHERE name = ?", (name,))


def doc_id(project: Project, name: str) -> int:
    return project.scalar("SELECT id FROM documents WHERE name = ?", (name,))


def stored(project: Project) -> set[tuple[str, str, str, tuple[str, ...]]]:
    """(document, code, sentence, matched) of every stored suggestion."""
    rows = project.execute(
        "SELECT d.name, c.name, substr(d.text, s.start + 1, s.end - s.start), s.matched FROM suggestions s"
        " JOIN documents d ON d.id = s.document_id JOIN codes c ON c.id = s.code_id"
    )
    return {(r[0], r[1], r[2], tuple(json.loads(r[3]))) for r in rows}


EXPECTED = {
    ("a.txt", "Adaptation", "Did the site visits help you adapt?", ("adapt",)),
    ("a.txt", "Site visit", "Did the site visits help you adapt?", ("site visits",)),
    ("a.txt", "Adaptation", "We adapted the toolkit after two site visits.", ("adapted",)),
    ("a.txt", "Site visit", "We adapted the toolkit after two site visits.", ("site visits",)),
    ("a.txt", "Copying", "We copied the forms word for word.", ("copied", "word for word")),
    ("b.txt", "Adaptation", "Adapting it took a year.", ("Adapting",)),
    ("b.txt", "Copying", "We adopted their rota.", ("adopted",)),
}


def suggestion_id(project: Project, document: str, code: str, sentence: str) -> int:
    text = project.scalar("SELECT text FROM documents WHERE name = ?", (document,))
    start, end = span(text, sentence)
    return project.scalar(
        "SELECT id FROM suggestions WHERE document_id = ? AND code_id = ? AND start = ? AND end = ?",
        (doc_id(project, document), code_id(project, code), start, end),
    )


# -- matching ------------------------------------------------------------------------------------------------


def test_lemmas_phrases_and_case() -> None:
    matcher = svc.KeywordMatcher({1: ["adapt"], 2: ["site visit"], 3: ["Learning from others", "know-how"]})
    assert matcher.match("We adapted it.") == (3, {1: ["adapted"]})
    assert matcher.match("Two SITE VISITS, then more site visit notes.")[1] == {
        2: ["SITE VISITS", "site visit"]
    }
    assert matcher.match("We learned from others and shared the know how.")[1] == {
        3: ["learned from others", "know how"]
    }
    assert matcher.match("A visit to the site.")[1] == {}
    assert matcher.match("Adaptation is a noun.")[1] == {}  # a different lemma from "adapt"


def test_longest_phrase_wins_within_one_code() -> None:
    matcher = svc.KeywordMatcher({1: ["visit", "site visit"], 2: ["visit"]})
    assert matcher.match("After the site visit we talked.")[1] == {1: ["site visit"], 2: ["visit"]}


def test_mark_words() -> None:
    assert svc.mark_words("We adapted the site visits plan.", ["site visits", "adapted"]) == (
        "We [adapted] the [site visits] plan."
    )


# -- storing -------------------------------------------------------------------------------------------------


def test_suggestions_are_stored_per_sentence_and_code(project: Project) -> None:
    run = svc.make_suggestions(project, speaker=None)
    assert stored(project) == EXPECTED
    assert (run.codes, run.documents, run.found, run.added) == (3, 2, 7, 7)
    assert run.sentences == project.scalar("SELECT count(*) FROM units WHERE kind = 'sentence'") == 8
    assert run.words == len((DOC_A + DOC_B).replace("Interviewer:", "").replace("Respondent:", "").split())
    assert project.scalar("SELECT count(*) FROM suggestions WHERE status = 'open'") == 7
    assert project.scalar("SELECT count(*) FROM audit WHERE action = 'suggest.run'") == 1


def test_narrowed_by_code_and_document(project: Project) -> None:
    run = svc.make_suggestions(
        project,
        code_ids=svc.select_codes(project, ["Adaptation"]),
        document_ids=[doc_id(project, "a.txt")],
        speaker=None,
    )
    assert run.added == 2
    assert {(d, c) for d, c, _, _ in stored(project)} == {("a.txt", "Adaptation")}
    assert sorted(svc.select_codes(project, ["Innovation"])) == sorted(code_id(project, n) for n in KEYWORDS)
    with pytest.raises(BeaconError, match="has no keywords"):
        svc.select_codes(project, ["Other"])


def test_rerun_adds_only_new_and_keeps_decisions(project: Project) -> None:
    svc.make_suggestions(project, speaker=None)
    ann = project.coder_id("ann")
    rejected = suggestion_id(project, "b.txt", "Copying", "We adopted their rota.")
    svc.reject_suggestion(project, rejected, ann)
    again = svc.make_suggestions(project, speaker=None)
    assert (again.found, again.added) == (7, 0)
    assert project.scalar("SELECT status FROM suggestions WHERE id = ?", (rejected,)) == "rejected"
    with project.transaction():
        project.execute(
            "UPDATE codes SET keywords = ? WHERE name = 'Site visit'",
            (json.dumps(["site visit", "nothing"]),),
        )
    third = svc.make_suggestions(project, speaker=None)
    assert (third.found, third.added) == (8, 1)
    assert ("a.txt", "Site visit", "Nothing else changed.", ("Nothing",)) in stored(project)
    assert project.scalar("SELECT count(*) FROM suggestions") == 8


def test_bad_keywords_are_reported(project: Project) -> None:
    with project.transaction():
        project.execute("UPDATE codes SET keywords = 'adapt, tailor' WHERE name = 'Adaptation'")
    with pytest.raises(BeaconError, match="'Adaptation' has keywords that are not a JSON list"):
        svc.make_suggestions(project, speaker=None)
    assert project.scalar("SELECT count(*) FROM suggestions") == 0


def test_suggestions_are_not_codings(project: Project) -> None:
    svc.make_suggestions(project, speaker=None)
    assert project.scalar("SELECT count(*) FROM codings") == 0
    assert all(node.total == 0 for node in code_tree(project))


# -- deciding ------------------------------------------------------------------------------------------------


def test_accept_makes_an_audited_undoable_coding(project: Project) -> None:
    svc.make_suggestions(project, speaker=None)
    ann = project.coder_id("ann")
    sid = suggestion_id(project, "a.txt", "Adaptation", "We adapted the toolkit after two site visits.")
    made = svc.accept_suggestion(project, sid, ann)
    start, end = span(DOC_A, "We adapted the toolkit after two site visits.")
    assert (made.document_id, made.code_id, made.coder_id, made.start, made.end) == (
        doc_id(project, "a.txt"),
        code_id(project, "Adaptation"),
        ann,
        start,
        end,
    )
    assert coding.document_codings(project, doc_id(project, "a.txt")) == [made]
    actions = [
        r[0] for r in project.execute("SELECT action FROM audit WHERE coder_id = ? ORDER BY id", (ann,))
    ]
    assert actions == ["coding.add", "suggestion.accept"]
    accepted = svc.get_suggestion(project, sid)
    assert (accepted.status, accepted.decided_by, accepted.coding_id) == ("accepted", ann, made.id)
    assert sid not in [s.id for s in svc.list_suggestions(project)]

    step = coding.undo(project, ann)
    assert step is not None and step.action == "coding.add"
    assert project.scalar("SELECT count(*) FROM codings") == 0
    reopened = svc.get_suggestion(project, sid)
    assert (reopened.status, reopened.decided_by) == ("open", None)

    coding.redo(project, ann)
    assert svc.get_suggestion(project, sid).status == "accepted"
    assert project.scalar("SELECT count(*) FROM codings") == 1


def test_undoing_a_change_to_an_accepted_coding_keeps_the_suggestion_accepted(project: Project) -> None:
    # Undo writes a coding's earlier state back over the row (INSERT OR REPLACE, which runs no delete
    # trigger): the suggestion must follow the coding's life, not the way its row was written.
    svc.make_suggestions(project, speaker=None)
    ann = project.coder_id("ann")
    sid = suggestion_id(project, "a.txt", "Adaptation", "We adapted the toolkit after two site visits.")
    made = svc.accept_suggestion(project, sid, ann)
    coding.resize(project, made.id, made.start, made.end - 1, coder_id=ann)
    coding.set_coding_memo(project, made.id, "tailored, not copied", coder_id=ann)
    assert coding.undo(project, ann).action == "coding.update"
    assert coding.undo(project, ann).action == "coding.update"
    assert coding.get_coding(project, made.id) == made
    assert (svc.get_suggestion(project, sid).status, svc.get_suggestion(project, sid).coding_id) == (
        "accepted",
        made.id,
    )
    coding.remove_coding(project, made.id, coder_id=ann)
    assert svc.get_suggestion(project, sid).status == "open"
    assert coding.undo(project, ann).action == "coding.remove"
    assert svc.get_suggestion(project, sid).status == "accepted"


def test_accepting_twice_or_an_existing_coding(project: Project) -> None:
    svc.make_suggestions(project, speaker=None)
    ann = project.coder_id("ann")
    sid = suggestion_id(project, "b.txt", "Copying", "We adopted their rota.")
    start, end = span(DOC_B, "We adopted their rota.")
    existing = coding.add_coding(
        project,
        document_id=doc_id(project, "b.txt"),
        code_id=code_id(project, "Copying"),
        coder_id=ann,
        start=start,
        end=end,
    )
    assert svc.accept_suggestion(project, sid, ann) == existing
    assert project.scalar("SELECT count(*) FROM codings") == 1
    with pytest.raises(BeaconError, match="already accepted"):
        svc.accept_suggestion(project, sid, ann)
    with pytest.raises(BeaconError, match="already accepted"):
        svc.reject_suggestion(project, sid, ann)


def test_reject_and_skip(project: Project) -> None:
    svc.make_suggestions(project, speaker=None)
    ann = project.coder_id("ann")
    first = suggestion_id(project, "a.txt", "Site visit", "Did the site visits help you adapt?")
    second = suggestion_id(project, "a.txt", "Copying", "We copied the forms word for word.")
    rejected = svc.reject_suggestion(project, first, ann)
    skipped = svc.skip_suggestion(project, second, ann)
    assert (rejected.status, rejected.decided_by, skipped.status) == ("rejected", ann, "skipped")
    assert rejected.decided_at is not None and rejected.coding_id is None
    assert {s.id for s in svc.list_suggestions(project)} == {
        suggestion_id(project, d, c, t) for d, c, t, _ in EXPECTED
    } - {first, second}
    assert [s.id for s in svc.list_suggestions(project, status="skipped")] == [second]
    assert len(svc.list_suggestions(project, status=None)) == 7
    assert project.scalar("SELECT count(*) FROM codings") == 0
    assert svc.accept_suggestion(project, second, ann).code_id == code_id(project, "Copying")
    with pytest.raises(BeaconError, match="no suggestion with id 999"):
        svc.skip_suggestion(project, 999, ann)
    with pytest.raises(BeaconError, match="status is one of"):
        svc.list_suggestions(project, status="maybe")


def test_list_for_one_document(project: Project) -> None:
    svc.make_suggestions(project, speaker=None)
    listed = svc.list_suggestions(project, document_id=doc_id(project, "b.txt"))
    assert [(s.code, s.text, s.matched) for s in listed] == [
        ("Innovation/Adaptation", "Adapting it took a year.", ("Adapting",)),
        ("Innovation/Copying", "We adopted their rota.", ("adopted",)),
    ]
    assert all(DOC_B[s.start : s.end] == s.text for s in listed)


# -- evaluating ----------------------------------------------------------------------------------------------


def add(
    project: Project, coder: str, document: str, code: str, text: str, start_words: str, end_words: str
) -> None:
    start = text.index(start_words)
    end = text.index(end_words) + len(end_words)
    coding.add_coding(
        project,
        document_id=doc_id(project, document),
        code_id=code_id(project, code),
        coder_id=project.coder_id(coder),
        start=start,
        end=end,
    )


@pytest.fixture
def coded(project: Project) -> Project:
    svc.make_suggestions(project, speaker=None)
    add(project, "ann", "a.txt", "Adaptation", DOC_A, "adapted the", "toolkit")  # hits a suggestion
    add(
        project, "ann", "b.txt", "Adaptation", DOC_B, "Adapting", "We adopted"
    )  # hits one, spans two sentences
    # No Adaptation suggestion there: it starts where the suggested sentence "We adapted ... visits." ends.
    add(project, "ann", "a.txt", "Adaptation", DOC_A, " We copied", "forms")
    # Copying was not suggested there; the coding ends where the Copying suggestion "We copied ..." starts.
    add(project, "ann", "a.txt", "Copying", DOC_A, "We adapted", "visits. ")
    add(project, "ann", "b.txt", "Copying", DOC_B, "adopted", "rota")  # hits a suggestion
    add(project, "ann", "a.txt", "Other", DOC_A, "We copied", "word.")  # a code without keywords
    add(project, "bob", "a.txt", "Adaptation", DOC_A, "Did the", "adapt?")  # another coder
    return project


def test_evaluate_against_hand_counts(coded: Project) -> None:
    result = svc.evaluate_suggestions(coded, coded.coder_id("ann"))
    by_code = {s.code: s for s in result.codes}
    adaptation = by_code["Innovation/Adaptation"]
    assert (adaptation.suggestions, adaptation.true_positives, adaptation.codings, adaptation.recalled) == (
        3,
        2,
        3,
        2,
    )
    assert adaptation.precision == pytest.approx(2 / 3) and adaptation.recall == pytest.approx(2 / 3)
    visits = by_code["Innovation/Site visit"]
    assert (visits.suggestions, visits.true_positives, visits.precision, visits.recall) == (2, 0, 0.0, None)
    copying = by_code["Innovation/Copying"]
    assert (copying.precision, copying.recall) == (0.5, 0.5)
    assert "Other" not in by_code
    overall = result.overall
    assert (overall.suggestions, overall.true_positives, overall.codings, overall.recalled) == (7, 3, 5, 3)
    assert overall.precision == pytest.approx(3 / 7)
    assert overall.recall == pytest.approx(3 / 5)
    assert overall.f1 == pytest.approx(0.5)


def test_evaluate_counts_every_status_and_one_code(coded: Project) -> None:
    ann = coded.coder_id("ann")
    svc.reject_suggestion(coded, suggestion_id(coded, "b.txt", "Adaptation", "Adapting it took a year."), ann)
    result = svc.evaluate_suggestions(coded, ann, svc.select_codes(coded, ["Adaptation"]))
    assert [s.code for s in result.codes] == ["Innovation/Adaptation"]
    assert (result.overall.suggestions, result.overall.true_positives, result.overall.recalled) == (3, 2, 2)
    bob = svc.evaluate_suggestions(coded, coded.coder_id("bob")).overall
    assert (bob.true_positives, bob.codings, bob.recalled) == (1, 1, 1)


# -- command line --------------------------------------------------------------------------------------------


def run(project: Project, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--project", str(project.path), *args], input=stdin)


def test_cli_makes_suggestions(project: Project) -> None:
    result = run(project, "suggest", "--speaker", "any", "--codes", "Copying", "--documents", "b.txt")
    assert result.exit_code == 0, result.output
    assert "1 new suggestions, 0 already suggested" in result.output
    result = run(project, "suggest", "--speaker", "any")
    assert "7 sentence-code matches for 3 codes in 2 documents" in result.output
    assert "6 new suggestions, 1 already suggested" in result.output
    result = run(project, "suggest", "--speaker", "any", "--codes", "Other")
    assert result.exit_code == 1
    assert result.output.startswith("error: code 'Other' has no keywords")


def test_cli_review_with_piped_answers(project: Project) -> None:
    svc.make_suggestions(project, speaker=None)
    result = run(
        project, "suggest", "review", "--coder", "ann", "--code", "Adaptation", stdin="a\nr\nzz\ns\n"
    )
    assert result.exit_code == 0, result.output
    assert "[1/3] a.txt" in result.output
    assert "Did the site visits help you [adapt]?" in result.output
    assert "'z': press a (accept), r (reject), s (skip) or q (quit)" in result.output
    assert result.output.rstrip().endswith("accepted 1, rejected 1, skipped 1; 0 open left")
    statuses = {
        s.text: s.status
        for s in svc.list_suggestions(project, status=None, code_ids=[code_id(project, "Adaptation")])
    }
    assert statuses == {
        "Did the site visits help you adapt?": "accepted",
        "We adapted the toolkit after two site visits.": "rejected",
        "Adapting it took a year.": "skipped",
    }
    assert project.scalar("SELECT count(*) FROM codings WHERE coder_id = ?", (project.coder_id("ann"),)) == 1


def test_cli_review_stops_on_q_and_at_end_of_input(project: Project) -> None:
    svc.make_suggestions(project, speaker=None)
    result = run(project, "suggest", "review", "--coder", "ann", stdin="s\nq\na\n")
    assert result.output.rstrip().endswith("accepted 0, rejected 0, skipped 1; 6 open left")
    result = run(project, "suggest", "review", "--coder", "ann", stdin="")
    assert result.output.rstrip().endswith("accepted 0, rejected 0, skipped 0; 6 open left")
    assert project.scalar("SELECT count(*) FROM codings") == 0
    result = run(project, "suggest", "review", "--coder", "ann", "--skipped", stdin="r\n")
    assert result.output.rstrip().endswith("accepted 0, rejected 1, skipped 0; 0 skipped left")


def test_cli_evaluate_csv(coded: Project) -> None:
    result = run(coded, "suggest", "evaluate", "--coder", "ann", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert rows["Innovation/Adaptation"]["precision"] == str(2 / 3)
    assert (rows["all codes"]["suggestions"], rows["all codes"]["true_positives"]) == ("7", "3")
    assert (rows["all codes"]["codings"], rows["all codes"]["recalled"], rows["all codes"]["f1"]) == (
        "5",
        "3",
        "0.5",
    )
    result = run(coded, "suggest", "evaluate", "--help")
    assert "whatever its status" in result.output
    result = run(coded, "suggest", "evaluate", "--coder", "nobody")
    assert result.exit_code == 1 and result.output.startswith("error: no coder called 'nobody'")


def test_revised_text_outdates_suggestions(project: Project, tmp_path: Path) -> None:
    from beacon_qual.documents.revise import revise_document

    svc.make_suggestions(project, speaker=None)
    ann = project.coder_id("ann")
    old_open = suggestion_id(project, "b.txt", "Adaptation", "Adapting it took a year.")
    rejected = suggestion_id(project, "b.txt", "Copying", "We adopted their rota.")
    svc.reject_suggestion(project, rejected, ann)
    revised = "Interviewer: So, what happened next?\n\nRespondent: Adapting it took a year. We adopted their rota.\n"
    (tmp_path / "b.txt").write_text(revised, encoding="utf-8")
    revise_document(project, "b.txt", tmp_path / "b.txt")

    assert svc.list_suggestions(project, doc_id(project, "b.txt"), status=None) == []
    with pytest.raises(BeaconError, match="out of date"):
        svc.accept_suggestion(project, old_open, ann)
    run = svc.make_suggestions(project, speaker=None)
    assert (run.removed, run.added) == (1, 2)
    assert project.scalar("SELECT status FROM suggestions WHERE id = ?", (rejected,)) == "rejected"
    fresh = svc.list_suggestions(project, doc_id(project, "b.txt"))
    assert [(s.code, s.text) for s in fresh] == [
        ("Innovation/Adaptation", "Adapting it took a year."),
        ("Innovation/Copying", "We adopted their rota."),
    ]
    assert all(revised[s.start : s.end] == s.text for s in fresh)
    assert svc.evaluate_suggestions(project, ann).overall.suggestions == 7
