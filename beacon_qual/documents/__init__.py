"""Documents: the catalogue (listing and details), upkeep (edit, rename, delete), and revisions that
re-anchor codings onto a corrected text (``revise``, ``anchoring``).

May import: ``ingest``, ``cases``, ``codebook``, ``store``, ``errors``.
"""
