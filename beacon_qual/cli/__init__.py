"""Command-line interface: ``beacon-qual`` (entry point ``beacon_qual.cli:main``).

Layout:

* :mod:`.base`: the root group :data:`~.base.main`, a :class:`~.base.LazyGroup` that maps each command
  name to ``"module:object"`` (:data:`~.base.COMMANDS`) and imports a command's module only when that
  command runs; the one way commands report errors; opening the project.
* :mod:`.commands`: one module per top-level command or group, named after it
  (``beacon-qual survey`` is ``commands/survey.py``, ``joint-display`` is ``commands/joint_display.py``,
  ``import`` is ``commands/import_.py``). The module's docstring is the command's help
  (``@click.command(help=__doc__)``): ``beacon-qual --help`` lists it from the file without importing
  the module, so the help is written once.
* :mod:`.output`: the one output path: ``@output_options`` gives a command ``--format``
  (``table``, ``csv``, ``json``, ``markdown`` unless it names others), ``-o/--output`` and ``--force``,
  checked once by :mod:`beacon_qual.text.outfile`'s rules, and one writer for tables, analyses and whole texts.
* :mod:`.coders`, :mod:`.filters`, :mod:`.refi`: options and printing that several commands share;
  :mod:`.demo`: building the demo project (``commands/demo.py`` is the command).

The CLI may import any service, :mod:`beacon_qual.tui` (to start the workbench) and the store; services
are imported inside the commands that use them where they are slow to load, so that start-up and
``--help`` stay fast.

May import: any part.
"""

from beacon_qual.cli.base import main

__all__ = ["main"]
