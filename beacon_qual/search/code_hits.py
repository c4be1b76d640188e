"""Code every hit of a search at once: the sentences a search finds, given one code by one coder.

Used by ``beacon-qual search QUERY --apply-code CODE`` and the workbench's ``C`` on its search list. The
hits are listed and confirmed first; then every new coding is written in one transaction (all or none).
A sentence that already has the code from this coder is left as it is and counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from beacon_qual.coding import codings as svc
from beacon_qual.errors import BeaconError
from beacon_qual.search.fulltext import MAX_LIMIT, Hit, search
from beacon_qual.store import Project
from beacon_qual.store import search as store


@dataclass(frozen=True)
class HitsToCode:
    new: list[Hit]  # sentences that will get the code
    already: list[Hit]  # sentences that have it from this coder already
    documents: int  # documents the new codings fall in


def all_hits(project: Project, query: str, **filters) -> list[Hit]:
    """Every sentence matching ``query`` (with the search's filters), in document order; refuses when more
    than one search can list, so nothing is coded that the coder did not see."""
    hits = search(project, query, limit=MAX_LIMIT, order="document", **filters)
    if not hits.total_exact or hits.total > len(hits):
        raise BeaconError(
            f"more than {len(hits):,} sentences match; narrow the search before coding every hit"
        )
    return list(hits)


def plan(project: Project, hits: list[Hit], code_id: int, coder_id: int) -> HitsToCode:
    have = store.coded_spans(project, code_id, coder_id)
    new = [h for h in hits if (h.document_id, h.start, h.end) not in have]
    already = [h for h in hits if (h.document_id, h.start, h.end) in have]
    return HitsToCode(new, already, len({h.document_id for h in new}))


def apply(project: Project, todo: HitsToCode, code_id: int, coder_id: int) -> list[svc.Coding]:
    """Write the planned codings in one transaction (all or none)."""
    return svc.add_codings(
        project,
        [
            {"document_id": h.document_id, "code_id": code_id, "start": h.start, "end": h.end}
            for h in todo.new
        ],
        coder_id=coder_id,
    )
