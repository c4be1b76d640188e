"""User-facing errors.

Every failure a user can cause (bad input, unknown council, a file that is not a
project) is raised as a :class:`BeaconError`. The CLI prints its message as one
line and exits non-zero; it never shows a traceback for these.
"""


class BeaconError(Exception):
    """An error whose message is fit to show to the user as one line."""

    exit_code = 1

    def __init__(self, message: str, *, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        # Optional extra lines (candidates, row numbers) shown after the message.
        self.details = details or []

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message
