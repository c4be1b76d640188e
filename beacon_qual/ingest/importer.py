"""Importing transcripts into a project: one transaction for everything named on the command line.

:func:`read_transcript` turns one file into stored text, metadata, speaker turns
and sentences without touching a project (revisions reuse it).
:func:`import_paths` imports files and folders: every file is read and checked,
its council resolved, and its document, units and audit record written inside a
single transaction, so any error leaves the project as it was.

A council written in the front matter or a manifest must be a code, a name or a
known spelling. One that matches a council only by similarity ('Stokport') is
refused, as in survey import, unless ``accept_fuzzy`` is given; then it is read as
its closest council and the summary says so for every file it was used for
("manifest.csv row 7: 'Stokport' read as ... (fuzzy, score 94)"). Such spellings
are not remembered as aliases: each import states its own acceptance.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path

from beacon_qual.cases.councils import CouncilMatch, resolve_council, resolve_many
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.metadata import (
    MANIFEST_NAME,
    ManifestRow,
    Metadata,
    load_manifest,
    split_front_matter,
)
from beacon_qual.ingest.readers import DEFAULT_MAX_SIZE, FORMATS, read_source, rst_headings, source_format
from beacon_qual.ingest.speaker_roles import sentence_roles, turn_roles
from beacon_qual.ingest.speakers import Turn, find_turns, turns_from_labels, without_headings
from beacon_qual.ingest.workers import Analysis, result_of, submit, unpack, worker_count, worker_pool
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store import ingest as sql
from beacon_qual.store.placement import writer_indexes_sentences
from beacon_qual.text.encoding import text_encoding
from beacon_qual.text.sentences import paragraph_spans, sentence_spans_within

Progress = Callable[[int, int], None]
PASSED_OVER_LISTED = 5
MAX_PARAGRAPH = 1_000_000  # spaCy's default nlp.max_length, which the sentence splitter keeps


@dataclass
class ParsedTranscript:
    """One transcript file, ready to store. Turns and sentences are worked out on first use."""

    name: str
    source_path: str
    source_format: str
    source_encoding: str | None
    text: str
    metadata: Metadata
    voice_labels: list[tuple[int, int, str | None]] = field(default_factory=list, repr=False)
    headings: list[tuple[int, int]] = field(default_factory=list, repr=False)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def word_count(self) -> int:
        return len(self.text.split())

    @cached_property
    def turns(self) -> list[Turn]:
        turns = (
            turns_from_labels(self.text, self.voice_labels) if self.voice_labels else find_turns(self.text)
        )
        return without_headings(self.text, turns, self.headings)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans, found in each turn's text on its own so that none crosses a turn boundary."""
        return sentence_spans_within(self.text, [(turn.text_start, turn.end) for turn in self.turns])

    def take(self, analysis: Analysis) -> None:
        """Use what :func:`~.workers.analyse` worked out from this text elsewhere."""
        self.__dict__.update(
            zip(("sha256", "word_count", "turns", "sentences"), unpack(analysis), strict=True)
        )


def read_transcript(
    path: Path | str, *, max_size: int = DEFAULT_MAX_SIZE, encoding: str | None = None
) -> ParsedTranscript:
    """Read one transcript file: text, encoding, front matter metadata; turns and sentences on demand.

    ``encoding`` names the text encoding instead of detecting it.
    """
    path = Path(path)
    source = read_source(path, max_size=max_size, encoding=encoding)
    text, metadata = source.text, Metadata()
    if not source.voice_labels:
        metadata, text = split_front_matter(text, str(path))
        if not text.strip():
            raise BeaconError(f"{path} holds front matter but no transcript text")
    _check_paragraphs(path, text)
    return ParsedTranscript(
        name=path.name,
        source_path=str(path.resolve()),
        source_format=source.format,
        source_encoding=source.encoding,
        text=text,
        metadata=metadata,
        voice_labels=source.voice_labels,
        headings=rst_headings(text) if source.format == "rst" else [],
    )


def _check_paragraphs(path: Path, text: str) -> None:
    """Refuse a paragraph longer than the sentence splitter takes (spaCy's ``max_length``)."""
    if len(text) <= MAX_PARAGRAPH:
        return
    for start, end in paragraph_spans(text):
        if end - start > MAX_PARAGRAPH:
            line = text.count("\n", 0, start) + 1
            raise BeaconError(
                f"{path}: the paragraph at line {line} is {end - start:,} characters long, more than the "
                f"{MAX_PARAGRAPH:,} a paragraph may have; break it up with blank lines"
            )


@dataclass
class ImportSummary:
    """What an import did: new documents, files already imported unchanged, and their totals."""

    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    words: int = 0
    turns: int = 0
    sentences: int = 0
    councils: int = 0
    organisations: int = 0  # cases that are not councils
    no_case: int = 0  # documents imported with no case
    warnings: list[str] = field(default_factory=list)


def collect_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[str]]:
    """The transcript files named or found (recursively) in folders, and warnings about what was left out.

    A file named directly must be a transcript type; in folders, other files, hidden files, README
    files and ``manifest.csv`` are passed over. Two files with the same name are an error, since a
    document's name is its file name.
    """
    files: list[Path] = []
    warnings: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, others = _folder_files(path)
            files.extend(found)
            if others:
                listed = ", ".join(others[:PASSED_OVER_LISTED])
                more = (
                    f" and {len(others) - PASSED_OVER_LISTED} more"
                    if len(others) > PASSED_OVER_LISTED
                    else ""
                )
                warnings.append(f"{path}: passed over files that are not transcripts: {listed}{more}")
        elif path.is_file():
            source_format(path)
            files.append(path)
        else:
            raise BeaconError(f"{path}: no such file or folder")
    return _unique(files), warnings


def _folder_files(folder: Path) -> tuple[list[Path], list[str]]:
    """Transcripts in a folder and its subfolders, and the names of the other files passed over."""
    found: list[Path] = []
    others: list[str] = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.name == MANIFEST_NAME or path.name.startswith("~$"):  # ~$: Word's lock files
            continue
        if path.suffix.lower() in FORMATS and path.stem.upper() != "README":
            found.append(path)
        else:
            others.append(relative.as_posix())
    return found, others


def _unique(files: list[Path]) -> list[Path]:
    by_name: dict[str, Path] = {}
    unique: list[Path] = []
    for path in files:
        seen = by_name.get(path.name)
        if seen is not None and seen.resolve() == path.resolve():
            continue
        if seen is not None:
            raise BeaconError(
                f"two files are called {path.name!r} ({seen} and {path}); a document's name is its file "
                "name, so rename one"
            )
        by_name[path.name] = path
        unique.append(path)
    return unique


def import_paths(
    project: Project,
    paths: Iterable[Path | str],
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    progress: Progress | None = None,
    encoding: str | None = None,
    accept_fuzzy: bool = False,
    jobs: int | None = None,
    given: Metadata | None = None,
    no_council: bool = False,
) -> ImportSummary:
    """Import transcript files and folders in one transaction: all of them or, on any error, none.

    ``encoding`` names the encoding of every text file instead of detecting it. ``accept_fuzzy``
    reads a council matched only by similarity as its closest council (with a warning) instead of
    refusing it. ``jobs`` is the number of processes, this one included, that work out turns and
    sentences (see :mod:`.workers`; None decides by itself, 1 works in this process alone).
    ``given`` holds metadata for every file (council, phase, role from the command line): it fills in
    what a file's front matter or manifest row leaves out, and a file that says otherwise is refused.
    ``no_council`` imports files that name no council with no case at all; a file naming one is refused.
    A file whose manifest row leaves the council empty is imported with no case, with a warning.
    """
    if encoding is not None:
        text_encoding(encoding)
    given = given or Metadata()
    if no_council and given.council is not None:
        raise BeaconError("give either --council or --no-council, not both")
    paths = list(paths)
    files, warnings = collect_files(paths)
    summary = ImportSummary(warnings=warnings)
    if not files:
        where = ", ".join(str(path) for path in paths)
        raise BeaconError(f"no transcript files found in {where} (.txt, .md, .rst, .docx, .vtt, .srt)")
    if not no_council and not sql.has_cases(project):
        raise BeaconError("this project has no councils yet; run 'beacon-qual cases seed' first")
    manifests = _Manifests(files)
    refs = manifests.council_refs() + ([given.council] if given.council else [])
    councils = _CouncilResolver(project, refs, accept_fuzzy)
    case_ids: set[int | None] = set()
    workers = worker_count(jobs, len(files))
    with ExitStack() as stack:
        read = partial(read_transcript, max_size=max_size, encoding=encoding)
        if workers:
            pool = stack.enter_context(worker_pool(workers))
            parsed_files = _read_ahead(project, pool, files, read, ahead=4 * workers)
        else:
            parsed_files = ((path, read(path)) for path in files)
        stack.enter_context(project.transaction())
        # _store indexes this transaction's sentences itself (through write_units).
        stack.enter_context(writer_indexes_sentences(project))
        for done, (path, parsed) in enumerate(parsed_files, start=1):
            metadata = parsed.metadata.merged(manifests.metadata_for(path), str(path))
            if _already_imported(project, parsed, path):
                summary.unchanged.append(parsed.name)
            else:
                where = f"{path} front matter" if parsed.metadata.council else manifests.row_name(path)
                metadata, case_id = _case_of(
                    councils, manifests, path, where, metadata, given, no_council, summary.warnings
                )
                _store(project, parsed, metadata, case_id)
                case_ids.add(case_id)
                summary.no_case += case_id is None
                summary.imported.append(parsed.name)
                summary.words += parsed.word_count
                summary.turns += len(parsed.turns)
                summary.sentences += len(parsed.sentences)
            if progress is not None:
                progress(done, len(files))
    kinds = _case_kinds(project, case_ids)
    summary.councils = kinds.count("council")
    summary.organisations = kinds.count("organisation")
    summary.warnings.extend(councils.fuzzy)
    summary.warnings.extend(manifests.unmatched_rows())
    return summary


def _case_of(
    councils: _CouncilResolver,
    manifests: _Manifests,
    path: Path,
    where: str,
    metadata: Metadata,
    given: Metadata,
    no_council: bool,
    warnings: list[str],
) -> tuple[Metadata, int | None]:
    """A file's metadata with the command line's filled in, and its case (None: no case)."""
    for name in ("phase", "role"):
        mine, theirs = getattr(metadata, name), getattr(given, name)
        if mine is not None and theirs is not None and mine != theirs:
            raise BeaconError(f"{where}: {name} is {mine!r} but --{name} says {theirs!r}")
    metadata = replace(
        metadata,
        phase=metadata.phase if metadata.phase is not None else given.phase,
        role=metadata.role if metadata.role is not None else given.role,
    )
    if metadata.council is None and given.council is None:
        if no_council:
            return metadata, None
        row = manifests.row_name(path) if manifests.has_row(path) else None
        if row is not None:
            warnings.append(f"{row}: the council is empty; {path.name} imported with no council")
            return metadata, None
        raise BeaconError(
            f"{path}: no council given; add 'council:' front matter or a row in {MANIFEST_NAME} beside it, "
            "or import with --council NAME or --no-council"
        )
    if no_council:
        raise BeaconError(
            f"{where}: names the council {metadata.council!r}, but the import says --no-council"
        )
    if metadata.council is None:
        assert given.council is not None  # both None returned above
        return replace(metadata, council=given.council), councils.case_id(given.council, path, "--council")
    case_id = councils.case_id(metadata.council, path, where)
    if given.council is not None and councils.case_id(given.council, path, "--council") != case_id:
        raise BeaconError(
            f"{where}: the council is {metadata.council!r} but --council says {given.council!r}"
        )
    return metadata, case_id


def _case_kinds(project: Project, case_ids: set[int | None]) -> list[str]:
    """The kind ('council' or 'organisation') of each case among ``case_ids``."""
    ids = sorted(c for c in case_ids if c is not None)
    if not ids:
        return []
    return sql.case_kinds(project, ids)


def _read_ahead(
    project: Project,
    pool: ProcessPoolExecutor,
    files: list[Path],
    read: Callable[[Path], ParsedTranscript],
    *,
    ahead: int,
) -> Iterator[tuple[Path, ParsedTranscript]]:
    """Each file read, with its turns and sentences worked out by the pool, in file order.

    Files are read up to ``ahead`` beyond the one given out, and their texts handed to the pool at once, so
    that the workers are busy while the caller checks and writes. An error reading a file is raised only
    when that file's turn comes, as it would be reading one file at a time; nothing past it is read. A
    file whose name is already a document is not worked out: the import stops there or passes it over.
    """
    waiting: deque[tuple[Path, ParsedTranscript | None, Future[Analysis] | BaseException | None]] = deque()
    paths = iter(files)
    failed = False

    def read_more() -> None:
        nonlocal failed
        while len(waiting) < ahead and not failed:
            path = next(paths, None)
            if path is None:
                return
            try:
                parsed = read(path)
            except Exception as exc:  # noqa: BLE001 - raised when its turn comes, as it is
                waiting.append((path, None, exc))
                failed = True
                return
            known = sql.document_name_taken(project, parsed.name)
            work = None if known else submit(pool, parsed.text, parsed.voice_labels, parsed.headings)
            waiting.append((path, parsed, work))

    read_more()
    while waiting:
        path, parsed, work = waiting.popleft()
        read_more()
        if isinstance(work, BaseException):
            raise work
        assert parsed is not None
        if work is not None:
            parsed.take(result_of(work))
        yield path, parsed


class _Manifests:
    """The manifests beside the files, read before anything is imported; remembers which rows were used."""

    def __init__(self, files: list[Path]) -> None:
        self._by_folder: dict[Path, dict[str, ManifestRow]] = {}
        self._used: set[tuple[Path, str]] = set()
        for path in files:
            folder = path.resolve().parent
            if folder not in self._by_folder:
                manifest = path.parent / MANIFEST_NAME
                self._by_folder[folder] = load_manifest(manifest) if manifest.is_file() else {}

    def council_refs(self) -> list[str]:
        return [
            r.metadata.council
            for rows in self._by_folder.values()
            for r in rows.values()
            if r.metadata.council
        ]

    def metadata_for(self, path: Path) -> Metadata:
        folder = path.resolve().parent
        entry = self._by_folder[folder].get(path.name)
        if entry is None:
            return Metadata()
        self._used.add((folder, path.name))
        return entry.metadata

    def has_row(self, path: Path) -> bool:
        return path.name in self._by_folder[path.resolve().parent]

    def row_name(self, path: Path) -> str:
        """Where a file's manifest row is, for messages: "folder/manifest.csv row 4"."""
        entry = self._by_folder[path.resolve().parent].get(path.name)
        return f"{path.parent / MANIFEST_NAME} row {entry.line}" if entry is not None else str(path)

    def unmatched_rows(self) -> list[str]:
        """Manifest rows naming a file that does not exist beside the manifest."""
        return [
            f"{folder / MANIFEST_NAME}: no file {name!r} beside it"
            for folder, rows in self._by_folder.items()
            for name in rows
            if (folder, name) not in self._used and not (folder / name).is_file()
        ]


class _CouncilResolver:
    """Case ids from council references, each reference resolved once per import.

    The manifests' references are resolved together before anything is written; a reference
    that does not resolve is reported only when a file being imported uses it. A fuzzy match is
    refused unless ``accept_fuzzy``; each use of an accepted one is listed in ``fuzzy``.
    """

    def __init__(self, project: Project, known_refs: list[str], accept_fuzzy: bool):
        self.project = project
        self.accept_fuzzy = accept_fuzzy
        self.fuzzy: list[str] = []
        matches, problems = resolve_many(project, known_refs)
        self._matches: dict[str, CouncilMatch] = matches
        self._problems: dict[str, BeaconError] = dict(problems)

    def case_id(self, ref: str, path: Path, where: str) -> int:
        if ref not in self._matches:
            try:
                if ref in self._problems:
                    raise self._problems[ref]
                self._matches[ref] = resolve_council(self.project, ref)
            except BeaconError as exc:
                raise BeaconError(f"{path}: {exc.message}", details=exc.details) from None
        match = self._matches[ref]
        if match.how == "fuzzy":
            self._check_fuzzy(ref, match, where)
        return match.case_id

    def _check_fuzzy(self, ref: str, match: CouncilMatch, where: str) -> None:
        if not self.accept_fuzzy:
            raise BeaconError(
                f"{where}: {ref!r} matches {match.name} only by similarity (score {match.score:.0f}); "
                "write the council's name or code, or import with --accept-fuzzy"
            )
        self.fuzzy.append(f"{where}: {ref!r} read as {match.name} (fuzzy, score {match.score:.0f})")


def _already_imported(project: Project, parsed: ParsedTranscript, path: Path) -> bool:
    """True when this name was imported with this text; an error when the name or the text clash."""
    sha256 = sql.sha256_of_document_named(project, parsed.name)
    if sha256 is not None:
        if sha256 == parsed.sha256:
            return True
        raise BeaconError(
            f"{path}: changed since it was imported; use 'beacon-qual revise' to import the new text "
            "as a revision of document " + repr(parsed.name)
        )
    other = sql.document_with_text(project, parsed.sha256)
    if other is not None:
        raise BeaconError(f"{path}: the same text was already imported as document {other!r}")
    return False


def _store(project: Project, parsed: ParsedTranscript, metadata: Metadata, case_id: int | None) -> int:
    row = {
        "uuid": new_uuid(),
        "name": parsed.name,
        "sha256": parsed.sha256,
        "case_id": case_id,
        "phase": metadata.phase,
        "role": metadata.role,
        "interview_date": metadata.interview_date,
        "interviewer": metadata.interviewer,
        "respondent": metadata.respondent,
        "source_path": parsed.source_path,
        "source_format": parsed.source_format,
        "source_encoding": parsed.source_encoding,
        "word_count": parsed.word_count,
        "imported_at": now(),
    }
    document_id = sql.insert_document(project, parsed.text, row)
    write_units(project, document_id, parsed, metadata.interviewer)
    row.update(turns=len(parsed.turns), sentences=len(parsed.sentences))
    project.audit("import", "documents", document_id, after=row)
    return document_id


def write_units(
    project: Project, document_id: int, parsed: ParsedTranscript, interviewer: str | None = None
) -> None:
    """Write a new document's turns and sentences with their speaker roles (``interviewer`` is the name
    in the document's metadata, which makes that speaker's turns the interviewer's), and the sentences'
    full-text index entries.

    Must run inside :func:`beacon_qual.store.placement.writer_indexes_sentences` (so that the insert trigger,
    which would read the whole document again for every sentence, leaves the index to this, and the counting
    trigger leaves the document's row of ``unit_counts`` to it too).
    """
    # Unit ids are given rather than left to SQLite (the same max(id) + 1 it would pick), so that each
    # sentence's index entry can be written with its id from the text held here.
    first_id = sql.next_unit_id(project)
    sql.insert_units(project, _unit_rows(document_id, parsed, interviewer, first_id))
    # The units' counts (unit_counts, schema V11), which the insert trigger leaves to this writer too.
    sql.add_unit_counts(
        project,
        [
            (
                document_id,
                kind,
                len(spans),
                sum(end > start for start, end in spans),
                max(e for _, e in spans),
            )
            for kind, spans in (
                ("turn", [(turn.start, turn.end) for turn in parsed.turns]),
                ("sentence", parsed.sentences),
            )
            if spans
        ],
    )
    first_sentence = first_id + len(parsed.turns)
    text = parsed.text
    sql.index_sentences(
        project,
        ((unit_id, text[start:end]) for unit_id, (start, end) in enumerate(parsed.sentences, first_sentence)),
    )


def _unit_rows(
    document_id: int, parsed: ParsedTranscript, interviewer: str | None, first_id: int
) -> Iterator[tuple]:
    """The turns, then the sentences, numbered from ``first_id``, each with its speaker role."""
    roles = turn_roles([turn.speaker for turn in parsed.turns], interviewer, {})
    spans = [(turn.start, turn.end) for turn in parsed.turns]
    unit_id = first_id
    for seq, (turn, role) in enumerate(zip(parsed.turns, roles, strict=True), start=1):
        yield unit_id, document_id, "turn", seq, turn.start, turn.end, turn.speaker, role
        unit_id += 1
    sentence_role = sentence_roles(spans, roles, parsed.sentences)
    for seq, ((start, end), role) in enumerate(zip(parsed.sentences, sentence_role, strict=True), start=1):
        yield unit_id, document_id, "sentence", seq, start, end, None, role
        unit_id += 1
