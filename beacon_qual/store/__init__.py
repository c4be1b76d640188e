"""The project store: one SQLite file per project."""

from beacon_qual.store.db import Project, new_uuid, now
from beacon_qual.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Project", "new_uuid", "now"]
