"""Text in and out, safely: encodings, sentence splitting (spaCy), control characters on a terminal,
CSV cells a spreadsheet cannot run, archive limits, and the one way an output file is written.

May import: ``store``, ``errors``.
"""
