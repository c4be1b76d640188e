"""One module per top-level command or group, named after it: ``beacon-qual NAME`` lives in
``NAME.py`` (a ``-`` becomes ``_``; ``import`` is ``import_.py``, ``import`` being a Python keyword).
A module's docstring is its command's help."""
