"""The search index after a transcript import: the importer writes its sentences' entries itself (schema V5),
and they are exactly what a rebuild makes; every other writer of units is still indexed by the trigger."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from builders import index_dump, older_schema, with_codes

from beacon_qual.cases.councils import seed_cases
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.importer import import_paths
from beacon_qual.search import fulltext as search
from beacon_qual.store import SCHEMA_VERSION, Project

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "transcripts_example"


def found(project: Project, query: str) -> set[tuple[str, str]]:
    """(document, sentence text) of every sentence a search finds."""
    hits = search.search(project, query, limit=1000)
    texts = {r[0]: r[1] for r in project.execute("SELECT name, text FROM documents")}
    return {(hit.document, texts[hit.document][hit.start : hit.end]) for hit in hits}


def flag(path: Path) -> int:
    """The committed importer flag, read by a connection of its own."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT importer_writes FROM unit_fts_control").fetchone()[0]
    finally:
        conn.close()


def add_document(project: Project, name: str, text: str, sentence: str) -> None:
    """A document and one sentence unit inserted directly, as revisions and REFI-QDA import do."""
    with project.transaction():
        case_id = project.scalar("SELECT min(id) FROM cases")
        doc_id = project.execute(
            "INSERT INTO documents(uuid, name, text, sha256, case_id, word_count, imported_at)"
            " VALUES (?, ?, ?, ?, ?, 0, 'now')",
            (f"uuid-{name}", name, text, f"sha-{name}", case_id),
        ).lastrowid
        start = text.index(sentence)
        project.execute(
            "INSERT INTO units(document_id, kind, seq, start, end) VALUES (?, 'sentence', 1, ?, ?)",
            (doc_id, start, start + len(sentence)),
        )


@pytest.fixture
def project(make_project) -> Project:
    return make_project(with_codes(), "p.db")


def test_import_writes_the_entries_a_rebuild_makes(project: Project):
    summary = import_paths(project, [EXAMPLES])
    assert len(summary.imported) == 14
    search.check_index(project)  # FTS5 integrity-check: the entries match the sentences they come from
    assert search.indexed_sentences(project) == project.scalar(
        "SELECT count(*) FROM units WHERE kind = 'sentence'"
    )
    imported = index_dump(project)
    sentence = "Honestly, mostly paper."
    assert found(project, "mostly paper") == {("hull_officer_p1.txt", sentence)}
    search.rebuild_index(project)
    assert index_dump(project) == imported
    assert found(project, "mostly paper") == {("hull_officer_p1.txt", sentence)}
    assert flag(project.path) == 0


def test_a_later_import_and_other_writers_share_the_index(project: Project, tmp_path: Path):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.txt").write_text("---\ncouncil: Hull\n---\nRespondent: We borrowed the wardens toolkit.\n")
    import_paths(project, [folder])
    add_document(
        project,
        "other.txt",
        "Notes. The quokka scheme spread widely. End.",
        "The quokka scheme spread widely.",
    )
    import_paths(project, [EXAMPLES])
    search.check_index(project)
    assert found(project, "toolkit") >= {("a.txt", "We borrowed the wardens toolkit.")}
    assert found(project, "quokka") == {("other.txt", "The quokka scheme spread widely.")}


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(b"Respondent: \x00\x00 binary", id="binary file"),
        pytest.param(b"---\ncouncil: Hull\n---\nRespondent: First file.\n", id="same text as a stored one"),
    ],
)
def test_failed_import_leaves_the_trigger_indexing_other_writers(
    project: Project, tmp_path: Path, bad: bytes
):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text("---\ncouncil: Hull\n---\nRespondent: First file.\n")
    (folder / "m.txt").write_bytes(bad)
    (folder / "z.txt").write_text("---\ncouncil: Kent\n---\nRespondent: Last file.\n")
    with pytest.raises(BeaconError):
        import_paths(project, [folder])
    assert project.scalar("SELECT count(*) FROM documents") == 0
    assert project.scalar("SELECT importer_writes FROM unit_fts_control") == 0
    assert flag(project.path) == 0
    add_document(project, "later.txt", "The wombat plan worked. Then it stopped.", "The wombat plan worked.")
    assert found(project, "wombat") == {("later.txt", "The wombat plan worked.")}
    search.check_index(project)


def test_v4_project_migrates_past_v5_and_still_searches(tmp_path: Path):
    path = tmp_path / "v4.db"
    conn = older_schema(path, 4)
    conn.execute(
        "INSERT INTO cases(uuid, code, name, created_at) VALUES ('c', 'XYZ', 'Example Council', 'then')"
    )
    text = "Interviewer: Why? Respondent: The platypus pilot came first."
    conn.execute(
        "INSERT INTO documents(uuid, name, text, sha256, case_id, word_count, imported_at)"
        " VALUES ('d', 'old.txt', ?, 'x', 1, 8, 'then')",
        (text,),
    )
    start = text.index("The platypus")
    conn.execute(
        "INSERT INTO units(document_id, kind, seq, start, end) VALUES (1, 'sentence', 1, ?, ?)",
        (start, len(text)),
    )
    conn.close()

    with Project.open(path) as project:
        assert project.scalar("PRAGMA user_version") == SCHEMA_VERSION >= 5
        backup = path.with_name(f"v4.db.before-v{SCHEMA_VERSION}.bak")
        assert sqlite3.connect(backup).execute("PRAGMA user_version").fetchone()[0] == 4
        assert flag(path) == 0
        search.check_index(project)
        assert found(project, "platypus") == {("old.txt", "The platypus pilot came first.")}
        seed_cases(project)
        import_paths(project, [EXAMPLES])
        search.check_index(project)
        assert found(project, "platypus") == {("old.txt", "The platypus pilot came first.")}
        assert ("hull_officer_p1.txt", "Honestly, mostly paper.") in found(project, "mostly paper")
