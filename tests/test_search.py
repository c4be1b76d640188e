"""Full-text search: stemming, phrases, operators, filters, snippets and offsets, an index kept in step with
imports and unit changes, the V3 migration, and one-line errors for queries the index cannot read."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from beacon_qual.cases.councils import seed_cases
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.importer import import_paths
from beacon_qual.search import fulltext as svc
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store.db import _split_sql
from beacon_qual.store.schema import MIGRATIONS

# Invented test transcripts: the councils are real, the people and words are not.
HULL = """---
council: Kingston upon Hull City Council
phase: 1
role: officer
---
Interviewer: What did you take from the open days?

Respondent: We were learning all the time. The site visits to Kent helped most. We copied their forms at first.

Interviewer: And later?

Respondent: Later we adapted the forms to our estates. Our director learns fast and learned to trust the wardens.
"""

CAMDEN = """---
council: Camden
phase: 2
role: elected member
---
Interviewer: Did members see the site visit as useful?

Respondent: A visit to the site of the scheme was the turning point. We did not copy anything word for word.

Interviewer: What got in the way?

Respondent: Budget pressure got in the way of learning. Members adapted slowly but the cabinet backed it.
"""

DURHAM = """---
council: Durham County Council
phase: 2
role: partner
---
Interviewer: How did the partnership work with the council?

Respondent: The partnership shared learning across the county. We went on a study visit to Sunderland.
"""


def sentence_of(text: str, words: str) -> tuple[int, int]:
    """The offsets of the sentence holding ``words`` (test texts end sentences with . or ?)."""
    at = text.index(words)
    start = max(text.rfind(". ", 0, at), text.rfind("? ", 0, at), text.rfind(": ", 0, at)) + 2
    end = min(i for i in (text.find(".", at), text.find("?", at)) if i != -1) + 1
    return start, end


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(make_project) -> Project:
    return make_project(
        councils="register", transcripts=[("hull.md", HULL), ("camden.md", CAMDEN)], name="search.db"
    )


def doc(project: Project, name: str) -> tuple[int, str]:
    row = project.one("SELECT id, text FROM documents WHERE name = ?", (name,))
    return row["id"], row["text"]


def located(project: Project, hits: list[svc.Hit]) -> set[tuple[str, str]]:
    """(document, sentence text) of each hit, read back through its offsets."""
    out = set()
    for hit in hits:
        _, text = doc(project, hit.document)
        out.add((hit.document, text[hit.start : hit.end]))
    return out


def sentences(project: Project, *pairs: tuple[str, str]) -> set[tuple[str, str]]:
    out = set()
    for name, words in pairs:
        _, text = doc(project, name)
        start, end = sentence_of(text, words)
        out.add((name, text[start:end]))
    return out


# -- matching -----------------------------------------------------------------------------------------------


def test_stemming_matches_every_form_of_a_word(project: Project) -> None:
    expected = sentences(
        project,
        ("hull.md", "We were learning"),
        ("hull.md", "learns fast"),
        ("camden.md", "way of learning"),
    )
    for query in ("learned", "learning", "learns", "LEARN"):
        assert located(project, svc.search(project, query)) == expected, query


def test_phrase_matches_words_in_a_row_only(project: Project) -> None:
    hits = svc.search(project, '"site visit"')
    assert located(project, hits) == sentences(
        project, ("hull.md", "The site visits"), ("camden.md", "see the site visit")
    )
    # "A visit to the site of the scheme" has both words, not in a row.
    both = svc.search(project, "site AND visit")
    assert len(both) == 3


def test_and_or_not_near(project: Project) -> None:
    assert located(project, svc.search(project, "copied AND forms")) == sentences(
        project, ("hull.md", "We copied")
    )
    assert located(project, svc.search(project, "forms OR budget")) == sentences(
        project, ("hull.md", "We copied"), ("hull.md", "Later we adapted"), ("camden.md", "Budget pressure")
    )
    assert located(project, svc.search(project, "adapted NOT forms")) == sentences(
        project, ("camden.md", "Members adapted")
    )
    assert located(project, svc.search(project, "NEAR(visit scheme, 5)")) == sentences(
        project, ("camden.md", "A visit to the site")
    )
    assert svc.search(project, "NEAR(visit scheme, 4)") == []  # five words lie between them


def test_lowercase_operators_outside_quotes(project: Project) -> None:
    assert svc.normalise_query('copied and forms or "learn and adapt" not x') == (
        'copied AND forms OR "learn and adapt" NOT x'
    )
    assert svc.normalise_query("near(a b, 3) nearly") == "NEAR(a b, 3) nearly"
    assert located(project, svc.search(project, "adapted not forms")) == located(
        project, svc.search(project, "adapted NOT forms")
    )
    assert located(project, svc.search(project, "near(visit scheme, 5)")) == sentences(
        project, ("camden.md", "A visit to the site")
    )


def test_relevance_order_puts_the_denser_match_first(project: Project) -> None:
    hits = svc.search(project, "forms OR copied", order="relevance")
    _, text = doc(project, "hull.md")
    assert text[hits[0].start : hits[0].end] == "We copied their forms at first."
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert (hits.order, hits.total) == ("relevance", 3)  # Camden's "copy" too
    [best] = svc.search(project, "forms OR copied", limit=1, order="relevance")
    assert text[best.start : best.end] == "We copied their forms at first."
    # Document order: the sentence that comes first in the transcript comes first, and no score is computed.
    in_text = svc.search(project, "forms OR copied")
    _, camden = doc(project, "camden.md")
    assert [
        (h.document, (text if h.document == "hull.md" else camden)[h.start : h.end]) for h in in_text
    ] == [
        ("camden.md", "We did not copy anything word for word."),  # Camden was imported first
        ("hull.md", "We copied their forms at first."),
        ("hull.md", "Later we adapted the forms to our estates."),
    ]
    assert [h.score for h in in_text] == [None, None, None]
    with pytest.raises(BeaconError, match="unknown order 'best'"):
        svc.search(project, "forms", order="best")


# -- document order ------------------------------------------------------------------------------------------

# Every strategy the document order can take: (NARROW, SPREAD, FEW) that make a filter count as narrow or not,
# the matches as far apart or not, and as few or not (the last two sort all matches at once).
STRATEGIES = [(20, 3, 20), (20, 3, 0), (20, 0, 0), (20, 10**9, 0), (1, 3, 0)]


def in_document_order(project: Project, query: str, **filters) -> list[tuple[int, int]]:
    """(document id, start) of every match, sorted, worked out the slow way: every match of the index,
    each checked against the filters in Python."""
    rows = project.execute(
        "SELECT u.document_id, u.start, u.end, d.phase, d.role FROM unit_fts JOIN units u ON u.id = unit_fts.rowid"
        " JOIN documents d ON d.id = u.document_id WHERE unit_fts MATCH ?",
        (query,),
    ).fetchall()
    keep = [
        r
        for r in rows
        if ("phase" not in filters or r["phase"] == filters["phase"])
        and ("role" not in filters or r["role"] == filters["role"])
    ]
    return sorted((r["document_id"], r["start"]) for r in keep)


@pytest.fixture
def revised(project: Project, tmp_path: Path) -> Project:
    """Camden (imported first, before Hull) revised after Hull and Durham were imported: its sentences now
    have the highest unit ids, after those of the documents imported after it."""
    from beacon_qual.documents.revise import revise_document

    write(tmp_path, "durham.md", DURHAM)
    import_paths(project, [tmp_path / "durham.md"])
    write(tmp_path, "camden_new.md", CAMDEN.replace("copy anything", "copy any learning"))
    revise_document(project, "camden.md", tmp_path / "camden_new.md")
    camden_id, _ = doc(project, "camden.md")
    assert camden_id == 1
    first = project.scalar("SELECT min(id) FROM units WHERE document_id = 1 AND kind = 'sentence'")
    others = project.scalar("SELECT max(id) FROM units WHERE document_id <> 1 AND kind = 'sentence'")
    assert first > others  # the case the order has to put right
    return project


@pytest.mark.parametrize("narrow, spread, few", STRATEGIES)
def test_document_order_is_document_then_position_across_a_revision(
    revised: Project, monkeypatch: pytest.MonkeyPatch, narrow: int, spread: int, few: int
) -> None:
    monkeypatch.setattr(svc, "NARROW", narrow)
    monkeypatch.setattr(svc, "SPREAD", spread)
    monkeypatch.setattr(svc, "FEW", few)
    expected = in_document_order(revised, "learn OR visit OR partnership OR adapted")
    assert len(expected) == 12
    assert expected[0][0] == 1  # Camden, the lowest document id, first
    for limit in range(1, len(expected) + 2):
        hits = svc.search(revised, "learn OR visit OR partnership OR adapted", limit=limit)
        assert [(h.document_id, h.start) for h in hits] == expected[:limit], limit
        assert hits.total == len(expected)
        assert hits.order == "document"
    _, text = doc(revised, "camden.md")
    first, second = svc.search(revised, "learning", limit=2)
    assert (first.document, text[first.start : first.end]) == (
        "camden.md",
        "We did not copy any learning word for word.",
    )
    assert (second.document, text[second.start : second.end]) == (
        "camden.md",
        "Budget pressure got in the way of learning.",
    )


@pytest.mark.parametrize("narrow, spread, few", STRATEGIES)
@pytest.mark.parametrize("order", svc.ORDERS)
def test_filters_work_in_both_orders(
    revised: Project, monkeypatch: pytest.MonkeyPatch, narrow: int, spread: int, few: int, order: str
) -> None:
    monkeypatch.setattr(svc, "NARROW", narrow)
    monkeypatch.setattr(svc, "SPREAD", spread)
    monkeypatch.setattr(svc, "FEW", few)
    query = "learn OR visit OR partnership OR adapted"
    for filters in ({"phase": 2}, {"role": "partner"}, {"phase": 1}, {"phase": 2, "role": "elected member"}):
        expected = in_document_order(revised, query, **filters)
        hits = svc.search(revised, query, order=order, **filters)
        found = [(h.document_id, h.start) for h in hits]
        assert sorted(found) == expected, filters
        assert hits.total == len(expected)
        if order == "document":
            assert found == expected
            assert [
                (h.document_id, h.start) for h in svc.search(revised, query, limit=2, **filters)
            ] == expected[:2]
        else:
            assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
            assert svc.search(revised, query, limit=1, order=order, **filters).total == len(expected)
    hull = svc.search(revised, "learning", council="Hull", order=order)
    assert {h.document for h in hull} == {"hull.md"} and hull.total == 2
    parent = add_code(revised, "Innovation", codable=0)
    adaptation = add_code(revised, "Adaptation", parent)
    camden_id, text = doc(revised, "camden.md")
    at = text.index("Members adapted")
    add_coding(revised, camden_id, adaptation, at, at + 7)
    coded = svc.search(revised, "adapted OR learning", code="Innovation", order=order)
    assert [text[h.start : h.end] for h in coded] == ["Members adapted slowly but the cabinet backed it."]
    assert coded.total == 1


# -- locations and snippets ----------------------------------------------------------------------------------


def test_hits_carry_location_and_marked_snippet(project: Project) -> None:
    [hit] = svc.search(project, "wardens")
    hull_id, text = doc(project, "hull.md")
    assert (hit.document_id, hit.document) == (hull_id, "hull.md")
    assert (hit.council, hit.phase, hit.role) == ("Kingston upon Hull City Council", 1, "officer")
    assert text[hit.start : hit.end] == "Our director learns fast and learned to trust the wardens."
    assert hit.snippet == "Our director learns fast and learned to trust the [wardens]."
    [hit] = svc.search(project, "learned AND wardens", marks=("<b>", "</b>"))
    assert hit.snippet == "Our director <b>learns</b> fast and <b>learned</b> to trust the <b>wardens</b>."


def test_non_ascii_offsets_are_code_points(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    text = HULL.replace("We were learning", "Café naïveté – “We” were learning")
    write(folder, "accents.md", text)
    project = Project.create(tmp_path / "p.db")
    seed_cases(project)
    import_paths(project, [folder])
    [hit] = svc.search(project, "naivete")  # remove_diacritics folds the accents
    _, stored = doc(project, "accents.md")
    assert stored[hit.start : hit.end].startswith("Café naïveté")
    assert hit.snippet.startswith("Café [naïveté]")
    project.close()


# -- filters -------------------------------------------------------------------------------------------------


def test_filter_by_council_phase_and_role(project: Project) -> None:
    assert {h.document for h in svc.search(project, "adapted", council="Hull")} == {"hull.md"}
    assert {h.document for h in svc.search(project, "adapted", council="LB Camden")} == {"camden.md"}
    assert {h.document for h in svc.search(project, "adapted", phase=2)} == {"camden.md"}
    assert {h.document for h in svc.search(project, "adapted", role="Officer")} == {"hull.md"}
    assert svc.search(project, "adapted", phase=1, role="elected member") == []
    with pytest.raises(BeaconError, match="no documents with phase 3"):
        svc.search(project, "adapted", phase=3)
    with pytest.raises(BeaconError, match="no documents with role 'mayor'"):
        svc.search(project, "adapted", role="mayor")
    with pytest.raises(BeaconError):
        svc.search(project, "adapted", council="Atlantis")


def add_code(project: Project, name: str, parent: int | None = None, codable: int = 1) -> int:
    with project.transaction():
        return project.execute(
            "INSERT INTO codes(uuid, parent_id, name, codable, created_at) VALUES (?,?,?,?,?)",
            (new_uuid(), parent, name, codable, now()),
        ).lastrowid


def add_coding(project: Project, document_id: int, code_id: int, start: int, end: int) -> None:
    coder = project.coder_id("ann")
    with project.transaction():
        project.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at) VALUES (?,?,?,?,?,?,?)",
            (new_uuid(), document_id, code_id, coder, start, end, now()),
        )


def test_filter_by_code_overlap(project: Project) -> None:
    parent = add_code(project, "Innovation", codable=0)
    adaptation = add_code(project, "Adaptation", parent)
    hull_id, text = doc(project, "hull.md")
    at = text.index("adapted the forms")
    add_coding(project, hull_id, adaptation, at, at + len("adapted"))  # inside the sentence
    copy_at = text.index("copied their")
    add_coding(project, hull_id, adaptation, copy_at - 10, copy_at - 3)  # ends in the sentence before
    hits = svc.search(project, "forms", code="Adaptation")
    assert located(project, hits) == sentences(project, ("hull.md", "Later we adapted"))
    assert located(project, svc.search(project, "forms", code="Innovation")) == located(project, hits)
    assert svc.search(project, "budget", code="Innovation/Adaptation") == []
    with pytest.raises(BeaconError, match="no code"):
        svc.search(project, "forms", code="Nonexistent")


# -- the index kept in step ----------------------------------------------------------------------------------


def test_new_import_is_searchable_at_once(project: Project, tmp_path: Path) -> None:
    assert svc.search(project, "partnership") == []
    write(tmp_path, "durham.md", DURHAM)
    import_paths(project, [tmp_path / "durham.md"])
    hits = svc.search(project, "partnership")
    assert {(h.document, h.council, h.role) for h in hits} == {
        ("durham.md", "Durham County Council", "partner")
    }
    assert len(hits) == 2
    svc.check_index(project)


def test_units_deleted_and_rebuilt_follow_the_index(project: Project) -> None:
    hull_id, text = doc(project, "hull.md")
    with project.transaction():
        project.execute("DELETE FROM units WHERE document_id = ? AND kind = 'sentence'", (hull_id,))
    assert {h.document for h in svc.search(project, "adapted")} == {"camden.md"}
    svc.check_index(project)
    start, end = sentence_of(text, "Later we adapted")
    with project.transaction():
        project.execute(
            "INSERT INTO units(document_id, kind, seq, start, end) VALUES (?, 'sentence', 1, ?, ?)",
            (hull_id, start, end),
        )
    assert located(project, svc.search(project, "adapted", council="Hull")) == {("hull.md", text[start:end])}
    svc.check_index(project)


def test_revised_text_and_moved_units_are_reindexed(project: Project) -> None:
    hull_id, text = doc(project, "hull.md")
    new_text = text.replace("copied their forms", "borrowed their leaflets")
    with project.transaction():
        project.execute("UPDATE documents SET text = ?, revision = 2 WHERE id = ?", (new_text, hull_id))
    assert svc.search(project, "leaflets")[0].document == "hull.md"
    assert all(h.document != "hull.md" for h in svc.search(project, "copied"))
    svc.check_index(project)
    start, _ = sentence_of(new_text, "We borrowed")
    with project.transaction():
        project.execute(
            "UPDATE units SET end = ? WHERE document_id = ? AND kind = 'sentence' AND start = ?",
            (start + len("We borrowed"), hull_id, start),
        )
    assert svc.search(project, "leaflets") == []
    svc.check_index(project)


def test_revision_through_the_revise_service(project: Project, tmp_path: Path) -> None:
    from beacon_qual.documents.revise import revise_document

    corrected = CAMDEN.replace("Budget pressure", "Staff turnover")
    write(tmp_path, "camden.md", corrected)
    revise_document(project, "camden.md", tmp_path / "camden.md")
    assert svc.search(project, "budget") == []
    [hit] = svc.search(project, "turnover")
    _, text = doc(project, "camden.md")
    assert text[hit.start : hit.end] == "Staff turnover got in the way of learning."
    svc.check_index(project)


def test_deleting_a_document_removes_its_entries(project: Project) -> None:
    camden_id, _ = doc(project, "camden.md")
    with project.transaction():
        project.execute("DELETE FROM documents WHERE id = ?", (camden_id,))
    assert {h.document for h in svc.search(project, "adapted")} == {"hull.md"}
    svc.check_index(project)
    assert svc.indexed_sentences(project) == project.scalar(
        "SELECT count(*) FROM units WHERE kind = 'sentence'"
    )


def test_check_and_rebuild(project: Project) -> None:
    sentences_stored = project.scalar("SELECT count(*) FROM units WHERE kind = 'sentence'")
    project.execute("INSERT INTO unit_fts(rowid, text) VALUES (999999, 'stray words')")
    with pytest.raises(BeaconError, match="does not match"):
        svc.check_index(project)
    assert svc.rebuild_index(project) == sentences_stored
    svc.check_index(project)


def test_migration_indexes_existing_documents(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA application_id = 1112624177")
    for version, script in enumerate(MIGRATIONS[:2], start=1):
        for statement in _split_sql(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    text = "Interviewer: Tell me.\nRespondent: We learned from Kent. Then we adapted."
    conn.execute(
        "INSERT INTO documents(uuid, name, text, sha256, imported_at) VALUES ('u', 'old.txt', ?, 'x', 't')",
        (text,),
    )
    for words in ("We learned from Kent.", "Then we adapted.", "Tell me."):
        at = text.index(words)
        conn.execute(
            "INSERT INTO units(document_id, kind, seq, start, end) VALUES (1, 'sentence', 1, ?, ?)",
            (at, at + len(words)),
        )
    conn.close()
    project = Project.open(path)
    assert project.scalar("PRAGMA user_version") == len(MIGRATIONS)
    assert (tmp_path / f"old.db.before-v{len(MIGRATIONS)}.bak").exists()
    [hit] = svc.search(project, "learning")
    assert text[hit.start : hit.end] == "We learned from Kent."
    svc.check_index(project)
    project.close()


# -- bad queries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, reason",
    [
        ('"open days', "double quote is not closed"),
        ("NOT", "unexpected 'NOT'"),
        ("learning AND AND forms", "unexpected 'AND'"),
        ("council's", "unexpected"),
        ("learning AND", "ends too soon"),
        ("*", "'*' can only end a word"),
        ("foo:bar", "read as a column name"),
    ],
)
def test_unreadable_query_is_one_clear_error(project: Project, query: str, reason: str) -> None:
    with pytest.raises(BeaconError) as caught:
        svc.search(project, query)
    assert reason in caught.value.message
    assert "\n" not in caught.value.message


def test_empty_query_and_bad_limit(project: Project) -> None:
    with pytest.raises(BeaconError, match="empty"):
        svc.search(project, "   ")
    with pytest.raises(BeaconError, match="--limit"):
        svc.search(project, "forms", limit=0)


# -- command line --------------------------------------------------------------------------------------------


def run(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.path), *args])


def test_cli_table_marks_hits_with_brackets_when_piped(project: Project) -> None:
    result = run(project, "search", "learned AND wardens")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    _, text = doc(project, "hull.md")
    start, end = sentence_of(text, "Our director")
    assert lines[0] == f"  1. hull.md | Kingston upon Hull City Council | phase 1 | officer | {start}-{end}"
    assert lines[1].strip() == "Our director [learns] fast and [learned] to trust the [wardens]."
    assert "\x1b[" not in result.output
    assert (
        lines[-1]
        == "1 sentence matches, all shown in document order (document by document, each from start to end)"
    )
    relevance = run(project, "search", "learned AND wardens", "--order", "relevance").output.splitlines()
    assert relevance[0].startswith(
        f"  1. hull.md | Kingston upon Hull City Council | phase 1 | officer | {start}-{end} | score "
    )
    assert relevance[-1] == "1 sentence matches, all shown best first (relevance)"


def test_cli_tells_how_many_match_and_which_are_shown(project: Project) -> None:
    result = run(project, "search", "learning", "--limit", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line[:14] for line in lines[0:4:2]] == ["  1. camden.md", "  2. hull.md |"]
    assert lines[-1] == (
        "3 sentences match; the first 2 (--limit 2) are shown, "
        "in document order (document by document, each from start to end)"
    )
    result = run(project, "search", "learning", "--limit", "1", "--order", "relevance")
    assert (
        result.output.splitlines()[-1]
        == "3 sentences match; the first 1 (--limit 1) are shown, best first (relevance)"
    )
    assert run(project, "search", "zebra").output == "no matches\n"


def test_cli_unknown_order_is_a_usage_error(project: Project) -> None:
    result = run(project, "search", "learning", "--order", "best")
    assert result.exit_code == 2
    assert result.output.startswith(
        "error: Invalid value for '--order': 'best' is not one of 'document', 'relevance'"
    )
    assert len(result.output.splitlines()) == 1


def test_cli_json_and_csv(project: Project) -> None:
    result = run(project, "search", "adapted", "--format", "json", "--role", "elected member")
    data = json.loads(result.output)
    assert (data["query"], data["order"], data["total"]) == ("adapted", "document", 1)
    assert [(d["document"], d["phase"], d["role"], d["score"]) for d in data["hits"]] == [
        ("camden.md", 2, "elected member", None)
    ]
    assert data["hits"][0]["snippet"] == "Members [adapted] slowly but the cabinet backed it."
    data = json.loads(run(project, "search", "learning", "--format", "json", "--order", "relevance").output)
    assert (data["order"], data["total"], len(data["hits"])) == ("relevance", 3, 3)
    assert all(isinstance(h["score"], float) for h in data["hits"])
    result = run(project, "search", "adapted", "--format", "csv", "--council", "Hull")
    rows = result.stdout.splitlines()
    assert rows[0] == "document_id,document,council,phase,role,start,end,score,snippet"
    hull_id, text = doc(project, "hull.md")
    start, end = sentence_of(text, "Later we adapted")
    assert rows[1] == (
        f"{hull_id},hull.md,Kingston upon Hull City Council,1,officer,{start},{end},,"
        "Later we [adapted] the forms to our estates."
    )
    assert len(rows) == 2
    assert result.stderr.startswith("1 sentence matches, all shown in document order")


@pytest.mark.parametrize("query", ['"unbalanced', "NOT", "AND AND", "a (b"])
def test_cli_bad_query_exits_with_one_line(project: Project, query: str) -> None:
    result = run(project, "search", query)
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot read the search")
    assert "Traceback" not in result.output


def test_cli_reindex(project: Project) -> None:
    result = run(project, "reindex")
    assert result.exit_code == 0
    count = project.scalar("SELECT count(*) FROM units WHERE kind = 'sentence'")
    codings = project.scalar("SELECT count(*) FROM codings")
    combinations = project.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT code_id, document_id, coder_id FROM codings)"
    )
    kinds = project.scalar("SELECT count(*) FROM (SELECT DISTINCT document_id, kind FROM units)")
    assert result.output.splitlines() == [
        f"indexed {count:,} sentences",
        f"placed {codings:,} codings in their sentences and turns",
        f"counted codings for {combinations:,} (code, document, coder) combinations",
        f"counted units for {kinds:,} (document, kind) combinations",
    ]


def test_a_filtered_count_stops_at_the_cap_and_says_so(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    more = tmp_path / "more"
    more.mkdir()
    write(more, "durham.md", DURHAM)
    import_paths(project, [more])
    # Phase 2 holds three sentences with a word from "learn" or "adapt" (two in Camden, one in Durham). A filter
    # keeping many documents is counted match by match, and the count stops above the cap.
    monkeypatch.setattr(svc, "NARROW", 10**6)
    monkeypatch.setattr(svc, "COUNT_CAP", 2)
    hits = svc.search(project, "learning OR adapted", phase=2, limit=1)
    assert (len(hits), hits.total, hits.total_exact) == (1, 2, False)
    assert [h.document for h in svc.search(project, "learning OR adapted", phase=2, limit=10)] == [
        "camden.md",
        "camden.md",
        "durham.md",
    ]
    lines = run(project, "search", "learning OR adapted", "--phase", "2", "--limit", "1").output.splitlines()
    assert lines[-1] == (
        "more than 2 sentences match; the first 1 (--limit 1) are shown,"
        " in document order (document by document, each from start to end)"
    )
    result = run(project, "search", "learning OR adapted", "--phase", "2", "--limit", "1", "--format", "json")
    data = json.loads(result.output)
    assert (data["total"], data["total_exact"]) == (2, False)
    # At or under the cap, and without filters, the count is exact.
    monkeypatch.setattr(svc, "COUNT_CAP", 3)
    hits = svc.search(project, "learning OR adapted", phase=2, limit=1)
    assert (hits.total, hits.total_exact) == (3, True)
    monkeypatch.setattr(svc, "COUNT_CAP", 1)
    hits = svc.search(project, "learning OR adapted", limit=1)
    assert (hits.total, hits.total_exact) == (6, True)  # three in Hull (learning, adapted, learned)
