"""Exchange with other qualitative tools through REFI-QDA 1.5: codebooks (.qdc) and projects (.qdpx)."""

from .refi_export import ExportSummary, export_codebook, export_project
from .refi_import import DEFAULT_CODER, ImportReport, import_qdc, import_qdpx, import_refi
from .refi_read import RefiProject, read_qdc, read_qdpx

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
