"""Fields that REFI-QDA has no place for, carried as labelled paragraphs of a Description.

A code's inclusion and exclusion rules, a document's phase and respondent role, a
council's register codes: REFI-QDA elements only have a free-text Description. We write
the description first and then one paragraph per field::

    Learning from another council's practice.

    Inclusion: the respondent names a council or a visit.

    Keywords: ["peer visit", "site visit"]

Other tools show this to their users as it stands, and reading it back recovers every
field exactly, as long as no text contains a blank line followed by one of the labels.
Paragraphs are read from the end, in reverse label order, and reading stops at the first
value a field does not accept, so a foreign description is at worst kept whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

Check = Callable[[str], bool]


def compose(body: str | None, fields: Sequence[tuple[str, str | None]]) -> str | None:
    """The description for ``body`` followed by each field that has a value."""
    parts = [body] if body else []
    parts += [f"{label}: {value}" for label, value in fields if value]
    return "\n\n".join(parts) or None


def decompose(
    text: str | None, labels: Sequence[str], checks: Mapping[str, Check] | None = None
) -> tuple[str | None, dict[str, str]]:
    """(body, {label: value}) of a description written by :func:`compose` with these labels."""
    if not text:
        return None, {}
    checks = checks or {}
    rest = text
    found: dict[str, str] = {}
    for label in reversed(labels):
        marker = f"\n\n{label}: "
        at = rest.rfind(marker)
        if at >= 0:
            value = rest[at + len(marker) :]
        elif rest.startswith(f"{label}: "):
            at, value = 0, rest[len(label) + 2 :]
        else:
            continue
        check = checks.get(label)
        if not value or (check is not None and not check(value)):
            break
        found[label] = value
        rest = rest[:at]
    return rest or None, found
