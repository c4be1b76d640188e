"""Time seeding the council register and matching council references.

Run: python benchmarks/council_matching.py [--refs 20000]
Prints the seconds taken to seed the 388 councils, to build the matching index, to resolve a batch of
survey-style references with resolve_many (exact names, short names with designations, codes and
misspellings), and to resolve the same references one by one with resolve_council.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from beacon_qual.cases.councils import (
    CouncilNotResolved,
    load_register,
    resolve_council,
    resolve_many,
    seed_cases,
)
from beacon_qual.store import Project

SUFFIXES = ("", " Council", " BC", " DC", " MBC", " CC")


def references(count: int, seed: int) -> list[str]:
    """Names, short names with a designation, codes, and one-letter typos (a third of the typos with
    a number appended, which should not resolve)."""
    rng = random.Random(seed)
    register = load_register()
    refs = []
    for i in range(count):
        entry = rng.choice(register)
        kind = i % 4
        if kind == 0:
            refs.append(entry.name)
        elif kind == 1:
            refs.append(entry.short_name + rng.choice(SUFFIXES))
        elif kind == 2:
            refs.append(rng.choice([entry.code, entry.ons_code]).lower())
        else:
            name = entry.short_name
            at = rng.randrange(1, len(name))
            refs.append(name[:at] + name[at + 1 :] + f" {i}" * (i % 3 == 0))
    return refs


def seconds(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refs", type=int, default=20000)
    args = parser.parse_args()
    refs = references(args.refs, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        project = Project.create(Path(folder) / "bench.db")
        took, added = seconds(lambda: seed_cases(project))
        print(f"seed_cases: {added} councils in {took:.3f} s")
        took, _ = seconds(lambda: resolve_council(project, "Birmingham"))
        print(f"first resolve_council (builds the index): {took * 1000:.1f} ms")
        took, (matches, problems) = seconds(lambda: resolve_many(project, refs))
        distinct = len(set(refs))
        print(
            f"resolve_many: {len(refs)} references ({distinct} distinct) in {took:.3f} s "
            f"({took / distinct * 1e6:.0f} us per distinct reference); "
            f"{len(matches)} matched, {len(problems)} not"
        )
        sample = list(dict.fromkeys(refs))[:2000]

        def one_by_one() -> int:
            unresolved = 0
            for ref in sample:
                try:
                    resolve_council(project, ref)
                except CouncilNotResolved:
                    unresolved += 1
            return unresolved

        took, unresolved = seconds(one_by_one)
        print(
            f"resolve_council one by one: {len(sample)} references in {took:.3f} s ({unresolved} not resolved)"
        )
        project.close()


if __name__ == "__main__":
    main()
