"""Code frequencies: codings, documents and councils per code, optionally grouped.

Groups are any of document, council, phase, role, coder and wave (the survey
wave of a document's phase, recorded with ``survey waves set``; see :mod:`.waves`). The wide
council-by-code matrix, joined with survey measures, is in :mod:`.wide`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby, pairwise
from operator import itemgetter
from typing import Any, NamedTuple

from beacon_qual.analysis.bases import analysis_base
from beacon_qual.analysis.options import GROUP_FIELDS
from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.passages import passages_cte
from beacon_qual.analysis.provenance import provenance
from beacon_qual.analysis.selection import (
    Filters,
    Selection,
    coder_names,
    council_notes,
    councils,
    resolve_filters,
)
from beacon_qual.analysis.waves import phase_waves
from beacon_qual.codebook.tree import closure_cte, load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import frequencies as store

_GROUP_SQL = {
    "document": "document_id",
    "council": "case_id",
    "phase": "phase",
    "role": "role",
    "coder": "coder_id",
    "wave": "wave",
}


class FrequencyRow(NamedTuple):  # a tuple: made once per code and group
    code_id: int
    code: str
    group: tuple[Any, ...]
    codings: int | None  # None when counted with passages=False
    documents: int
    councils: int


@dataclass
class Frequencies:
    by: tuple[str, ...]
    rollup: bool
    found: list[FrequencyRow] | None
    selection: Selection
    coders: list[str]
    # By document alone: the report's rows as SQL read them (code path, document, codings, documents,
    # councils), already in order; ``rows`` is made from them only when asked for.
    table: list[tuple[Any, ...]] | None = None
    code_ids: dict[str, int] | None = None  # the table's code paths' ids

    @property
    def rows(self) -> list[FrequencyRow]:
        if self.found is None:
            ids = self.code_ids or {}
            self.found = [FrequencyRow(ids[r[0]], r[0], (r[1],), *r[2:]) for r in self.table or []]
        return self.found


def check_fields(by: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    fields: list[str] = []
    for field in by:
        if field not in GROUP_FIELDS:
            raise BeaconError(f"cannot group by {field!r} (choose from {', '.join(GROUP_FIELDS)})")
        if field not in fields:
            fields.append(field)
    return tuple(fields)


def frequencies(
    project: Project,
    filters: Filters | None = None,
    *,
    by: tuple[str, ...] = (),
    rollup: bool = False,
    passages: bool = True,
) -> Frequencies:
    """Codings, documents and councils per code (and group). ``passages=False`` leaves the codings out
    (``codings`` is None): with roll-up, documents and councils are then read from the per-document counts
    rather than from every coding, which is what the workbench's matrix needs on every filter change."""
    by = check_fields(by)
    tree = load_code_tree(project)
    selection = resolve_filters(project, filters or Filters(), tree)
    code_ids = selection.code_ids or None
    group_cols = [_GROUP_SQL[f] for f in by]
    by_document = by == ("document",)
    if not rollup and "coder" not in by and selection.speaker is None:
        cte, params = _per_document_cte(selection, code_ids)
        counted = "sum(n)"
    elif not passages and "coder" not in by and selection.speaker is None:
        cte, params = _per_document_cte(selection, code_ids, rollup=True)
        counted = "NULL"
    else:
        cte, params = passages_cte(selection, rollup=rollup, code_ids=code_ids)
        counted = "count(*)"
    if by_document and counted == "sum(n)":
        # One row per code and document already (coding_counts' key): the document is 1 and the council 1 or
        # 0, with no second grouping. The rows come in the order of that key, so each code's rows are one run,
        # in document id order; each is made once, as the report's (code path, document name and the counts),
        # and sorted by name within its code (names are unique text; the sort below would do the same), which
        # leaves them as they are when the documents' names rise with their ids.
        names = store.document_names(project)
        ids = sorted(names)
        by_id_is_by_name = all(names[a] < names[b] for a, b in pairwise(ids))
        doc_where, doc_params = selection.document_where()
        counts = store.per_document_counts(project, doc_where, doc_params, code_ids, selection.coder_ids)
        per_code: dict[int, list[tuple[Any, ...]]] = {}
        paths = tree.path
        for code_id, run in groupby(counts, itemgetter(0)):
            path = paths[code_id]
            per_code[code_id] = [(path, names[document], n, 1, council) for _c, document, n, council in run]
        table: list[tuple[Any, ...]] = []
        for code_id in selection.code_ids or tree.order:
            held = per_code.get(code_id)
            if held:
                if not by_id_is_by_name:
                    held.sort(key=itemgetter(1))
                table.extend(held)
        return Frequencies(
            by,
            rollup,
            None,
            selection,
            coder_names(project, selection),
            table=table,
            code_ids={tree.path[c]: c for c in selection.code_ids or tree.order},
        )
    labels = _labels(project, by)
    found: dict[int, list] = {}
    width = len(by)
    grouped = store.grouped_counts(project, cte, params, group_cols, counted)
    if width == 1:  # one field (say by document: 200,000 rows at 10,000 documents): no tuple built per value
        label = labels[by[0]]
        for row in grouped:
            found.setdefault(row[0], []).append(((label(row[1]),), row[2:]))
    else:
        for row in grouped:
            group = tuple(labels[f](value) for f, value in zip(by, row[1 : 1 + width]))
            found.setdefault(row[0], []).append((group, tuple(row[1 + width :])))
    rows: list[FrequencyRow] = []
    for code_id in selection.code_ids or tree.order:
        groups = found.get(code_id) or ([((), (0, 0, 0))] if not by else [])
        path = tree.path[code_id]
        if width == 1 and all(type(group[0]) is str for group, _counts in groups):
            groups.sort(key=lambda item: item[0][0])  # what _sort_key orders by when every value is text
        else:
            groups.sort(key=lambda item: _sort_key(item[0]))
        rows.extend(FrequencyRow(code_id, path, group, *counts) for group, counts in groups)  # type: ignore[misc]
    return Frequencies(by, rollup, rows, selection, coder_names(project, selection))


def documents_per_code_and_case(
    project: Project, selection: Selection, *, rollup: bool = True
) -> dict[tuple[int, int], int]:
    """Coded documents per (code id, council id) of a resolved selection: the ``documents`` figure of
    :func:`frequencies` grouped by council, read in one SQL pass with no row object per cell (the workbench's
    matrix asks for all of them on every filter change). A council without a document of a code is absent.

    The pass reads ``coding_counts`` (a row per code, document and coder) through the code closure, the
    documents filtered before grouping. With a speaker filter a row is kept when one of its codings lies in
    that side's turns, looked up in ``coding_units`` by the row's key (:meth:`Selection.speaker_counts_where`):
    the codings themselves are not read."""
    doc_where, doc_params = selection.document_where()
    speaker = selection.speaker_counts_where("x") if selection.speaker is not None else None
    rows = store.documents_by_code_and_case(
        project,
        doc_where,
        doc_params,
        selection.coder_ids,
        speaker,
        selection.code_ids or None,
        closure_cte() if rollup else None,
    )  # plain tuples: 18,000 rows for 388 councils and 47 codes
    return {(code_id, case_id): n for code_id, case_id, n in rows}


def _per_document_cte(
    selection: Selection, code_ids: list[int] | None, *, rollup: bool = False
) -> tuple[str, list]:
    """``passages`` as one row per code and document with its number of codings ``n``, read from
    ``coding_counts`` (a row per code, document and coder, kept by triggers) before any document is looked up:
    a few rows per document, rather than every coding scanned in the ``codings_code`` index or joined to its
    document. With ``rollup`` each count also goes to the code's ancestors, so ``n`` no longer counts passages
    (two codes below one parent on one span are one passage of it): only the documents and councils are right
    then."""
    doc_where, doc_params = selection.document_where()
    closure = closure_cte() if rollup else None
    return store.per_document_cte(doc_where, doc_params, code_ids, selection.coder_ids, closure)


def _sort_key(values: tuple) -> tuple:
    return tuple((v is None, str(type(v)), v if v is not None else 0) for v in values)


def _labels(project: Project, by: tuple[str, ...]) -> dict[str, Any]:
    labels: dict[str, Any] = {}
    for field in by:
        if field == "document":
            names = store.document_names(project)
            labels[field] = lambda v, names=names: names.get(v)
        elif field == "council":
            known = councils(project)
            labels[field] = lambda v, known=known: (
                (known[v].label, known[v].name) if v in known else (None, None)
            )
        elif field == "coder":
            names = store.coder_names(project)
            labels[field] = lambda v, names=names: names.get(v)
        else:
            labels[field] = lambda v: v
    return labels


def group_columns(by: tuple[str, ...]) -> list[str]:
    columns: list[str] = []
    for field in by:
        columns.extend(["council", "council_name"] if field == "council" else [field])
    return columns


def flat_group(by: tuple[str, ...], group: tuple[Any, ...]) -> list[Any]:
    values: list[Any] = []
    for field, value in zip(by, group):
        values.extend(value if field == "council" else [value])
    return values


def frequency_report(project: Project, result: Frequencies) -> Report:
    columns = ["code", *group_columns(result.by), "codings", "documents", "councils"]
    rows: list[list[Any]]
    if result.table is not None:
        rows = result.table  # type: ignore[assignment]
    elif "council" in result.by:
        rows = [
            [row.code, *flat_group(result.by, row.group), row.codings, row.documents, row.councils]
            for row in result.rows
        ]
    else:  # the groups are the columns as they are
        rows = [[row.code, *row.group, row.codings, row.documents, row.councils] for row in result.rows]
    record = provenance(
        project,
        "frequencies",
        filters=result.selection.filters.as_dict(),
        coders=result.coders,
        options={
            "by": list(result.by),
            "rollup": result.rollup,
            "documents_without_council": result.selection.without_council,
        },
    )
    record["base"] = analysis_base(project, result.selection).as_dict()
    if "wave" in result.by or result.selection.filters.waves:
        record["phase_waves"] = [pw.text() for pw in phase_waves(project).values()]
    title = "Code frequencies" + (f" by {', '.join(result.by)}" if result.by else "")
    notes = (
        ["Counts with roll-up: a coding counts for each ancestor of its code, once per passage."]
        if result.rollup
        else []
    ) + council_notes(result.selection)
    return Report(title, record, [Table("frequencies", "Frequencies", columns, rows)], notes)
