"""Coding: every change to codings, memos and done marks, undo and redo from the audit trail
(``codings``, the service the CLI and the workbench both call), and who is coding on this computer
(``userconfig``).

May import: ``codebook``, ``store``, ``errors``.
"""
