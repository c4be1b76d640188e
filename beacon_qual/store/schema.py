"""The project schema, as a list of forward migrations.

``MIGRATIONS[i]`` takes a project from schema version ``i`` to ``i + 1``; the
version lives in ``PRAGMA user_version``. Migrations only ever move forward and
each runs inside one transaction. Offsets (``start``, ``end``) are half-open
ranges in Unicode code points over the stored text: ``text[start:end]``.
"""

APPLICATION_ID = 0x42514C31  # "BQL1": marks a SQLite file as a beacon-qual project

V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE coders (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE cases (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    code       TEXT UNIQUE,            -- register key: three-letter local-authority code
    gss_code   TEXT,
    ons_code   TEXT,
    name       TEXT NOT NULL,          -- official name
    short_name TEXT,
    type       TEXT,
    region     TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX cases_gss ON cases(gss_code);
CREATE INDEX cases_ons ON cases(ons_code);

CREATE TABLE case_aliases (
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    alias   TEXT NOT NULL,
    norm    TEXT NOT NULL,             -- normalised form used for matching
    source  TEXT,                      -- 'register', 'survey:<file>', 'user', ...
    PRIMARY KEY (norm, case_id)
);
CREATE INDEX case_aliases_case ON case_aliases(case_id);

CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL UNIQUE,   -- file name as imported
    text           TEXT NOT NULL,          -- LF line endings, no BOM
    sha256         TEXT NOT NULL,          -- of the stored text, UTF-8
    case_id        INTEGER REFERENCES cases(id),
    phase          INTEGER,
    role           TEXT,
    interview_date TEXT,
    interviewer    TEXT,
    respondent     TEXT,
    source_path    TEXT,
    source_format  TEXT,
    source_encoding TEXT,
    word_count     INTEGER NOT NULL DEFAULT 0,
    imported_at    TEXT NOT NULL
);
CREATE INDEX documents_sha ON documents(sha256);
CREATE INDEX documents_case ON documents(case_id);
CREATE INDEX documents_phase ON documents(phase, role);

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('sentence', 'turn')),
    seq         INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    speaker     TEXT,                      -- turns: the speaker label as written
    CHECK (start >= 0 AND end >= start)
);
CREATE INDEX units_doc ON units(document_id, kind, start);

CREATE TABLE codes (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    parent_id   INTEGER REFERENCES codes(id),
    name        TEXT NOT NULL,
    description TEXT,
    inclusion   TEXT,
    exclusion   TEXT,
    example     TEXT,
    colour      TEXT,
    keywords    TEXT NOT NULL DEFAULT '[]',   -- JSON list of keywords and phrases
    codable     INTEGER NOT NULL DEFAULT 1,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX codes_parent_name ON codes(coalesce(parent_id, 0), name);

CREATE TABLE codings (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    code_id     INTEGER NOT NULL REFERENCES codes(id),
    coder_id    INTEGER NOT NULL REFERENCES coders(id),
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    memo        TEXT,
    status      TEXT NOT NULL DEFAULT 'ok',   -- 'ok' or 'review' (placement doubtful)
    created_at  TEXT NOT NULL,
    updated_at  TEXT,
    CHECK (start >= 0 AND end > start)
);
CREATE INDEX codings_doc ON codings(document_id, start);
CREATE INDEX codings_code ON codings(code_id, document_id);
CREATE INDEX codings_coder ON codings(coder_id, document_id);

CREATE TABLE memos (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    target_type TEXT NOT NULL CHECK (target_type IN ('project', 'document', 'code', 'case', 'coding')),
    target_id   INTEGER,
    coder_id    INTEGER REFERENCES coders(id),
    title       TEXT,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT
);
CREATE INDEX memos_target ON memos(target_type, target_id);

CREATE TABLE variables (
    id     INTEGER PRIMARY KEY,
    uuid   TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL UNIQUE,
    type   TEXT NOT NULL CHECK (type IN ('numeric', 'ordinal', 'categorical', 'boolean', 'date', 'text')),
    levels TEXT,                         -- JSON list, in order, for ordinal and categorical
    label  TEXT,
    source TEXT
);

CREATE TABLE case_values (
    variable_id INTEGER NOT NULL REFERENCES variables(id) ON DELETE CASCADE,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    wave        INTEGER NOT NULL DEFAULT 1,
    value_num   REAL,                    -- numeric, ordinal (level index), boolean (0/1)
    value_text  TEXT,                    -- categorical, ordinal label, date (ISO), text
    PRIMARY KEY (variable_id, case_id, wave)
);
CREATE INDEX case_values_case ON case_values(case_id, wave);

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    coder_id  INTEGER REFERENCES coders(id),
    action    TEXT NOT NULL,             -- e.g. 'coding.add', 'coding.remove', 'import', 'codebook.load'
    entity    TEXT NOT NULL,             -- table name
    entity_id INTEGER,
    before    TEXT,                      -- JSON of the row before, or NULL
    after     TEXT,                      -- JSON of the row after, or NULL
    undone    INTEGER NOT NULL DEFAULT 0 -- 1 once undone (redo makes it 0 again)
);
CREATE INDEX audit_entity ON audit(entity, entity_id);
CREATE INDEX audit_coder ON audit(coder_id, id);
"""

V2 = """
-- Revisions: a document's earlier texts are kept, with how each coding was moved onto the new text.
ALTER TABLE documents ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE codings ADD COLUMN anchor_score REAL;   -- set when a revision moved the coding (0-100)

CREATE TABLE document_revisions (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    revision    INTEGER NOT NULL,      -- the revision number this text had (1 = as first imported)
    text        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    source_path TEXT,
    replaced_at TEXT NOT NULL,         -- when a newer text replaced it
    UNIQUE (document_id, revision)
);

CREATE TABLE coding_anchors (
    id          INTEGER PRIMARY KEY,
    revision_id INTEGER NOT NULL REFERENCES document_revisions(id),
    coding_id   INTEGER NOT NULL,      -- no foreign key: the record outlives a later removal
    old_start   INTEGER NOT NULL,
    old_end     INTEGER NOT NULL,
    new_start   INTEGER,
    new_end     INTEGER,
    method      TEXT NOT NULL CHECK (method IN ('unchanged', 'exact', 'near', 'fuzzy', 'unplaced')),
    score       REAL
);
CREATE INDEX coding_anchors_revision ON coding_anchors(revision_id);
CREATE INDEX codings_status ON codings(status) WHERE status <> 'ok';
"""

V3 = """
-- Full-text search: one row per sentence unit, rowid = units.id. The index keeps no copy of the text: it reads
-- each sentence from the document through unit_text. Triggers keep it in step with every write to units and
-- documents; an entry always holds the words of substr(current document text, start, end) of its unit.
CREATE VIEW unit_text AS
    SELECT u.id AS id, substr(d.text, u.start + 1, u.end - u.start) AS text
    FROM units u JOIN documents d ON d.id = u.document_id
    WHERE u.kind = 'sentence';

CREATE VIRTUAL TABLE unit_fts USING fts5(
    text, content = 'unit_text', content_rowid = 'id', tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER unit_fts_insert AFTER INSERT ON units WHEN new.kind = 'sentence' BEGIN
    INSERT INTO unit_fts(rowid, text)
        SELECT new.id, substr(d.text, new.start + 1, new.end - new.start) FROM documents d
        WHERE d.id = new.document_id;
END;

-- When a document's deletion cascades to its units, the document is gone before their triggers run:
-- unit_fts_documents_delete has already removed their entries, so this trigger finds no document and does nothing.
CREATE TRIGGER unit_fts_delete AFTER DELETE ON units WHEN old.kind = 'sentence' BEGIN
    INSERT INTO unit_fts(unit_fts, rowid, text)
        SELECT 'delete', old.id, substr(d.text, old.start + 1, old.end - old.start) FROM documents d
        WHERE d.id = old.document_id;
END;

CREATE TRIGGER unit_fts_update AFTER UPDATE OF document_id, kind, start, end ON units BEGIN
    INSERT INTO unit_fts(unit_fts, rowid, text)
        SELECT 'delete', old.id, substr(d.text, old.start + 1, old.end - old.start) FROM documents d
        WHERE d.id = old.document_id AND old.kind = 'sentence';
    INSERT INTO unit_fts(rowid, text)
        SELECT new.id, substr(d.text, new.start + 1, new.end - new.start) FROM documents d
        WHERE d.id = new.document_id AND new.kind = 'sentence';
END;

CREATE TRIGGER unit_fts_documents_delete BEFORE DELETE ON documents BEGIN
    INSERT INTO unit_fts(unit_fts, rowid, text)
        SELECT 'delete', u.id, substr(old.text, u.start + 1, u.end - u.start) FROM units u
        WHERE u.document_id = old.id AND u.kind = 'sentence';
END;

CREATE TRIGGER unit_fts_text_before BEFORE UPDATE OF text ON documents BEGIN
    INSERT INTO unit_fts(unit_fts, rowid, text)
        SELECT 'delete', u.id, substr(old.text, u.start + 1, u.end - u.start) FROM units u
        WHERE u.document_id = old.id AND u.kind = 'sentence';
END;

CREATE TRIGGER unit_fts_text_after AFTER UPDATE OF text ON documents BEGIN
    INSERT INTO unit_fts(rowid, text)
        SELECT u.id, substr(new.text, u.start + 1, u.end - u.start) FROM units u
        WHERE u.document_id = new.id AND u.kind = 'sentence';
END;

INSERT INTO unit_fts(unit_fts) VALUES ('rebuild');

-- Keyword suggestions: passages a code's keywords point at, kept apart from codings until a coder accepts one.
CREATE TABLE suggestions (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    code_id     INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    matched     TEXT NOT NULL DEFAULT '[]',   -- JSON list of the words and phrases found, as written
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected', 'skipped')),
    decided_by  INTEGER REFERENCES coders(id),
    decided_at  TEXT,
    coding_id   INTEGER,                      -- the coding an acceptance made; no foreign key: undo may remove it
    created_at  TEXT NOT NULL,
    UNIQUE (document_id, code_id, start, end),
    CHECK (start >= 0 AND end > start)
);
CREATE INDEX suggestions_status ON suggestions(status, document_id, start);
CREATE INDEX suggestions_code ON suggestions(code_id, document_id);
CREATE INDEX suggestions_coding ON suggestions(coding_id) WHERE coding_id IS NOT NULL;

-- An accepted suggestion stands for its coding: undoing or removing that coding opens the suggestion again,
-- and redoing it (the same coding back) accepts it again.
CREATE TRIGGER suggestions_coding_removed AFTER DELETE ON codings BEGIN
    UPDATE suggestions SET status = 'open', decided_by = NULL, decided_at = NULL
        WHERE coding_id = old.id AND status = 'accepted';
END;

CREATE TRIGGER suggestions_coding_restored AFTER INSERT ON codings BEGIN
    UPDATE suggestions SET status = 'accepted', decided_by = new.coder_id, decided_at = new.created_at
        WHERE coding_id = new.id AND status = 'open' AND document_id = new.document_id
          AND code_id = new.code_id AND start = new.start AND end = new.end;
END;
"""

V4 = """
-- Indexes for the hot queries: a code's children (paths, trees), and a covering index that gives a
-- document's council, phase and role without reading past its text.
CREATE INDEX codes_parent ON codes(parent_id);
CREATE INDEX documents_meta ON documents(id, case_id, phase, role);
"""

V5 = """
-- The transcript importer writes the index entries of its own sentences from the text it already holds,
-- instead of the insert trigger reading substr() of the whole document for every sentence (a cost that grows
-- with sentences x document length). It sets unit_fts_control.importer_writes to 1 inside its own transaction
-- and back to 0 before committing, so the committed value is always 0 (a rollback restores it) and every other
-- writer of units is indexed by the trigger as before. The entries it writes are the ones 'rebuild' makes.
CREATE TABLE unit_fts_control (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    importer_writes INTEGER NOT NULL DEFAULT 0 CHECK (importer_writes IN (0, 1))
);
INSERT INTO unit_fts_control (id, importer_writes) VALUES (1, 0);

DROP TRIGGER unit_fts_insert;
CREATE TRIGGER unit_fts_insert AFTER INSERT ON units
WHEN new.kind = 'sentence' AND NOT EXISTS (SELECT 1 FROM unit_fts_control WHERE importer_writes <> 0) BEGIN
    INSERT INTO unit_fts(rowid, text)
        SELECT new.id, substr(d.text, new.start + 1, new.end - new.start) FROM documents d
        WHERE d.id = new.document_id;
END;
"""


# The units a coding overlaps, for the AFTER INSERT/UPDATE triggers on codings (row ``new``). Per kind, only the
# units around the coding are read through units_doc: the unit starting last at or before the coding's start,
# then those starting before its end. Units of one kind in one document never overlap (the importer cuts turns
# at speaker labels and sentences inside turns; REFI-QDA import and revise use the same parsing), so no earlier
# unit can reach past the one found.
_PLACE_NEW = """
        SELECT u.kind, new.code_id, new.coder_id, new.document_id, u.id, new.id FROM units u
        WHERE u.document_id = new.document_id AND u.kind = '{kind}' AND u.start < new.end AND u.end > new.start
          AND u.end > u.start AND u.start >= coalesce((SELECT max(x.start) FROM units x
              WHERE x.document_id = new.document_id AND x.kind = '{kind}' AND x.start <= new.start), 0)"""
PLACE_NEW = (
    "INSERT INTO coding_units"
    + _PLACE_NEW.format(kind="sentence")
    + "\n        UNION ALL"
    + _PLACE_NEW.format(kind="turn")
)

# The same for many codings at once (those with id > {since}) into {table}, by one join: used by the migration,
# by writers that insert codings in bulk with placement deferred, and by check and reindex (see
# beacon_qual.store.placement).
PLACE_SELECT = """
    SELECT u.kind, c.code_id, c.coder_id, c.document_id, u.id, c.id FROM codings c CROSS JOIN units u
    WHERE c.id > {since} AND u.document_id = c.document_id AND u.kind = '{kind}' AND u.start < c.end AND u.end > c.start
      AND u.end > u.start AND u.start >= coalesce((SELECT max(x.start) FROM units x
          WHERE x.document_id = c.document_id AND x.kind = '{kind}' AND x.start <= c.start), 0)
"""
PLACE_MANY = (
    """
INSERT INTO {table} (kind, code_id, coder_id, document_id, unit_id, coding_id)"""
    + PLACE_SELECT
)

V6 = f"""
-- Which sentences and turns each coding overlaps, kept by triggers on codings and units, so that co-occurrence
-- within sentences or turns reads the units of the selected codes and coders as ranges of one index instead of
-- looking up every coding's units. A row for each (coding, unit of either kind) that overlap; units of no length
-- hold nothing. The key starts with kind, code and coder: one code's units for some coders are one range.
CREATE TABLE coding_units (
    kind        TEXT NOT NULL,
    code_id     INTEGER NOT NULL,
    coder_id    INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL,
    coding_id   INTEGER NOT NULL,
    PRIMARY KEY (kind, code_id, coder_id, document_id, unit_id, coding_id)
) WITHOUT ROWID;
CREATE INDEX coding_units_coding ON coding_units(coding_id);
CREATE INDEX coding_units_unit ON coding_units(unit_id);

-- A writer inserting many codings at once sets deferred to 1 inside its transaction, places the new codings
-- with one join (PLACE_MANY) and sets it back to 0 before committing: the committed value is always 0.
CREATE TABLE coding_units_control (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    deferred INTEGER NOT NULL DEFAULT 0 CHECK (deferred IN (0, 1))
);
INSERT INTO coding_units_control (id, deferred) VALUES (1, 0);

-- Inserts begin by removing the row's old entries: INSERT OR REPLACE (undo writes a coding back that way)
-- deletes the row it replaces without firing the delete trigger.
CREATE TRIGGER coding_units_coding_insert AFTER INSERT ON codings
WHEN NOT EXISTS (SELECT 1 FROM coding_units_control WHERE deferred <> 0) BEGIN
    DELETE FROM coding_units WHERE coding_id = new.id;
    {PLACE_NEW};
END;
CREATE TRIGGER coding_units_coding_update AFTER UPDATE OF document_id, code_id, coder_id, start, end ON codings BEGIN
    DELETE FROM coding_units WHERE coding_id = old.id;
    {PLACE_NEW};
END;
CREATE TRIGGER coding_units_coding_delete AFTER DELETE ON codings BEGIN
    DELETE FROM coding_units WHERE coding_id = old.id;
END;

-- A unit added to a document that has codings: every coding overlapping it (a scan of the document's codings
-- starting before the unit ends; only revise and undo add units to coded documents).
CREATE TRIGGER coding_units_unit_insert AFTER INSERT ON units
WHEN new.end > new.start AND EXISTS (SELECT 1 FROM codings WHERE document_id = new.document_id) BEGIN
    DELETE FROM coding_units WHERE unit_id = new.id;
    INSERT INTO coding_units
        SELECT new.kind, c.code_id, c.coder_id, c.document_id, new.id, c.id FROM codings c
        WHERE c.document_id = new.document_id AND c.start < new.end AND c.end > new.start;
END;
CREATE TRIGGER coding_units_unit_update AFTER UPDATE OF document_id, kind, start, end ON units BEGIN
    DELETE FROM coding_units WHERE unit_id = old.id;
    INSERT INTO coding_units
        SELECT new.kind, c.code_id, c.coder_id, c.document_id, new.id, c.id FROM codings c
        WHERE new.end > new.start AND c.document_id = new.document_id AND c.start < new.end AND c.end > new.start;
END;
CREATE TRIGGER coding_units_unit_delete AFTER DELETE ON units BEGIN
    DELETE FROM coding_units WHERE unit_id = old.id;
END;

{PLACE_MANY.format(table="coding_units", kind="sentence", since=0)};
{PLACE_MANY.format(table="coding_units", kind="turn", since=0)};
"""

# Counting a deferred writer's new codings (see beacon_qual.store.placement), and every coding for check and
# reindex: {table} and {since} as in PLACE_MANY.
COUNT_MANY = """
INSERT INTO {table} (code_id, document_id, coder_id, n)
    SELECT code_id, document_id, coder_id, count(*) FROM codings WHERE id > {since}
    GROUP BY code_id, document_id, coder_id
    ON CONFLICT (code_id, document_id, coder_id) DO UPDATE SET n = n + excluded.n
"""

V7 = f"""
-- How many codings each coder made of each code in each document, kept by triggers on codings, so that code
-- frequencies read a row per (code, document, coder) instead of every coding. Rows with no codings are removed.
CREATE TABLE coding_counts (
    code_id     INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    coder_id    INTEGER NOT NULL,
    n           INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (code_id, document_id, coder_id)
) WITHOUT ROWID;

-- coding_units_control.deferred defers this insert trigger too: the writer counts its codings with COUNT_MANY.
CREATE TRIGGER coding_counts_insert AFTER INSERT ON codings
WHEN NOT EXISTS (SELECT 1 FROM coding_units_control WHERE deferred <> 0) BEGIN
    INSERT INTO coding_counts (code_id, document_id, coder_id, n) VALUES (new.code_id, new.document_id, new.coder_id, 1)
        ON CONFLICT (code_id, document_id, coder_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER coding_counts_update AFTER UPDATE OF code_id, document_id, coder_id ON codings
WHEN old.code_id <> new.code_id OR old.document_id <> new.document_id OR old.coder_id <> new.coder_id BEGIN
    DELETE FROM coding_counts
        WHERE code_id = old.code_id AND document_id = old.document_id AND coder_id = old.coder_id AND n = 1;
    UPDATE coding_counts SET n = n - 1
        WHERE code_id = old.code_id AND document_id = old.document_id AND coder_id = old.coder_id;
    INSERT INTO coding_counts (code_id, document_id, coder_id, n) VALUES (new.code_id, new.document_id, new.coder_id, 1)
        ON CONFLICT (code_id, document_id, coder_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER coding_counts_delete AFTER DELETE ON codings BEGIN
    DELETE FROM coding_counts
        WHERE code_id = old.code_id AND document_id = old.document_id AND coder_id = old.coder_id AND n = 1;
    UPDATE coding_counts SET n = n - 1
        WHERE code_id = old.code_id AND document_id = old.document_id AND coder_id = old.coder_id;
END;

{COUNT_MANY.format(table="coding_counts", since=0)};
"""

V8 = """
-- A coder's mark that a document is fully coded: analyses with --done-only keep only such documents, and
-- every analysis says how many documents of its selection are not marked. The id lets undo restore a row.
CREATE TABLE document_done (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    coder_id    INTEGER NOT NULL REFERENCES coders(id),
    at          TEXT NOT NULL,
    UNIQUE (document_id, coder_id)
);
CREATE INDEX document_done_coder ON document_done(coder_id, document_id);

-- Survey waves: the wave that holds the measures of each study phase, and a wave's date. Analyses that join
-- measures to phases read the wave of each phase from here (a phase with no row uses the wave of its number,
-- and says so). The earlier meta 'phase_waves' (a JSON object of phase to wave) is moved here.
CREATE TABLE survey_waves (
    wave INTEGER PRIMARY KEY,
    date TEXT
);
CREATE TABLE phase_waves (
    phase INTEGER PRIMARY KEY,
    wave  INTEGER NOT NULL
);
INSERT OR IGNORE INTO phase_waves (phase, wave)
    SELECT CAST(j.key AS INTEGER), CAST(j.value AS INTEGER) FROM meta, json_each(meta.value) AS j
    WHERE meta.key = 'phase_waves' AND json_valid(meta.value) AND json_type(meta.value) = 'object'
        AND CAST(j.key AS INTEGER) || '' = j.key AND j.type = 'integer';
INSERT OR IGNORE INTO survey_waves (wave) SELECT DISTINCT wave FROM phase_waves;
DELETE FROM meta WHERE key = 'phase_waves' AND json_valid(value) AND json_type(value) = 'object';
"""

V9 = """
-- Who speaks: each turn, and each sentence (as the turn it lies in), has a speaker role: 'interviewer',
-- 'respondent' or 'front' (text before the first speaker label: front matter, not speech). NULL means not
-- worked out yet: writers of units may leave it, and beacon_qual.ingest.speaker_roles.ensure_roles fills it (from the
-- labels, the document's interviewer and speaker_roles) before anything reads roles.
ALTER TABLE units ADD COLUMN speaker_role TEXT CHECK (speaker_role IN ('interviewer', 'respondent', 'front'));
CREATE INDEX units_role_pending ON units(document_id) WHERE speaker_role IS NULL;

-- Roles a user set for a document's speaker label ('' for text without a label); they win over inference and
-- outlive revisions of the document's text.
CREATE TABLE speaker_roles (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('interviewer', 'respondent', 'front')),
    set_at      TEXT NOT NULL,
    PRIMARY KEY (document_id, label)
);

-- Cases beyond the register: an organisation (an agency, a government department, a regional body) is a case
-- that is not a council; analyses by council leave its documents out. Documents may have no case at all.
ALTER TABLE cases ADD COLUMN kind TEXT NOT NULL DEFAULT 'council' CHECK (kind IN ('council', 'organisation'));
"""

# The tables whose rows are the project's state (every table but the search index, which is derived from
# units, and project_state itself). Each gets three triggers that mark the state as changed; a table added by a
# later migration must be added here and given its triggers in that migration (see state_triggers), or exports
# say that they could not pin the state and hash the file instead.
V10_STATE_TABLES = (
    "audit", "case_aliases", "case_values", "cases", "coders", "codes", "coding_anchors", "coding_counts",
    "coding_units", "coding_units_control", "codings", "document_done", "document_revisions", "documents",
    "memos", "meta", "phase_waves", "speaker_roles", "suggestions", "survey_waves", "unit_fts_control",
    "units", "variables",
)  # fmt: skip
STATE_TABLES = (*V10_STATE_TABLES, "document_lengths", "unit_counts")
STATE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def state_trigger(table: str, operation: str) -> str:
    """The trigger that marks the project's state as changed when a row of ``table`` is written. The WHEN
    clause makes every row after the first of a transaction cost one read of a one-row table."""
    return (
        f"CREATE TRIGGER project_state_{table}_{operation.lower()} AFTER {operation} ON {table}\n"
        "WHEN (SELECT changed FROM project_state) = 0 BEGIN\n"
        "    UPDATE project_state SET changed = 1;\n"
        "END"
    )


def state_triggers(tables: tuple[str, ...]) -> str:
    return "".join(f"{state_trigger(table, op)};\n" for table in tables for op in STATE_OPERATIONS)


V10 = f"""
-- The project's state identity, which provenance records carry instead of hashing the whole file. Every write
-- to a state table sets changed = 1 (triggers below, for any connection: the application, the sqlite3 shell,
-- another program); the application's write transactions, and an export that finds changed = 1, give the state
-- a new random token and the next generation before they commit. The identity (schema version, schema cookie,
-- generation, token) names one state: a written row always leads to a new token before an export reads it.
CREATE TABLE project_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    changed    INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    token      TEXT NOT NULL
);
INSERT INTO project_state (id, changed, generation, token) VALUES (1, 1, 0, '');
{state_triggers(V10_STATE_TABLES)}"""

# Counting one document's units (``{where}`` picks the documents), for the migration, for writers that write
# the rows themselves (the importer) and for reindex.
COUNT_UNITS = """
INSERT INTO unit_counts (document_id, kind, units, spans, max_end)
    SELECT document_id, kind, count(*), sum(end > start), max(end) FROM units WHERE {where}
    GROUP BY document_id, kind
    ON CONFLICT (document_id, kind) DO UPDATE SET units = units + excluded.units,
        spans = spans + excluded.spans, max_end = max(max_end, excluded.max_end)
"""

V11 = f"""
-- Each document's length in characters and its number of units of each kind, kept by triggers, so that
-- agreement reads the units under the codings only (a tenth to a third of them) and takes how many units a
-- document holds, and how long it is, from here: counting them, or length() of every text, read every unit and
-- every transcript again for each run. max_end is at least the largest end of the document's units of the kind
-- (a deleted unit leaves it; it is exact again once the document's last unit of the kind is gone), so a unit
-- reaching past its document's end is found by reading only documents whose max_end passes their length.
-- The transcript importer, with unit_fts_control.importer_writes set, counts its units itself (as it writes
-- their search index entries), and every other writer of units is counted by the triggers.
CREATE TABLE document_lengths (
    document_id INTEGER PRIMARY KEY,
    characters  INTEGER NOT NULL
);
CREATE TRIGGER document_lengths_insert AFTER INSERT ON documents BEGIN
    INSERT OR REPLACE INTO document_lengths (document_id, characters) VALUES (new.id, length(new.text));
END;
CREATE TRIGGER document_lengths_update AFTER UPDATE OF id, text ON documents BEGIN
    DELETE FROM document_lengths WHERE document_id = old.id;
    INSERT OR REPLACE INTO document_lengths (document_id, characters) VALUES (new.id, length(new.text));
END;
CREATE TRIGGER document_lengths_delete AFTER DELETE ON documents BEGIN
    DELETE FROM document_lengths WHERE document_id = old.id;
END;

CREATE TABLE unit_counts (
    document_id INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    units       INTEGER NOT NULL CHECK (units > 0),  -- every unit of the kind
    spans       INTEGER NOT NULL,                     -- those with end > start (the ones analyses count)
    max_end     INTEGER NOT NULL,
    PRIMARY KEY (document_id, kind)
) WITHOUT ROWID;
CREATE TRIGGER unit_counts_insert AFTER INSERT ON units
WHEN NOT EXISTS (SELECT 1 FROM unit_fts_control WHERE importer_writes <> 0) BEGIN
    INSERT INTO unit_counts (document_id, kind, units, spans, max_end)
        VALUES (new.document_id, new.kind, 1, new.end > new.start, new.end)
        ON CONFLICT (document_id, kind) DO UPDATE SET units = units + 1, spans = spans + excluded.spans,
            max_end = max(max_end, excluded.max_end);
END;
CREATE TRIGGER unit_counts_update AFTER UPDATE OF document_id, kind, start, end ON units BEGIN
    DELETE FROM unit_counts WHERE document_id = old.document_id AND kind = old.kind AND units = 1;
    UPDATE unit_counts SET units = units - 1, spans = spans - (old.end > old.start)
        WHERE document_id = old.document_id AND kind = old.kind;
    INSERT INTO unit_counts (document_id, kind, units, spans, max_end)
        VALUES (new.document_id, new.kind, 1, new.end > new.start, new.end)
        ON CONFLICT (document_id, kind) DO UPDATE SET units = units + 1, spans = spans + excluded.spans,
            max_end = max(max_end, excluded.max_end);
END;
CREATE TRIGGER unit_counts_delete AFTER DELETE ON units BEGIN
    DELETE FROM unit_counts WHERE document_id = old.document_id AND kind = old.kind AND units = 1;
    UPDATE unit_counts SET units = units - 1, spans = spans - (old.end > old.start)
        WHERE document_id = old.document_id AND kind = old.kind;
END;

INSERT INTO document_lengths (document_id, characters) SELECT id, length(text) FROM documents;
{COUNT_UNITS.format(where="1")};
{state_triggers(("document_lengths", "unit_counts"))}"""

MIGRATIONS: list[str] = [V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11]
# The first schema version with project_state (the migration that creates it is V10).
STATE_VERSION = MIGRATIONS.index(V10) + 1
SCHEMA_VERSION = len(MIGRATIONS)


# A code's own columns, as a codebook file, an edit or another project's copy carries them (id and
# created_at aside): what loading compares, upkeep may change and merging copies across.
CODE_COLUMNS = (
    "uuid",
    "parent_id",
    "name",
    "description",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "keywords",
    "codable",
    "sort_order",
)
