"""Time a survey import: every 2008 council, three waves, a mix of measure types.

Run: python benchmarks/survey_import.py [--variables 20]
Prints the seconds taken to read, match, type and write the file, and to re-import it
(every value then replaced or unchanged), and to summarise one variable.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from beacon_qual.cases.councils import load_register, seed_cases
from beacon_qual.store import Project
from beacon_qual.survey.measures import import_survey, summarise_variable
from beacon_qual.survey.types import LIKERT_SCALES

WAVES = 3


def write_survey(path: Path, variables: int, seed: int) -> int:
    rng = random.Random(seed)
    names = [entry.name for entry in load_register()]
    likert = LIKERT_SCALES[0]
    header = ["council", "wave", *[f"v{i:02d}" for i in range(variables)]]
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for wave in range(1, WAVES + 1):
            for name in names:
                cells = []
                for i in range(variables):
                    kind = i % 4
                    if kind == 0:
                        cells.append(f"{rng.uniform(0, 100):.1f}")
                    elif kind == 1:
                        cells.append(rng.choice(likert))
                    elif kind == 2:
                        cells.append(rng.choice(["yes", "no", ""]))
                    else:
                        cells.append(rng.choice(["county", "district", "unitary", "NA"]))
                writer.writerow([name, wave, *cells])
                rows += 1
    return rows


def timed(label: str, action) -> None:
    start = time.perf_counter()
    result = action()
    print(f"{label:<34} {time.perf_counter() - start:7.3f} s  {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variables", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "survey.csv"
        rows = write_survey(path, args.variables, seed=1)
        project = Project.create(Path(folder) / "bench.db")
        seed_cases(project)
        print(f"{rows} rows x {args.variables} variables")
        timed("first import", lambda: f"{import_survey(project, path).written} values written")
        write_survey(path, args.variables, seed=2)
        timed(
            "re-import (values replaced)", lambda: f"{import_survey(project, path).replaced} values replaced"
        )
        timed("summarise one variable", lambda: f"{len(summarise_variable(project, 'v01').waves)} waves")
        project.close()


if __name__ == "__main__":
    main()
