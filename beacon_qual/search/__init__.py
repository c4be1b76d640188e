"""Finding passages: full-text search over sentences, keyword suggestions, coding every hit.

May import: ``ingest``, ``cases``, ``codebook``, ``coding``, ``store``, ``errors``.
"""
