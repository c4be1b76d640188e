"""Exchange with other qualitative tools through REFI-QDA 1.5: codebooks (.qdc) and projects (.qdpx).

The names below are imported from their modules when first used, so that a command which needs only
:mod:`.safezip` (reading a .docx or .xlsx within limits) does not pay for the REFI-QDA reader and writer.

May import: ``ingest``, ``documents``, ``search``, ``cases``, ``text``, ``store``, ``errors``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from beacon_qual.exchange.refi_export import ExportSummary, export_codebook, export_project
    from beacon_qual.exchange.refi_import import (
        DEFAULT_CODER,
        ImportReport,
        import_qdc,
        import_qdpx,
        import_refi,
    )
    from beacon_qual.exchange.refi_read import RefiProject, read_qdc, read_qdpx

_MODULES = {
    "ExportSummary": "refi_export",
    "export_codebook": "refi_export",
    "export_project": "refi_export",
    "DEFAULT_CODER": "refi_import",
    "ImportReport": "refi_import",
    "import_qdc": "refi_import",
    "import_qdpx": "refi_import",
    "import_refi": "refi_import",
    "RefiProject": "refi_read",
    "read_qdc": "refi_read",
    "read_qdpx": "refi_read",
}

__all__ = [
    "DEFAULT_CODER",
    "ExportSummary",
    "ImportReport",
    "RefiProject",
    "export_codebook",
    "export_project",
    "import_qdc",
    "import_qdpx",
    "import_refi",
    "read_qdc",
    "read_qdpx",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
