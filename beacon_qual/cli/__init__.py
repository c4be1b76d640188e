"""Command-line interface: ``beacon-qual``.

Each module below adds the commands of one area to :data:`main`.
"""

from .base import main  # noqa: F401

# Importing a module registers its commands.
from . import project_cmds  # noqa: F401,E402
from . import cases_cmds  # noqa: F401,E402
from . import codebook_cmds  # noqa: F401,E402
from . import import_cmds  # noqa: F401,E402
from . import coding_cmds  # noqa: F401,E402
from . import team_cmds  # noqa: F401,E402
from . import survey_cmds  # noqa: F401,E402
from . import workbench_cmds  # noqa: F401,E402
from . import analysis_cmds  # noqa: F401,E402
from . import exchange_cmds  # noqa: F401,E402
from . import search_cmds  # noqa: F401,E402
from . import reliability_cmds  # noqa: F401,E402

__all__ = ["main"]
