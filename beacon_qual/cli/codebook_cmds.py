"""Commands: codebook_cmds (being written)."""

from .base import main  # noqa: F401
