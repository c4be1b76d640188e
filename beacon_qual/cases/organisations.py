"""Cases that are not councils: organisations interviewed beside them (an improvement agency, a government
department, a regional body).

An organisation is a row of ``cases`` with kind 'organisation' (and type 'organisation', which ``cases list``
shows). Its name and spellings resolve like a council's, so front matter, manifests and ``import --council``
can name it; analyses by council leave its documents out (see :mod:`beacon_qual.analysis.selection`).
"""

from __future__ import annotations

from beacon_qual.cases.councils import CouncilNotResolved, resolve_council
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store import cases as sql

ORGANISATION = "organisation"
CASE_KINDS = (ORGANISATION,)  # cases add --kind: councils come from the register ('cases seed')


def add_organisation(project: Project, name: str) -> int:
    """Add an organisation case called ``name``; refused when the name already means a case."""
    name = " ".join(name.split())
    if not name:
        raise BeaconError("an organisation needs a name")
    try:
        match = resolve_council(project, name)
    except CouncilNotResolved:
        match = None
    if match is not None and match.how != "fuzzy":
        code = f" [{match.code}]" if match.code else ""
        raise BeaconError(f"{name!r} is already a case: {match.name}{code} (matched by {match.how})")
    with project.transaction():
        row = {
            "uuid": new_uuid(),
            "name": name,
            "type": ORGANISATION,
            "kind": ORGANISATION,
            "created_at": now(),
        }
        sql.insert_case(project, row)
        case_id = sql.case_id_by_uuid(project, row["uuid"])
        project.audit("cases.add", "cases", case_id, after=row)
    return case_id
