"""The code tree and its files.

``tree`` is the core every reader uses: codes, their paths and order, resolving a reference to a code,
counts per code. It is cheap to import (no YAML, no fuzzy matching until a reference is not found).
``yamlfile`` parses, validates and exports codebook YAML; ``load`` syncs a parsed codebook into a
project; ``edit`` is upkeep (add, rename, move, merge, delete, recolour, edit, group), audited and
undoable.

May import: ``store``, ``errors``.
"""
