"""Finding passages: full-text search over sentences, keyword suggestions, coding every hit.

May import: ``codebook``, ``cases``, ``coding``, ``documents``, ``store``, ``errors``.
"""
