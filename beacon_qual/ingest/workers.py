"""Working out transcripts' turns and sentences in worker processes while an import reads and writes.

Everything that follows from a transcript's decoded text alone (its sha256, word count, speaker turns and
sentences) can be worked out away from the project. An import of many files hands the texts to a pool of
processes forked from the importing one once spaCy is loaded, so the workers do not load it again; the
importing process keeps reading, checking and writing, file by file, in the same order as without them.
Workers never see the project: they get a text and its voice labels and give back what was worked out.

The pool is used only when it can help: with at least :data:`MIN_FILES` files, more than one CPU and the
"fork" start method. ``import --jobs N`` or ``BEACON_QUAL_JOBS=N`` sets the number of processes, the importing
one included (N - 1 workers); 1 works in process. By default it is the number of CPUs available: the importing
process is busy too, with its reading and writing.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
from array import array
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from beacon_qual.errors import BeaconError
from beacon_qual.ingest.speakers import Turn, find_turns, turns_from_labels, without_headings
from beacon_qual.text.sentences import prepare_sentences, sentence_spans_within

JOBS_ENV = "BEACON_QUAL_JOBS"
MIN_FILES = 8  # fewer files than this are worked out in process: starting workers would cost more

# sha256, word count, turns' offsets (three a turn) and speakers, sentences' offsets (two a sentence): plain
# values and arrays pickle and unpickle much faster than Turn objects and tuples.
Analysis = tuple[str, int, bytes, list[str | None], bytes]


def analyse(
    text: str,
    voice_labels: list[tuple[int, int, str | None]],
    headings: list[tuple[int, int]] | tuple[()] = (),
) -> Analysis:
    """A transcript's sha256, word count, turns and sentences (spans within turns) from its text alone."""
    turns = turns_from_labels(text, voice_labels) if voice_labels else find_turns(text)
    turns = without_headings(text, turns, list(headings))
    sentences = sentence_spans_within(text, [(turn.text_start, turn.end) for turn in turns])
    offsets = array("q", [n for turn in turns for n in (turn.start, turn.text_start, turn.end)])
    speakers = [turn.speaker for turn in turns]
    spans = array("q", [n for span in sentences for n in span])
    return (
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        len(text.split()),
        offsets.tobytes(),
        speakers,
        spans.tobytes(),
    )


def unpack(analysis: Analysis) -> tuple[str, int, list[Turn], list[tuple[int, int]]]:
    """sha256, word count, turns and sentences from what :func:`analyse` gave."""
    sha256, word_count, offsets_bytes, speakers, spans_bytes = analysis
    offsets, spans = array("q"), array("q")
    offsets.frombytes(offsets_bytes)
    spans.frombytes(spans_bytes)
    turns = list(map(Turn, offsets[0::3], offsets[1::3], offsets[2::3], speakers))
    return sha256, word_count, turns, list(zip(spans[0::2], spans[1::2], strict=True))


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def worker_count(jobs: int | None, files: int) -> int:
    """How many worker processes to use for ``files`` files: 0 to work in process.

    ``jobs`` is the number of processes asked for, the importing one included (None: ``BEACON_QUAL_JOBS``
    or, unset, one per available CPU), so there is one worker fewer.
    """
    if jobs is None:
        jobs = _jobs_from_environment()
    if jobs is not None and jobs < 1:
        raise BeaconError(f"the number of jobs must be 1 or more, not {jobs}")
    if files < MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if jobs is None:
        jobs = available_cpus()
    return min(jobs - 1, files)


def _jobs_from_environment() -> int | None:
    value = os.environ.get(JOBS_ENV, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise BeaconError(f"{JOBS_ENV} must be a whole number of jobs (1 or more), not {value!r}") from None


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` processes forked with spaCy loaded; on any error or interrupt the work not yet
    begun is cancelled and the workers are ended before the error goes on, so none is left running.

    A pool from concurrent.futures rather than multiprocessing.Pool: when a worker dies (killed for memory,
    say), its result raises BrokenProcessPool instead of never arriving, and the import fails (see
    :func:`result_of`) instead of waiting for ever.
    """
    prepare_sentences()
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_interrupts
    )
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


WORKER_DIED = (
    "an import worker process ended unexpectedly (out of memory?); nothing was imported: "
    "run the import again, or with --jobs 1 to work in one process"
)


def submit(
    pool: ProcessPoolExecutor,
    text: str,
    voice_labels: list[tuple[int, int, str | None]],
    headings: list[tuple[int, int]] | None = None,
) -> Future[Analysis]:
    """Hand one text to the pool; a pool already broken by a worker's death fails the import with one line.

    The pool notices a dead worker on a thread of its own, so the death may come to light here, when more work
    is handed in, as well as in :func:`result_of`.
    """
    try:
        return pool.submit(analyse, text, voice_labels, headings or [])
    except BrokenProcessPool:
        raise BeaconError(WORKER_DIED) from None


def result_of(work: Future[Analysis]) -> Analysis:
    """A worker's result; a worker that ended without giving one fails the import with one line."""
    try:
        return work.result()
    except BrokenProcessPool:
        raise BeaconError(WORKER_DIED) from None


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the importing process stops and ends its workers itself,
    # rather than each worker stopping with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
