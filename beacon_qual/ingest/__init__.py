"""Transcript import: reading files (formats, encodings), metadata, speaker turns, sentences, storing.

Also the speaker role of each turn (``speaker_roles``), set as it is imported and corrected later.
See :mod:`.importer` for the two entry points.

May import: ``cases``, ``text``, ``store``, ``errors``.
"""

from beacon_qual.ingest.importer import (
    ImportSummary,
    ParsedTranscript,
    collect_files,
    import_paths,
    read_transcript,
)

__all__ = ["ImportSummary", "ParsedTranscript", "collect_files", "import_paths", "read_transcript"]
