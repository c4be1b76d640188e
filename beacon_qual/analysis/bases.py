"""The base of an analysis: the councils and documents it counts, and how many of them are coded.

Every council (and document) that the selection keeps and that has a document is in the base: a council
that was interviewed and has no coding of a code counts as 0 for that code, not as missing. Outputs state
the base as "N councils interviewed, N coded; N documents, N coded", and how many documents of the
selection are not marked fully coded (``docs done``); with ``--done-only`` only marked documents are kept.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from beacon_qual.analysis.selection import Selection, done_where
from beacon_qual.store import Project
from beacon_qual.store.analysis import selection as store


@dataclass(frozen=True)
class Base:
    councils: int  # councils with at least one document in the selection (interviewed)
    councils_coded: int  # of those, councils with at least one coding of the chosen coders
    documents: int  # documents in the selection
    documents_coded: int
    not_done: int  # documents of the selection (before --done-only) not marked done by the chosen coders
    done_only: bool

    def text(self) -> str:
        done = (
            f"only documents marked done; {self.not_done} not marked done left out"
            if self.done_only
            else f"{self.not_done} not marked done"
        )
        councils = "council" if self.councils == 1 else "councils"
        documents = "document" if self.documents == 1 else "documents"
        return (
            f"{self.councils} {councils} interviewed, {self.councils_coded} coded; "
            f"{self.documents} {documents}, {self.documents_coded} coded; {done}"
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"text": self.text()}


def documents_per_case(project: Project, selection: Selection) -> dict[int, int]:
    """Documents per council in the selection, coded or not: the denominators of every council share."""
    where, params = selection.document_where()
    rows = store.documents_per_case(project, where, params)
    return {r[0]: r[1] for r in rows}


def analysis_base(project: Project, selection: Selection) -> Base:
    where, params = selection.document_where()
    coded, coded_params = selection.coded()
    row = store.base_counts(project, where, params, coded, coded_params)
    unfiltered = replace(selection, filters=replace(selection.filters, done_only=False))
    all_where, all_params = unfiltered.document_where()
    done_sql, done_params = done_where(selection.coder_ids)
    not_done = store.count_not_done(project, all_where, all_params, done_sql, done_params)
    assert row is not None  # an aggregate without GROUP BY always returns a row
    return Base(row[0], row[1], row[2], row[3], not_done, selection.filters.done_only)
