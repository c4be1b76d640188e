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

MIGRATIONS: list[str] = [V1, V2]
SCHEMA_VERSION = len(MIGRATIONS)
