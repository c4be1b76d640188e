"""The SQL of code co-occurrence (``analysis.cooccurrence``): which codes hold selected codings, each code's units
and documents as one string, the combinations of codes per unit, and the codings themselves packed as integers.

``docs``, ``where`` and ``params`` are as in :mod:`.passages`. The functions reading ``coding_units``
or ``coding_counts`` (kept by triggers, see :mod:`.placement`) take the conditions :func:`row_filters` builds.
Each function is one statement (or one per code, as the analysis reads them); how the counts are made is the
analysis's.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Literal

from beacon_qual.store.db import Project


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


def packed_codings(
    project: Project, docs: str, where: str, params: list, code_ids: list[int]
) -> Iterator[int]:
    """The selected codings (of ``code_ids``; empty: any code) as a flat run of integers, three per coding:
    ``document_id << 32 | code_id``, ``coder_id``, ``start << 32 | end`` (no row objects in between)."""
    if code_ids:
        where += f" AND c.code_id IN ({_marks(code_ids)})"
        params = params + code_ids
    cursor = project.conn.cursor()
    cursor.row_factory = None
    return itertools.chain.from_iterable(
        cursor.execute(
            "SELECT (c.document_id << 32) | c.code_id, c.coder_id, (c.start << 32) | c.end FROM codings c "
            f"JOIN {docs} d ON d.id = c.document_id WHERE {where}",
            params,
        )
    )


def codes_with_codings(
    project: Project, docs: str, where: str, params: list, code_ids: Iterable[int]
) -> list[int]:
    """Those of ``code_ids`` (in their order) with at least one selected coding: one index probe per code."""
    probe = f"SELECT EXISTS (SELECT 1 FROM codings c JOIN {docs} d ON d.id = c.document_id WHERE c.code_id = ? AND {where})"
    return [code_id for code_id in code_ids if project.scalar(probe, [code_id, *params])]


def last_id(project: Project, table: Literal["documents", "units"]) -> int:
    """The largest id in ``documents`` or ``units`` (0 when empty)."""
    return project.scalar(f"SELECT max(id) FROM {table}") or 0


def row_filters(
    docs: str,
    table: str,
    coder_ids: list[int],
    documents: tuple[str, list],
    speaker: tuple[str, list] | None,
) -> tuple[str, list]:
    """The selection's coders and documents (``documents``: conditions on ``docs d``, '1' for all) as conditions
    (each led by AND, or '') on a table with coder_id and document_id columns: ``coding_units cu`` or
    ``coding_counts cc``; on ``cu`` also ``speaker``, a condition on its ``cu.unit_id`` (None: any speaker)."""
    where, params = "", []
    if coder_ids:
        where += f" AND {table}.coder_id IN ({_marks(coder_ids)})"
        params += coder_ids
    document_where, document_params = documents
    if document_where != "1":
        where += f" AND {table}.document_id IN (SELECT d.id FROM {docs} d WHERE {document_where})"
        params += document_params
    if speaker is not None and table == "cu":
        speaker_where, speaker_params = speaker
        where += f" AND {speaker_where}"
        params += speaker_params
    return where, params


def code_units(project: Project, kind: str, code_ids: list[int], where: str, params: list) -> Iterator[str]:
    """For each code in turn, the ids of the units of ``kind`` its selected codings overlap, comma-separated
    (a unit may come more than once: several codings, several coders); read from ``coding_units`` one range of
    its key (kind, code) per code, without a sort. ``where``: :func:`row_filters` on ``cu``."""
    sql = f"SELECT group_concat(cu.unit_id) FROM coding_units cu WHERE cu.kind = ? AND cu.code_id = ?{where}"
    for code_id in code_ids:
        yield project.scalar(sql, [kind, code_id, *params]) or ""


def code_documents(project: Project, code_ids: list[int], where: str, params: list) -> list[str]:
    """For each code, the documents holding its selected codings, comma-separated: read from ``coding_counts``
    (a row per code, document and coder), one range of its key per code. ``where``: :func:`row_filters` on
    ``cc``."""
    sql = f"SELECT group_concat(cc.document_id) FROM coding_counts cc WHERE cc.code_id = ?{where}"
    return [project.scalar(sql, [code_id, *params]) or "" for code_id in code_ids]


def code_documents_in_turns(project: Project, code_ids: list[int], where: str, params: list) -> list[str]:
    """As :func:`code_documents`, for codings that overlap a turn (``where``: :func:`row_filters` on ``cu``, with
    the speaker), read from ``coding_units``."""
    sql = (
        "SELECT group_concat(DISTINCT cu.document_id) FROM coding_units cu "
        f"WHERE cu.kind = 'turn' AND cu.code_id = ?{where}"
    )
    return [project.scalar(sql, [code_id, *params]) or "" for code_id in code_ids]


def unit_combinations(
    project: Project, kind: str, code_ids: list[int], where: str, params: list, *, cache_kib: int
) -> list[tuple[str, int]]:
    """Each combination of codes found together in units of ``kind`` (their positions in ``code_ids``,
    comma-separated, in no particular order, a code repeated when several of its codings overlap the unit),
    with the number of units holding it; SQLite groups the rows by unit and then by combination, with a page
    cache of ``cache_kib`` (negative: KiB) for the sort while it runs. ``where``: :func:`row_filters` on ``cu``."""
    position = " ".join(f"WHEN {code_id} THEN {i}" for i, code_id in enumerate(code_ids))
    cache = project.scalar("PRAGMA cache_size")
    project.execute(f"PRAGMA cache_size = {cache_kib}")
    try:
        return project.execute(
            f"SELECT combination, count(*) FROM (SELECT group_concat(CASE cu.code_id {position} END) AS combination"
            f" FROM coding_units cu WHERE cu.kind = ? AND cu.code_id IN ({','.join(str(c) for c in code_ids)}){where}"
            " GROUP BY cu.unit_id) GROUP BY combination",
            [kind, *params],
        ).fetchall()
    finally:
        project.execute(f"PRAGMA cache_size = {cache}")
