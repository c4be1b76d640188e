"""The project store: one SQLite file per project, and every SQL statement of the project.

The connection and its transactions (``db``), the schema and its migrations (``schema``), the derived tables and
their triggers, coding placement (``placement``), the audit trail and changesets (``changeset``), backups
(``backups``), integrity checks (``check``) and the project summary (``status``).

The statements the other parts run, one module per part it serves: ``lookup`` (one row by key, shared by the
CLI, the workbench and agreement), ``rows``, ``codings``, ``codebook``, ``cases``, ``documents``, ``ingest``,
``survey``, ``search``, ``merge``, ``refi_import`` and ``exchange``, ``agreement``, ``analysis/`` (one module per
analysis), ``provenance``, ``report`` and ``canned``, ``workbench`` and ``demo``. Functions take plain values
and return rows, ids or counts; the services keep the rules.

May import: ``errors``.
"""

from beacon_qual.store.db import Project, new_uuid, now
from beacon_qual.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Project", "new_uuid", "now"]
