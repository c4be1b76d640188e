"""The SQL of the analyses, one module per analysis module that reads the store: ``selection`` (the analyses'
temporary table of selected documents, the conditions a selection puts on documents and codings, the bases'
counts), ``frequencies``, ``crosstab``, ``passages`` (coded passages for trends, joint displays and the wide
table), ``measures`` (survey measures as the analyses read them), ``quotes`` and ``cooccurrence``.

May import: ``errors`` (as the rest of ``store``).
"""
