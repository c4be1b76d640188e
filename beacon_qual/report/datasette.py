"""A Datasette metadata file for browsing a project read-only: ``datasette study.db -m metadata.json``.

The tables, their columns and their foreign keys are read from the project's live schema through
sqlite-utils' introspection, so the file never names a column the project lacks; descriptions come from
:data:`TABLES` and :data:`COLUMNS`, with a plain one for anything not described there. Each table a
foreign key points at gets a ``label_column``, which Datasette shows beside the key (a coding's code by
name, not by number). Canned queries count codings, documents and councils per code by council and by
phase, as ``export frequencies --by council`` and ``--by phase`` do. Datasette itself is not needed to
write the file.
"""

from __future__ import annotations

from typing import Any

from beacon_qual.store import Project
from beacon_qual.store.canned import FREQUENCIES_BY_COUNCIL, FREQUENCIES_BY_PHASE

TABLES: dict[str, str] = {
    "meta": "Settings of the project as key and value (codebook version, phase waves, ...).",
    "coders": "The people who code, one row each.",
    "cases": "Councils (the cases): the English councils of 1 April 2008 with their codes.",
    "case_aliases": "Other spellings of council names that match a council.",
    "documents": "Interview transcripts: the stored text and who, where and when it records.",
    "units": "Speaker turns and sentences of each document, as offsets into its text.",
    "codes": "The codebook: a tree of codes with definitions.",
    "codings": "A code applied by a coder to a passage of a document (offsets into its text).",
    "memos": "Memos on the project, a document, a code, a council or a coding.",
    "variables": "Survey variables (council measures) and their types.",
    "case_values": "Survey values: one per variable, council and wave.",
    "audit": "The history of changes to codings and memos (what undo and redo use).",
    "document_revisions": "Earlier texts of revised documents.",
    "coding_anchors": "Where each revision moved each coding, and how sure that is.",
    "suggestions": "Keyword suggestions of codes for sentences, and what a coder decided.",
    "coding_units": "Derived: each coding's sentences and turns (kept by triggers).",
    "coding_counts": "Derived: codings per code, document and coder (kept by triggers).",
}

COLUMNS: dict[str, dict[str, str]] = {
    "documents": {
        "name": "File name as imported.",
        "text": "The transcript (LF line endings); offsets elsewhere are code points into it.",
        "case_id": "The council the interview belongs to.",
        "phase": "Study phase (1, 2, 3).",
        "role": "Respondent role: officer, elected member, partner, ...",
        "interviewer": "Interviewer as recorded in the metadata.",
        "respondent": "Respondent pseudonym as recorded in the metadata.",
        "revision": "Revision number of the text (1 as first imported).",
    },
    "codings": {
        "document_id": "The coded document.",
        "code_id": "The code applied.",
        "coder_id": "Who applied it.",
        "start": "Start of the passage: offset in code points into the document's text.",
        "end": "End of the passage (exclusive).",
        "memo": "The coder's memo on this coding.",
        "status": "'ok', or 'review' when a revision could not place the passage with confidence.",
        "anchor_score": "How sure the last revision was of the passage's new place (0-100).",
    },
    "codes": {
        "parent_id": "The code above this one in the tree.",
        "name": "The code's name (its path joins its ancestors' names with '/').",
        "description": "Definition.",
        "inclusion": "When to apply it.",
        "exclusion": "When not to apply it.",
        "colour": "Display colour, #RRGGBB.",
        "codable": "0 for a grouping code that is not applied itself.",
    },
    "cases": {
        "code": "Three-letter local-authority code.",
        "gss_code": "GSS code.",
        "ons_code": "ONS code.",
        "name": "Official name.",
        "type": "County, district, unitary, London borough, metropolitan district.",
    },
    "units": {
        "kind": "'sentence' or 'turn'.",
        "speaker": "Turns: the speaker label as written.",
    },
    "case_values": {
        "wave": "Survey wave.",
        "value_num": "Numeric value (ordinal: level index; boolean: 0/1).",
        "value_text": "Text value (category, ordinal label, ISO date).",
    },
}

# Datasette shows this column of the referenced row beside a foreign key.
LABEL_COLUMNS = {
    "cases": "name",
    "codes": "name",
    "coders": "name",
    "documents": "name",
    "variables": "name",
    "document_revisions": "revision",
}

QUERIES: dict[str, dict[str, str]] = {
    "frequencies_by_council": {
        "title": "Code frequencies by council",
        "description": "Codings, documents and councils per code and council (export frequencies --by council).",
        "sql": FREQUENCIES_BY_COUNCIL,
    },
    "frequencies_by_phase": {
        "title": "Code frequencies by phase",
        "description": "Codings, documents and councils per code and study phase (export frequencies --by phase).",
        "sql": FREQUENCIES_BY_PHASE,
    },
}


def datasette_metadata(project: Project, database: str | None = None) -> dict[str, Any]:
    """The metadata as a JSON-ready dict, for the database named ``database`` (default: the file's stem)."""
    db = project.db
    name = database or project.path.stem
    tables: dict[str, Any] = {}
    hidden = set(db.table_names(fts5=True)) | {"unit_fts_control", "coding_units_control"}
    hidden |= {t for t in db.table_names() if any(t.startswith(f"{v}_") for v in db.table_names(fts5=True))}
    for table_name in db.table_names():
        table = db.table(table_name)
        described = COLUMNS.get(table_name, {})
        keys = {fk.column: fk for fk in table.foreign_keys}
        columns = {}
        for column in table.columns:
            text = described.get(column.name) or _plain(column.name, column.type, column.is_pk)
            if column.name in keys:
                fk = keys[column.name]
                text += f" Refers to {fk.other_table}.{fk.other_column}."
            columns[column.name] = text
        entry: dict[str, Any] = {
            "description": TABLES.get(table_name, f"Table {table_name}."),
            "columns": columns,
        }
        if table_name in LABEL_COLUMNS and LABEL_COLUMNS[table_name] in columns:
            entry["label_column"] = LABEL_COLUMNS[table_name]
        if table_name in hidden:
            entry["hidden"] = True
        tables[table_name] = entry
    return {
        "title": f"beacon-qual project {project.path.name}",
        "description": "A beacon-qual project, for read-only browsing. Offsets are code points into a "
        "document's text: text[start:end] is the passage.",
        "databases": {name: {"tables": tables, "queries": QUERIES}},
    }


def _plain(column: str, kind: str, primary: bool) -> str:
    if primary:
        return "Key." if column != "id" else "Row id."
    if column == "uuid":
        return "Identifier kept across copies and merges."
    if column.endswith("_at"):
        return "When (UTC, ISO 8601)."
    return f"{column} ({kind.lower() or 'any type'})."
