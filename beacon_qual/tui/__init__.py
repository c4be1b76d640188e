"""The Textual workbench: the app, its panes, modal screens, selection mode, favourites, the analysis
views (councils x themes, coded segments, theme by measure, council panel, memos) and its read model
(``readmodel``: document list with progress, code list, picker).

May import: ``agreement``, ``analysis``, ``codebook``, ``coding``, ``documents``, ``ingest``, ``search``, ``text``, ``store``, ``errors``.
"""
