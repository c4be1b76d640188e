"""The demo project: the example transcripts, the shipped codebook, the council register and the example survey."""

from __future__ import annotations

from pathlib import Path

from beacon_qual.data import DEFAULT_CODEBOOK, EXAMPLES_DIR
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.demo import checkpoint, meta_value_readonly

DEMO_PROJECT = "beacon-demo.qual.db"
DEMO_SURVEY = "survey_councils.csv"
DEMO_MARK = "demo_project"  # meta key set in a project built by build_demo: 'demo --force' may rebuild it


def is_demo_project(path: Path) -> bool:
    """True when ``path`` is a project build_demo made (read-only look; False for anything else)."""
    from beacon_qual.text.outfile import is_project_file

    if not is_project_file(path):
        return False
    return meta_value_readonly(path, DEMO_MARK) == "1"


def build_demo(path: Path | str) -> list[str]:
    """Create a project at ``path`` from the shipped example data; returns what was done, line by line."""
    from beacon_qual.cases.councils import seed_cases
    from beacon_qual.codebook.load import load_codebook
    from beacon_qual.ingest.importer import import_paths
    from beacon_qual.survey.measures import import_survey

    path = Path(path)
    if not EXAMPLES_DIR.is_dir():
        raise BeaconError(f"the example folder {EXAMPLES_DIR} is missing; run from a checkout of beacon-qual")
    partial = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    lines: list[str] = []
    project = Project.create(partial)
    try:
        with project.transaction():
            project.set_meta(DEMO_MARK, "1")
        lines.append(f"councils: {seed_cases(project)} seeded")
        lines.append(f"codebook: {load_codebook(project, DEFAULT_CODEBOOK)}")
        transcripts = sorted(
            p
            for p in EXAMPLES_DIR.iterdir()
            if p.suffix.lower() in {".txt", ".md", ".docx", ".vtt", ".srt"} and p.name.lower() != "readme.md"
        )
        summary = import_paths(project, transcripts)
        lines.append(
            f"transcripts: {len(summary.imported)} imported ({summary.words:,} words, {summary.turns} turns,"
            f" {summary.sentences} sentences, {summary.councils} councils)"
        )
        survey = EXAMPLES_DIR / DEMO_SURVEY
        if survey.exists():
            report = import_survey(project, survey)
            lines.append(
                f"survey: {report.rows} rows, {report.councils} councils, waves"
                f" {', '.join(map(str, report.waves))}, {len(report.variables)} variables"
            )
        checkpoint(project)
    finally:
        project.close()
    partial.rename(path)
    return lines
