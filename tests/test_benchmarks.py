"""The benchmark scripts keep up with the code they time.

They are run by hand, not by the suite, so a module moved or a function renamed could leave one broken without
anyone noticing until a measurement is wanted. Every beacon_qual name a script imports (lazy imports inside its
functions included) must exist, and every script must print its usage.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("*.py"))


def _missing_names(script: Path) -> list[str]:
    """The beacon_qual modules and names ``script`` imports that do not exist, as 'line: module.name'."""
    missing = []
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        wanted: list[tuple[str, str | None]] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "beacon_qual":
            wanted = [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            wanted = [(alias.name, None) for alias in node.names if alias.name.split(".")[0] == "beacon_qual"]
        for module_name, name in wanted:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                missing.append(f"{node.lineno}: {module_name}")
                continue
            if name is None or hasattr(module, name):
                continue
            try:  # a submodule named in "from package import module"
                importlib.import_module(f"{module_name}.{name}")
            except ImportError:
                missing.append(f"{node.lineno}: {module_name}.{name}")
    return missing


def test_there_are_benchmarks_to_check() -> None:
    assert len(SCRIPTS) >= 10, f"no benchmark scripts found in {BENCHMARKS}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_every_beacon_qual_name_a_benchmark_imports_exists(script: Path) -> None:
    assert _missing_names(script) == []


@pytest.mark.parametrize(
    "script",
    [path for path in SCRIPTS if "argparse" in path.read_text(encoding="utf-8")],
    ids=lambda path: path.name,
)
def test_each_benchmark_prints_its_usage(script: Path, tmp_path: Path) -> None:
    # run from elsewhere, as the scripts' docstrings allow: nothing is built or timed with --help
    result = subprocess.run(
        [sys.executable, str(script), "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
