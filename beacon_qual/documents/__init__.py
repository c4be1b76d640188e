"""Documents: look-up by id or name, upkeep (edit, rename, delete), revisions that re-anchor codings
onto a corrected text, and the speaker role of each turn.

May import: ``ingest``, ``codebook``, ``cases``, ``coding.changeset``, ``search``, ``text``, ``store``, ``errors``.
"""
