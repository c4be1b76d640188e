"""SQL a user runs in Datasette against a project file: the canned queries ``report datasette`` offers."""

_PATHS = (
    "WITH RECURSIVE paths(id, path) AS ("
    "SELECT id, name FROM codes WHERE parent_id IS NULL OR parent_id NOT IN (SELECT id FROM codes) "
    "UNION ALL SELECT c.id, p.path || '/' || c.name FROM codes c JOIN paths p ON c.parent_id = p.id) "
)

# Codings, documents and councils per code and council (as export frequencies --by council counts them).
FREQUENCIES_BY_COUNCIL = (
    _PATHS + "SELECT p.path AS code, k.code AS council, k.name AS council_name, count(*) AS codings, "
    "count(DISTINCT c.document_id) AS documents, count(DISTINCT d.case_id) AS councils "
    "FROM codings c JOIN documents d ON d.id = c.document_id JOIN paths p ON p.id = c.code_id "
    "LEFT JOIN cases k ON k.id = d.case_id GROUP BY c.code_id, d.case_id ORDER BY p.path, k.code"
)

# Codings, documents and councils per code and study phase.
FREQUENCIES_BY_PHASE = (
    _PATHS + "SELECT p.path AS code, d.phase AS phase, count(*) AS codings, "
    "count(DISTINCT c.document_id) AS documents, count(DISTINCT d.case_id) AS councils "
    "FROM codings c JOIN documents d ON d.id = c.document_id JOIN paths p ON p.id = c.code_id "
    "GROUP BY c.code_id, d.phase ORDER BY p.path, d.phase"
)
