"""Team projects: a coder's copy of a project, and merging coders' copies back.

May import: ``ingest``, ``codebook``, ``text``, ``store``, ``errors``.
"""
