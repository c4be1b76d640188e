"""Command-line interface: ``beacon-qual``.

Each module below adds the commands of one area to :data:`main`.
"""

# Importing a module registers its commands.
from . import (
    analysis_cmds,  # noqa: F401
    cases_cmds,  # noqa: F401
    codebook_cmds,  # noqa: F401
    coding_cmds,  # noqa: F401
    exchange_cmds,  # noqa: F401
    import_cmds,  # noqa: F401
    project_cmds,  # noqa: F401
    reliability_cmds,  # noqa: F401
    search_cmds,  # noqa: F401
    survey_cmds,  # noqa: F401
    team_cmds,  # noqa: F401
    workbench_cmds,  # noqa: F401
)
from .base import main

__all__ = ["main"]
