"""Codebook speed: parse, load, reload and export a large generated codebook; resolve code references.

Prints figures; nothing is asserted.

    python benchmarks/codebook_speed.py [--roots 20 --children 10 --grandchildren 10 --resolves 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import yaml

from beacon_qual.codebook import load, yamlfile
from beacon_qual.codebook import tree as cb
from beacon_qual.store import Project


def generated_codebook(roots: int, children: int, grandchildren: int) -> dict:
    rng = uuid.UUID(int=1)

    def code(name: str, kids: list[dict]) -> dict:
        nonlocal rng
        rng = uuid.UUID(int=rng.int + 1, version=4)
        out = {
            "id": str(rng),
            "name": name,
            "colour": "#5FAFFF",
            "definition": f"Definition of {name}.",
            "keywords": [name.lower(), f"{name.lower()} phrase"],
        }
        if kids:
            out["children"] = kids
        return out

    return {
        "name": "Generated",
        "version": "1",
        "codes": [
            code(
                f"Root {r}",
                [
                    code(f"Child {r}.{c}", [code(f"Leaf {r}.{c}.{g}", []) for g in range(grandchildren)])
                    for c in range(children)
                ],
            )
            for r in range(roots)
        ],
    }


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label:<44} {1000 * (time.perf_counter() - start):9.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roots", type=int, default=20)
    parser.add_argument("--children", type=int, default=10)
    parser.add_argument("--grandchildren", type=int, default=10)
    parser.add_argument("--resolves", type=int, default=1000)
    args = parser.parse_args()
    book = generated_codebook(args.roots, args.children, args.grandchildren)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
        project = Project.create(Path(tmp) / "bench.db")
        parsed = timed("parse", lambda: yamlfile.parse_codebook(path))
        print(f"codes: {len(list(parsed.walk())):,}")
        print(timed("first load", lambda: load.load_codebook(project, path)))
        print(timed("reload, unchanged", lambda: load.load_codebook(project, path)))
        for root in book["codes"]:
            for child in root["children"]:
                child["name"] += " (renamed)"
        path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
        print(timed("reload, every middle code renamed", lambda: load.load_codebook(project, path)))
        exported = timed("export", lambda: yamlfile.export_codebook(project))
        print(f"export size: {len(exported):,} characters")
        leaves = [c.path for c in cb.all_codes(project) if c.path.count("/") == 2]
        refs = [leaves[i % len(leaves)].rsplit("/", 1)[1] for i in range(args.resolves)]
        label = f"resolve_code by name x {args.resolves:,}"
        timed(label, lambda: [cb.resolve_code(project, r) for r in refs])
        timed("code_tree with counts", lambda: cb.code_tree(project))
        project.close()


if __name__ == "__main__":
    main()
