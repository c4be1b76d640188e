"""Revisions: a corrected transcript replaces a document's text without losing its codings.

:func:`revise_document` reads the new file with the transcript importer, backs the
project up beside itself (``<project>.before-revise-<UTC time>.bak``; the newest few such
backups are kept, see :mod:`beacon_qual.store.backups`), and then, in
one transaction:

* keeps the old text in ``document_revisions``;
* stores the new text, its sha256, word count and source, and the next revision number;
* rebuilds the units (speaker turns and sentences) the way import makes them;
* moves every coding onto the new text (:mod:`beacon_qual.documents.anchoring`), writing where
  it went and how sure that is to ``coding_anchors`` and ``codings.anchor_score``.
  A coding that cannot be placed with confidence keeps its best guess and gets
  ``status = 'review'``; no coding is ever dropped;
* records the revision in the audit trail, with what undoing it needs (the old units
  and each coding's status and score before the move).

Keyword suggestions are left as they are: :mod:`beacon_qual.search.suggest` treats one whose
span is no longer a sentence of the text as out of date, so they follow a revision and
its undo by themselves.

:func:`undo_revision` goes back one revision: the old text, units and every moved
coding's old offsets, status and score. Codings made on the newer text are moved
back onto the old one the same way a revision moves them.

:func:`codings_for_review` lists the codings flagged for a person to look at;
:func:`accept_placement` and :func:`set_placement` resolve one.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beacon_qual.codebook.tree import code_paths
from beacon_qual.documents.anchoring import DEFAULT_THRESHOLD, Placement, reanchor
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.importer import ParsedTranscript, read_transcript
from beacon_qual.ingest.readers import DEFAULT_MAX_SIZE
from beacon_qual.store import Project, backups, now
from beacon_qual.store import documents as sql
from beacon_qual.store.backups import Backup
from beacon_qual.store.codings import document_length
from beacon_qual.store.lookup import document_name, resolve_document

METHODS = ("unchanged", "exact", "near", "fuzzy", "unplaced")
_SOURCE_FIELDS = ("source_path", "source_format", "source_encoding")


@dataclass(frozen=True)
class RevisionReport:
    """What a revision (or its undo) did to a document and its codings."""

    document_id: int
    document: str
    revision: int  # the document's revision number now
    counts: dict[str, int]  # placement method -> number of codings
    flagged: list[int]  # ids of codings that need review
    backup: Path
    threshold: float
    restored: int = 0  # undo only: codings put back where they were before the revision
    backups: Backup | None = None  # the backup made first, and what keeping the newest few removed

    @property
    def codings(self) -> int:
        return sum(self.counts.values()) + self.restored


@dataclass(frozen=True)
class ReviewItem:
    """A coding flagged for review, with its passage before and after the revision that moved it."""

    coding_id: int
    uuid: str
    document_id: int
    document: str
    code: str
    coder: str
    start: int
    end: int
    passage: str
    old_start: int | None
    old_end: int | None
    old_passage: str | None
    method: str | None
    score: float | None
    revision: int | None  # the revision whose text the old passage comes from

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class _Document:
    id: int
    name: str
    text: str
    sha256: str
    revision: int
    word_count: int
    source: dict[str, str | None] = field(default_factory=dict)


# -- revising -------------------------------------------------------------------------------


def backup_path(project_path: Path, what: str) -> Path:
    """``<project>.before-<what>-<UTC time>.bak`` beside the project file."""
    return backups.backup_path(project_path, what)


def revise_document(
    project: Project,
    document: str | int,
    new_path: Path | str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    coder_id: int | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    keep_backups: int | None = None,
) -> RevisionReport:
    """Replace a document's text with a corrected transcript, moving its codings onto the new text.
    The newest ``keep_backups`` revision backups are kept (:mod:`beacon_qual.store.backups`)."""
    keep = backups.keep_count(keep_backups)
    _check_threshold(threshold)
    document_id = resolve_document(project, document)
    parsed = read_transcript(new_path, max_size=max_size)
    doc = _load(project, document_id)
    _check_new_text(project, doc, parsed, new_path)
    backup = project.backup(backup_path(project.path, "revise"))
    counts, flagged, revision = revise_text(
        project, document_id, parsed, threshold=threshold, coder_id=coder_id, where=new_path
    )
    kept = backups.prune(project.path, "revise", backup, keep)  # the new backup is on disk, the revision done
    return RevisionReport(document_id, doc.name, revision, counts, flagged, backup, threshold, backups=kept)


def revise_text(
    project: Project,
    document_id: int,
    parsed: ParsedTranscript,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    coder_id: int | None = None,
    where: Path | str = "the new text",
) -> tuple[dict[str, int], list[int], int]:
    """The revision itself, in one transaction: keep the old text, store ``parsed`` (its text, turns and
    sentences), move every coding onto it. Returns the placement counts, the ids of the codings flagged
    for review and the document's new revision number. The caller backs the project up first."""
    _check_threshold(threshold)
    turns, sentences = parsed.turns, parsed.sentences  # worked out before the write lock is taken
    with project.transaction():
        doc = _load(project, document_id)
        _check_new_text(project, doc, parsed, where)
        codings = _codings(project, document_id)
        placements = reanchor(
            doc.text, parsed.text, [(c["start"], c["end"]) for c in codings], threshold=threshold
        )
        revision_id = sql.insert_revision(
            project, document_id, doc.revision, doc.text, doc.sha256, doc.source["source_path"], now()
        )
        before = _document_state(project, doc, codings)
        _delete_units(project, document_id)
        sql.set_document_text(
            project,
            document_id,
            parsed.text,
            parsed.sha256,
            parsed.word_count,
            doc.revision + 1,
            parsed.source_path,
            parsed.source_format,
            parsed.source_encoding,
        )
        _insert_units(project, document_id, _unit_rows(turns, sentences))
        flagged = _move_codings(project, revision_id, codings, placements, coder_id)
        counts = _counts(placements)
        project.audit(
            "document.revise",
            "documents",
            document_id,
            before=before,
            coder_id=coder_id,
            after={
                "revision": doc.revision + 1,
                "revision_id": revision_id,
                "sha256": parsed.sha256,
                "word_count": parsed.word_count,
                "source_path": parsed.source_path,
                "threshold": threshold,
                "counts": counts,
            },
        )
    return counts, flagged, doc.revision + 1


def _check_threshold(threshold: float) -> None:
    if not 0 < threshold <= 100:
        raise BeaconError(f"threshold {threshold} is not a score between 0 and 100")


def _check_new_text(project: Project, doc: _Document, parsed: ParsedTranscript, path: Path | str) -> None:
    if parsed.sha256 == doc.sha256:
        raise BeaconError(
            f"{path} holds the same text as document {doc.name!r} already has; nothing to revise"
        )
    other = sql.other_document_with_text(project, parsed.sha256, doc.id)
    if other is not None:
        raise BeaconError(f"{path} holds the text of another document, {other!r}; is it the right file?")


def _load(project: Project, document_id: int) -> _Document:
    row = sql.document_row(project, document_id)
    if row is None:
        raise BeaconError(f"no document with id {document_id}")
    return _Document(
        row["id"],
        row["name"],
        row["text"],
        row["sha256"],
        row["revision"],
        row["word_count"],
        {key: row[key] for key in _SOURCE_FIELDS},
    )


def _codings(project: Project, document_id: int) -> list[dict[str, Any]]:
    return [dict(r) for r in sql.codings_of_document(project, document_id)]


def _document_state(project: Project, doc: _Document, codings: list[dict[str, Any]]) -> dict[str, Any]:
    """What undoing the revision needs besides the kept text: units, source, and codings' status and score."""
    units = sql.units_in_order(project, doc.id)
    return {
        "revision": doc.revision,
        "sha256": doc.sha256,
        "word_count": doc.word_count,
        **doc.source,
        "units": [list(u) for u in units],
        "codings": {str(c["id"]): [c["status"], c["anchor_score"]] for c in codings},
    }


def _unit_rows(turns: list, sentences: list[tuple[int, int]]) -> list[tuple]:
    rows = [("turn", seq, t.start, t.end, t.speaker) for seq, t in enumerate(turns, start=1)]
    rows.extend(("sentence", seq, start, end, None) for seq, (start, end) in enumerate(sentences, start=1))
    return rows


def _delete_units(project: Project, document_id: int) -> None:
    """Remove a document's units; done before its text changes, so that indexes over unit text stay in step."""
    sql.delete_units(project, document_id)


def _insert_units(project: Project, document_id: int, rows: list[tuple] | list[list]) -> None:
    sql.insert_units(project, document_id, rows)


def _move_codings(
    project: Project,
    revision_id: int,
    codings: list[dict[str, Any]],
    placements: list[Placement],
    coder_id: int | None,
) -> list[int]:
    """Write each coding's new place and its anchor record; the ids of those flagged for review."""
    flagged: list[int] = []
    for coding, place in zip(codings, placements):
        status = coding["status"] if place.confident else "review"
        if status == "review":
            flagged.append(coding["id"])
        _update_coding(
            project,
            coding,
            coder_id,
            start=place.start,
            end=place.end,
            status=status,
            anchor_score=round(place.score, 2),
        )
        sql.insert_anchor(
            project,
            revision_id,
            coding["id"],
            (coding["start"], coding["end"]),
            (place.start, place.end),
            place.method,
            round(place.score, 2),
        )
    return flagged


def _update_coding(
    project: Project,
    before: dict[str, Any],
    coder_id: int | None,
    action: str = "coding.reanchor",
    **changes: Any,
) -> dict[str, Any]:
    """Change a coding's columns, auditing the change; nothing is written when nothing changes."""
    if all(before[key] == value for key, value in changes.items()):
        return before
    sql.update_coding(project, before["id"], changes, now())
    after = dict(sql.written_coding(project, before["id"]))
    project.audit(action, "codings", before["id"], before=before, after=after, coder_id=coder_id)
    return after


def _counts(placements: list[Placement]) -> dict[str, int]:
    found = Counter(p.method for p in placements)
    return {method: found.get(method, 0) for method in METHODS}


# -- undoing a revision ---------------------------------------------------------------------------


def undo_revision(
    project: Project, document: str | int, *, coder_id: int | None = None, keep_backups: int | None = None
) -> RevisionReport:
    """Go back to a document's previous text, units and coding places."""
    keep = backups.keep_count(keep_backups)
    document_id = resolve_document(project, document)
    _latest_revision(project, document_id)  # fail before the backup when there is nothing to undo
    backup = project.backup(backup_path(project.path, "revise-undo"))
    with project.transaction():
        doc = _load(project, document_id)
        kept = _latest_revision(project, document_id)
        if kept["revision"] != doc.revision - 1:
            raise BeaconError(
                f"document {doc.name!r} is at revision {doc.revision} but its last kept text is revision "
                f"{kept['revision']}; run 'beacon-qual check'"
            )
        record = _revise_record(project, document_id, kept["id"])
        state = json.loads(record["before"])
        restored, later = _restore_codings(project, kept["id"], state["codings"], document_id, coder_id)
        placements = reanchor(doc.text, kept["text"], [(c["start"], c["end"]) for c in later])
        flagged = [
            coding["id"]
            for coding, place in zip(later, placements)
            if _update_coding(
                project,
                coding,
                coder_id,
                start=place.start,
                end=place.end,
                status=coding["status"] if place.confident else "review",
                anchor_score=round(place.score, 2),
            )["status"]
            == "review"
        ]
        _delete_units(project, document_id)
        sql.set_document_text(
            project,
            document_id,
            kept["text"],
            kept["sha256"],
            state["word_count"],
            kept["revision"],
            state["source_path"],
            state["source_format"],
            state["source_encoding"],
        )
        _insert_units(project, document_id, state["units"])
        sql.delete_anchors(project, kept["id"])
        sql.delete_revision(project, kept["id"])
        counts = _counts(placements)
        project.audit(
            "document.revise.undo",
            "documents",
            document_id,
            coder_id=coder_id,
            before={"revision": doc.revision, "sha256": doc.sha256, "text": doc.text},
            after={
                "revision": kept["revision"],
                "sha256": kept["sha256"],
                "restored": restored,
                "counts": counts,
            },
        )
    return RevisionReport(
        document_id,
        doc.name,
        kept["revision"],
        counts,
        flagged,
        backup,
        DEFAULT_THRESHOLD,
        restored=restored,
        backups=backups.prune(project.path, "revise", backup, keep),
    )


def _latest_revision(project: Project, document_id: int) -> Any:
    row = sql.latest_revision(project, document_id)
    if row is None:
        name = document_name(project, document_id)
        raise BeaconError(f"document {name!r} has no earlier text to go back to")
    return row


def _revise_record(project: Project, document_id: int, revision_id: int) -> Any:
    row = sql.revise_record(project, document_id, revision_id)
    if row is None:
        raise BeaconError(f"the audit trail has no record of revision {revision_id}; it cannot be undone")
    return row


def _restore_codings(
    project: Project, revision_id: int, previous: dict[str, list], document_id: int, coder_id: int | None
) -> tuple[int, list[dict[str, Any]]]:
    """Put the revision's codings back; return how many, and the codings made on the newer text."""
    anchors = {row["coding_id"]: row for row in sql.anchors_of_revision(project, revision_id)}
    restored = 0
    later: list[dict[str, Any]] = []
    for coding in _codings(project, document_id):
        anchor = anchors.get(coding["id"])
        if anchor is None:
            later.append(coding)
            continue
        status, score = previous.get(str(coding["id"]), [coding["status"], coding["anchor_score"]])
        _update_coding(
            project,
            coding,
            coder_id,
            start=anchor["old_start"],
            end=anchor["old_end"],
            status=status,
            anchor_score=score,
        )
        restored += 1
    return restored, later


# -- review ---------------------------------------------------------------------------------------


def codings_for_review(project: Project, document_id: int | None = None) -> list[ReviewItem]:
    """Codings flagged for review (all, or one document's), in document and text order."""
    paths = code_paths(project)
    return [
        ReviewItem(
            r["id"],
            r["uuid"],
            r["document_id"],
            r["document"],
            paths.get(r["code_id"], str(r["code_id"])),
            r["coder"],
            r["start"],
            r["end"],
            r["passage"],
            r["old_start"],
            r["old_end"],
            r["old_passage"],
            r["method"],
            r["score"],
            r["revision"],
        )
        for r in sql.codings_for_review(project, document_id)
    ]


def _flagged(project: Project, coding_id: int) -> dict[str, Any]:
    row = sql.coding_row(project, coding_id)
    if row is None:
        raise BeaconError(f"no coding with id {coding_id}")
    if row["status"] != "review":
        raise BeaconError(f"coding {coding_id} is not flagged for review (see 'beacon-qual review list')")
    return dict(row)


def accept_placement(project: Project, coding_id: int, *, coder_id: int) -> dict[str, Any]:
    """Accept a flagged coding where it is now; undo (the coder's) brings the flag back."""
    with project.transaction():
        return _update_coding(project, _flagged(project, coding_id), coder_id, "coding.update", status="ok")


def set_placement(project: Project, coding_id: int, start: int, end: int, *, coder_id: int) -> dict[str, Any]:
    """Move a flagged coding to ``text[start:end]`` of its document and clear the flag."""
    with project.transaction():
        coding = _flagged(project, coding_id)
        length = document_length(project, coding["document_id"])
        assert length is not None  # a coding's document exists (foreign key)
        if not 0 <= start < end <= length:
            raise BeaconError(
                f"offsets {start}-{end} are not a passage of document {coding['document_id']} "
                f"(need 0 <= start < end <= {length})"
            )
        return _update_coding(project, coding, coder_id, "coding.update", start=start, end=end, status="ok")
