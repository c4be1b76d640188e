"""Transcript import: reading files (formats, encodings), metadata, speaker turns, sentences, storing.

See :mod:`.importer` for the two entry points.
"""

from beacon_qual.ingest.importer import (
    ImportSummary,
    ParsedTranscript,
    collect_files,
    import_paths,
    read_transcript,
)

__all__ = ["ImportSummary", "ParsedTranscript", "collect_files", "import_paths", "read_transcript"]
