"""Coding: every change to codings, memos and done marks, undo and redo from the audit trail.

``codings`` is the service the CLI and the workbench both call; ``changeset`` records many rows changed
by one action so one undo takes it back; ``userconfig`` remembers who is coding on this computer.
May import: ``codebook``, ``store``, ``errors``.
"""
