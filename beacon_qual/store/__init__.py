"""The project store: one SQLite file per project. The connection and its transactions, the schema and
its migrations, the derived tables and their triggers, the audit trail and changesets (many rows as one
undoable action), backups, integrity checks (``check``), the project summary (``status``), the
queries other layers share (``lookup``: a document by id or name; ``rows``), and the SQL of the coding
service (``codings``), of merging coders' copies (``merge``) and of REFI-QDA import (``refi_import``).

May import: ``errors``.
"""

from beacon_qual.store.db import Project, new_uuid, now
from beacon_qual.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Project", "new_uuid", "now"]
