"""The project store: one SQLite file per project."""

from .db import Project, new_uuid, now
from .schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Project", "new_uuid", "now"]
