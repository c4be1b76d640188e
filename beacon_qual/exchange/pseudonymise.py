"""A copy of the project that may be shared: people's names replaced, codings moved onto the new text.

:func:`pseudonymise` copies the project (a consistent snapshot, :meth:`Project.backup`) and works on the
copy only; the original is opened for reading and never changed. The names come from

* the names file (a CSV with a ``name`` column and, optionally, ``replacement``),
* the documents' metadata (``interviewer``: ``Interviewer A``, ``B``, ...; ``respondent``: ``Respondent A``,
  ...),
* speaker labels that look like a person's name (``Sarah Lind:``; not ``Interviewer``, ``Q`` or ``R``):
  ``Speaker A``, ... unless the metadata or the names file already gave the name its replacement.

One replacement per name across the whole project, so ``Sarah Lind`` is ``Interviewer A`` in every
document. Names are matched as whole words, ignoring case, longest first. Each document's text is
replaced through the revision machinery (:func:`beacon_qual.documents.revise.revise_text`, which re-anchors every
coding with :mod:`beacon_qual.documents.anchoring`); the units (turns and sentences) are the old ones mapped onto the
new text, with speaker labels replaced the same way. A coding that cannot be placed with confidence is
flagged for review (``status = 'review'``), never dropped. Memos, coding memos, code definitions and
examples, survey text values and metadata get the same replacements.

The kept earlier texts, the anchoring records and the audit trail would still hold the names, so the copy
keeps none (each document is at revision 1 again, and undo has no history in the copy); the full-text index
is rebuilt and the file vacuumed, so no page of the copy holds an old text. Capitalised words that remain
and look like names (not at a sentence start, never written in lower case, not a council's name) are
written to a CSV for a person to review.
"""

from __future__ import annotations

import csv
import os
import re
import string
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store import exchange as store

GENERIC_LABELS = {
    "interviewer",
    "interviewee",
    "respondent",
    "participant",
    "moderator",
    "facilitator",
    "speaker",
    "unknown",
    "q",
    "a",
    "i",
    "r",
    "p",
}
NAME_LIKE = re.compile(r"^[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}$")
CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?\b")
WORD = re.compile(r"\b[a-z][a-z'’-]*\b")
REVIEW_SUFFIX = ".names-review.csv"


@dataclass
class PseudonymReport:
    out: Path
    replacements: dict[str, str]
    documents: int
    changed_documents: int
    codings: int
    flagged: list[int]
    review_file: Path
    review_words: int
    counts: dict[str, int] = field(default_factory=dict)


def read_names(path: Path) -> list[tuple[str, str | None]]:
    """The names file: a CSV with a ``name`` column and, optionally, ``replacement``."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip().lower() for c in reader.fieldnames or []]
            if "name" not in columns:
                raise BeaconError(
                    f"{path}: the names file needs a 'name' column (and may have 'replacement')"
                )
            rows = []
            for number, row in enumerate(reader, start=2):
                clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                name = " ".join(clean.get("name", "").split())
                if not name:
                    continue
                if len(name) < 2:
                    raise BeaconError(f"{path}, line {number}: {name!r} is too short to replace safely")
                rows.append((name, clean.get("replacement") or None))
    except UnicodeDecodeError:
        raise BeaconError(f"{path}: the names file is not UTF-8 text") from None
    return rows


def _letters(n: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = string.ascii_uppercase[r] + out
    return out


def build_replacements(project: Project, listed: list[tuple[str, str | None]]) -> dict[str, str]:
    """Every name to replace, keyed by its case-folded form, with its one replacement."""
    chosen: dict[str, str] = {}
    shown: dict[str, str] = {}
    used: set[str] = set()

    def give(name: str, prefix: str) -> None:
        key = name.casefold()
        if key in chosen or key in GENERIC_LABELS:
            return
        n = sum(1 for v in chosen.values() if v.startswith(prefix + " "))
        while f"{prefix} {_letters(n)}" in used:
            n += 1
        chosen[key] = f"{prefix} {_letters(n)}"
        used.add(chosen[key])
        shown[key] = name

    for name, replacement in listed:
        if replacement:
            chosen[name.casefold()] = replacement
            used.add(replacement)
    for column, prefix in (("interviewer", "Interviewer"), ("respondent", "Respondent")):
        values = {" ".join(str(v).split()) for (v,) in store.distinct_document_values(project, column)}
        for value in sorted((v for v in values if v), key=str.casefold):
            give(value, prefix)
    for name, replacement in listed:
        if not replacement:
            give(name, "Person")
    labels = {" ".join(label.split()) for (label,) in store.speaker_labels(project)}
    for label in sorted(labels, key=str.casefold):
        if _looks_like_name(label):
            give(label, "Speaker")
    return chosen


def _looks_like_name(label: str) -> bool:
    words = label.split()
    if not words or label.casefold() in GENERIC_LABELS or words[0].casefold() in GENERIC_LABELS:
        return False
    if label.isupper() and len(label) > 3:  # NAME: style labels
        label = label.title()
    return bool(NAME_LIKE.match(label)) and any(len(w) > 1 for w in words)


class Replacer:
    """Replaces every listed name (whole words, any case, longest first) and maps old offsets to new."""

    def __init__(self, replacements: dict[str, str]) -> None:
        self.replacements = replacements
        words = [name.split() for name in replacements]
        self.pattern = (
            re.compile(r"(?<!\w)" + _trie_pattern(words) + r"(?!\w)", re.IGNORECASE) if words else None
        )

    def replacement(self, found: str) -> str:
        key = " ".join(found.split()).casefold()
        if key in self.replacements:
            return self.replacements[key]
        for name, replacement in self.replacements.items():  # case rules casefold() and re differ on
            if re.fullmatch(r"\s+".join(map(re.escape, name.split())), found, re.IGNORECASE):
                return replacement
        raise AssertionError(f"matched {found!r}, which no listed name is")

    def text(self, value: str | None) -> str | None:
        if value is None or self.pattern is None:
            return value
        return self.pattern.sub(lambda m: self.replacement(m.group()), value)

    def with_map(self, text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
        """The new text and each replacement's (old start, old end, new start, new end)."""
        if self.pattern is None:
            return text, []
        pieces: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        pos = shift = 0
        for m in self.pattern.finditer(text):
            new = self.replacement(m.group())
            pieces.append(text[pos : m.start()])
            pieces.append(new)
            spans.append((m.start(), m.end(), m.start() + shift, m.start() + shift + len(new)))
            shift += len(new) - (m.end() - m.start())
            pos = m.end()
        pieces.append(text[pos:])
        return "".join(pieces), spans


def _trie_pattern(names: list[list[str]]) -> str:
    """One regular expression for many names (each a list of words), as a trie of their characters: the
    engine follows one branch per character instead of trying every name at every position, as a plain
    alternation would. Longer names
    are tried first: a node tries its continuations before ending there, and the caller's ``(?!\\w)``
    sends a name that stops inside a word back to the next choice. Words are joined by any whitespace."""
    trie: dict = {}
    for words in names:
        node = trie
        for ch in "\0".join(w.lower() for w in words):  # lower(), the case rule IGNORECASE follows
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = []
        for ch, child in sorted((k, v) for k, v in node.items() if k):
            head = r"\s+" if ch == "\0" else re.escape(ch)
            branches.append(head + build(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + build(trie) + ")"


def _mapper(spans: list[tuple[int, int, int, int]]):
    """Old offset -> new offset; an offset inside a replaced name goes to the replacement's start (for a
    start) or end (for an end)."""
    starts = [s[0] for s in spans]

    def move(offset: int, is_end: bool) -> int:
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        old_start, old_end, new_start, new_end = spans[i]
        if offset >= old_end:
            return offset + (new_end - old_end)
        if offset == old_start:
            return new_start
        return new_end if is_end else new_start

    return move


def pseudonymise(
    project: Project, out: Path, names_file: Path | None, *, threshold: float | None = None
) -> PseudonymReport:
    """Write the pseudonymised copy to ``out`` (whole or not at all) and the review list beside it."""
    from beacon_qual.documents.revise import DEFAULT_THRESHOLD
    from beacon_qual.text.outfile import Output, check_copy_target

    out = check_copy_target(out, protect=(project.path,), force=False)
    Output(
        out.with_name(out.name + REVIEW_SUFFIX), protect=(project.path,)
    ).check()  # refused now, not after the work
    listed = read_names(names_file) if names_file else []
    work = out.with_name(out.name + ".partial-pseudonymise")
    for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        if leftover.exists():
            leftover.unlink()
    project.backup(work)
    try:
        copy = Project.open(work)
        try:
            report = _pseudonymise_copy(copy, listed, threshold or DEFAULT_THRESHOLD, out)
        finally:
            copy.close()
        for leftover in (Path(f"{work}-wal"), Path(f"{work}-shm")):
            if leftover.exists():
                leftover.unlink()
        os.replace(work, out)
    except BaseException:
        for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
            if leftover.exists():
                leftover.unlink()
        raise
    return report


def _pseudonymise_copy(
    project: Project, listed: list[tuple[str, str | None]], threshold: float, out: Path
) -> PseudonymReport:
    from beacon_qual.documents.revise import revise_text
    from beacon_qual.ingest.importer import ParsedTranscript
    from beacon_qual.ingest.metadata import Metadata
    from beacon_qual.ingest.speakers import Turn
    from beacon_qual.search.fulltext import rebuild_index

    replacements = build_replacements(project, listed)
    replacer = Replacer(replacements)
    flagged: list[int] = []
    counts: Counter[str] = Counter()
    changed = 0
    documents = store.documents_to_rewrite(project)
    for doc_id, name, text, source_format, source_encoding in documents:
        new_text, spans = replacer.with_map(text)
        if new_text == text:
            continue
        changed += 1
        move = _mapper(spans)
        turns = [
            Turn(move(s, False), move(s, False), move(e, True), replacer.text(speaker))
            for s, e, speaker in store.turns(project, doc_id)
        ]
        sentences = [(move(s, False), move(e, True)) for s, e in store.sentences(project, doc_id)]
        parsed = ParsedTranscript(
            name=name,
            source_path=name,
            source_format=source_format or "txt",
            source_encoding=source_encoding,
            text=new_text,
            metadata=Metadata(),
        )
        parsed.__dict__["turns"] = turns  # the old units, mapped: the text was not re-read
        parsed.__dict__["sentences"] = sentences
        before = {row[0]: row[1:] for row in store.coding_places(project, doc_id)}
        placed, doc_flagged, _revision = revise_text(project, doc_id, parsed, threshold=threshold, where=name)
        counts.update(placed)
        flagged += _confirm(project, text, new_text, move, replacer, before, doc_flagged)
    with project.transaction():
        _replace_fields(project, replacer)
        # The earlier texts, the anchoring records and the history hold the names: the copy keeps none.
        store.forget_history(project)
    if changed:  # deleted entries may linger in the index's segments until they are merged: build it afresh
        rebuild_index(project)
    store.compact(project)
    review_file = out.with_name(out.name + REVIEW_SUFFIX)
    review = _review_words(project, replacements)
    _write_review(review_file, review)
    return PseudonymReport(
        out=out,
        replacements={k: v for k, v in replacements.items()},
        documents=len(documents),
        changed_documents=changed,
        codings=store.coding_count(project),
        flagged=flagged,
        review_file=review_file,
        review_words=len(review),
        counts=dict(counts),
    )


def _confirm(
    project: Project,
    old_text: str,
    new_text: str,
    move,
    replacer: Replacer,
    before: dict[int, tuple],
    flagged: list[int],
) -> list[int]:
    """Codings the anchoring could not place with confidence (a short passage that is mostly a name) are
    checked against the replacements made: where the passage's own words, names replaced, are at the
    mapped place, the coding goes there with its status as before. The others stay flagged for review."""
    still: list[int] = []
    with project.transaction():
        for coding_id in flagged:
            start, end, status = before[coding_id]
            lo, hi = move(start, False), move(end, True)
            if hi > lo and new_text[lo:hi] == replacer.text(old_text[start:end]):
                store.place_coding(project, coding_id, lo, hi, status)
            else:
                still.append(coding_id)
    return still


def _replace_fields(project: Project, replacer: Replacer) -> None:
    """Every other text field that may hold a name."""
    fields = [
        ("documents", ("interviewer", "respondent", "name"), "1"),
        (
            "units",
            ("speaker",),
            "speaker IS NOT NULL",
        ),  # labels of texts left unchanged (labels not in the text)
        ("memos", ("title", "text"), "1"),
        ("codings", ("memo",), "memo IS NOT NULL"),
        ("codes", ("description", "inclusion", "exclusion", "example"), "1"),
        ("case_values", ("value_text",), "value_text IS NOT NULL"),
        ("meta", ("value",), "1"),
    ]
    for table, columns, where in fields:
        for row in store.field_rows(project, table, columns, where):
            values = [replacer.text(v) if isinstance(v, str) else v for v in row[1:]]
            if values != list(row[1:]):
                store.set_fields(project, table, columns, row[0], values)


def _review_words(project: Project, replacements: dict[str, str]) -> list[tuple[str, int, int, str]]:
    """Capitalised words left that may be names: (word, occurrences, documents, an example)."""
    known: set[str] = set()
    for (value,) in store.known_names(project):
        if value:
            known.update(w.casefold() for w in re.findall(r"[A-Za-z]+", value))
    for replacement in replacements.values():
        known.update(w.casefold() for w in replacement.split())
    lower: set[str] = set()
    found: Counter[str] = Counter()
    in_docs: dict[str, set[int]] = {}
    example: dict[str, str] = {}
    rows = store.all_texts(project)
    for _doc_id, text in rows:
        lower.update(WORD.findall(text))
    for doc_id, text in rows:
        for m in CAPITALISED.finditer(text):
            word = m.group()
            before = text[max(0, m.start() - 3) : m.start()].rstrip(" \t\"'“‘(")
            if not before or before[-1] in ".?!:;\n":
                continue  # a sentence's or a turn's first word
            if word.casefold() in known or word.lower() in lower:
                continue
            found[word] += 1
            in_docs.setdefault(word, set()).add(doc_id)
            example.setdefault(word, " ".join(text[max(0, m.start() - 40) : m.end() + 40].split()))
    return [
        (w, n, len(in_docs[w]), example[w]) for w, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _write_review(path: Path, rows: list[tuple[str, int, int, str]]) -> None:
    import io

    from beacon_qual.text.csvsafe import safe_cell
    from beacon_qual.text.outfile import Output

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["word", "occurrences", "documents", "example"])
    for word, n, docs, context in rows:
        writer.writerow([safe_cell(word), n, docs, safe_cell(context)])
    Output(path).write(buffer.getvalue())
