"""Transcript import: reading files (formats, encodings), metadata, speaker turns, sentences, storing.

Also the speaker role of each turn (``speaker_roles``), set as it is imported and corrected later.
See :mod:`.importer` for the two entry points. Nothing is imported here, so reading a speaker role does
not load the importer (numpy, the worker pool).

May import: ``cases``, ``text``, ``store``, ``errors``.
"""
