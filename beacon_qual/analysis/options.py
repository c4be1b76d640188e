"""The choices the analyses accept, in a module of their own so that the command line can offer them
without importing the analyses (and numpy, scipy and the codebook with them)."""

GROUP_FIELDS = ("document", "council", "phase", "role", "coder", "wave")  # frequencies --by
UNITS = ("council", "document", "segment")  # crosstab --unit
LEVELS = ("sentence", "turn", "overlap", "document")  # cooccurrence --within
TEXT_FORMATS = ("csv", "markdown", "json")
QUOTE_FORMATS = ("markdown", "csv", "json", "docx")
UNIT_KINDS = ("sentence", "turn")  # quotes --unit-kind
