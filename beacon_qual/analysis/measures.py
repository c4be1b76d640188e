"""Survey measures per council, read from ``variables`` and ``case_values``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import pairwise

from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import measures as sql

CATEGORY_TYPES = ("categorical", "ordinal", "boolean")
RANKABLE_TYPES = ("numeric", "ordinal")


@dataclass(frozen=True)
class Variable:
    id: int
    name: str
    type: str
    levels: tuple[str, ...]
    label: str | None


def all_variables(project: Project) -> list[Variable]:
    return [_variable(r) for r in sql.variables(project)]


def _variable(row) -> Variable:
    levels: tuple[str, ...] = ()
    if row["levels"]:
        try:
            levels = tuple(str(level) for level in json.loads(row["levels"]))
        except (ValueError, TypeError):
            raise BeaconError(
                f"survey variable {row['name']!r} has unreadable levels: {row['levels']!r}"
            ) from None
    return Variable(row["id"], row["name"], row["type"], levels, row["label"])


def get_variable(project: Project, name: str) -> Variable:
    row = sql.variable_named(project, name)
    if row is None:
        row = sql.variable_named(project, name, any_case=True)
    if row is None:
        known = sql.variable_names(project)
        if not known:
            raise BeaconError(f"no survey variable {name!r}: this project holds no survey measures yet")
        from rapidfuzz import process

        suggestions = [m for m, _s, _i in process.extract(name, known, limit=3)]
        raise BeaconError(f"no survey variable {name!r}", details=[f"did you mean: {s}" for s in suggestions])
    return _variable(row)


def waves_of(project: Project, variable: Variable) -> list[int]:
    return sql.variable_waves(project, variable.id)


def choose_wave(project: Project, variable: Variable, wave: int | None) -> int:
    """The wave to read: the one asked for, else the only one there is."""
    waves = waves_of(project, variable)
    if not waves:
        raise BeaconError(f"survey variable {variable.name!r} has no values")
    if wave is None:
        if len(waves) > 1:
            raise BeaconError(
                f"survey variable {variable.name!r} has waves {', '.join(map(str, waves))}; "
                "choose one with --wave"
            )
        return waves[0]
    if wave not in waves:
        raise BeaconError(
            f"survey variable {variable.name!r} has no wave {wave} (waves: {', '.join(map(str, waves))})"
        )
    return wave


def numeric_values(project: Project, variable: Variable, wave: int) -> dict[int, float]:
    """value_num per council (numeric, ordinal level index, boolean 0/1)."""
    if variable.type not in ("numeric", "ordinal", "boolean"):
        raise BeaconError(
            f"survey variable {variable.name!r} is {variable.type}, not a number; "
            "use a numeric, ordinal or boolean measure"
        )
    return {r[0]: float(r[1]) for r in sql.numeric_values(project, variable.id, wave)}


def raw_values(project: Project, variable: Variable, wave: int) -> dict[int, float | str]:
    """The value to show per council: a number for numeric, ordinal and boolean, else the text."""
    numeric = variable.type in ("numeric", "ordinal", "boolean")
    return {r[0]: r[1] for r in sql.shown_values(project, variable.id, wave, numeric=numeric)}


@dataclass(frozen=True)
class Categories:
    """Each council's category of a variable, with the categories in their order."""

    labels: tuple[str, ...]
    of_case: dict[int, str]
    cuts: tuple[float, ...] = ()


def categories(
    project: Project,
    variable: Variable,
    wave: int,
    *,
    cuts: tuple[float, ...] = (),
    quantiles: int | None = None,
    case_ids: list[int] | None = None,
) -> Categories:
    """Group councils by a categorical, ordinal or boolean variable, or by bins of a numeric one.

    Numeric bins are closed on the left: cuts 10, 20 make ``< 10``, ``10 to < 20`` and ``>= 20``.
    Quantile cut points are taken over the councils in ``case_ids`` that have a value.
    """
    if variable.type == "numeric":
        values = numeric_values(project, variable, wave)
        if case_ids is not None:
            keep = set(case_ids)
            values = {k: v for k, v in values.items() if k in keep}
        if quantiles is not None:
            cuts = quantile_cuts(list(values.values()), quantiles, variable.name)
            if not cuts:
                raise BeaconError(
                    f"survey variable {variable.name!r} has too few distinct values among the selected councils"
                    f" ({len(values)}) to form {quantiles} groups; give --cuts instead or widen the selection"
                )
        if not cuts:
            raise BeaconError(
                f"survey variable {variable.name!r} is numeric; bin it with --cuts 10,20 or --quantiles 4"
            )
        return bin_values(values, cuts)
    if cuts or quantiles is not None:
        raise BeaconError(
            f"--cuts and --quantiles apply to numeric variables; {variable.name!r} is {variable.type}"
        )
    if variable.type not in CATEGORY_TYPES:
        raise BeaconError(
            f"survey variable {variable.name!r} is {variable.type}; group by a categorical, ordinal, "
            "boolean or binned numeric variable"
        )
    rows = sql.case_values(project, variable.id, wave).fetchall()
    of_case = {}
    for row in rows:
        label = _category_label(variable, row["value_num"], row["value_text"])
        if label is not None:
            of_case[row["case_id"]] = label
    return Categories(_ordered_labels(variable, set(of_case.values())), of_case)


def _category_label(variable: Variable, value_num: float | None, value_text: str | None) -> str | None:
    if value_text is not None and value_text != "":
        return value_text
    if value_num is None:
        return None
    if variable.type == "boolean":
        return "true" if value_num else "false"
    if variable.type == "ordinal" and 0 <= int(value_num) < len(variable.levels):
        return variable.levels[int(value_num)]
    return str(value_num)


def _ordered_labels(variable: Variable, seen: set[str]) -> tuple[str, ...]:
    if variable.type == "boolean":
        order = ["false", "true"]
    else:
        order = list(variable.levels)
    extra = sorted(seen - set(order))
    return tuple(label for label in order if label in seen or variable.type == "ordinal") + tuple(extra)


def quantile_cuts(values: list[float], groups: int, name: str) -> tuple[float, ...]:
    if groups < 2:
        raise BeaconError(f"--quantiles must be 2 or more, not {groups}")
    if not values:
        raise BeaconError(f"survey variable {name!r} has no values for the selected councils")
    import numpy as np  # here: the commands that read measures without binning them start without it

    points = np.quantile(np.array(values, dtype=float), [i / groups for i in range(1, groups)])
    distinct = sorted({float(p) for p in points})
    lowest = min(values)
    return tuple(p for p in distinct if p > lowest)


def bin_values(values: dict[int, float], cuts: tuple[float, ...]) -> Categories:
    ordered = tuple(sorted(set(cuts)))
    if list(ordered) != list(cuts):
        raise BeaconError(f"cut points must be distinct and increasing: {', '.join(_num(c) for c in cuts)}")
    labels = bin_labels(ordered)
    import numpy as np

    edges = np.array(ordered)
    of_case = {
        case: labels[int(np.searchsorted(edges, value, side="right"))] for case, value in values.items()
    }
    return Categories(labels, of_case, ordered)


def bin_labels(cuts: tuple[float, ...]) -> tuple[str, ...]:
    labels = [f"< {_num(cuts[0])}"]
    labels += [f"{_num(a)} to < {_num(b)}" for a, b in pairwise(cuts)]
    labels.append(f">= {_num(cuts[-1])}")
    return tuple(labels)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def parse_cuts(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise BeaconError(f"--cuts must be numbers separated by commas, e.g. 10,20; got {text!r}") from None
