"""Where the shipped data lives (package data, and the checkout's example folders)."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
REPO_DIR = PACKAGE_DIR.parent
CODEBOOKS_DIR = REPO_DIR / "codebooks"
EXAMPLES_DIR = REPO_DIR / "transcripts_example"
DEFAULT_CODEBOOK = CODEBOOKS_DIR / "learning_innovation.yaml"
DEFAULT_PROJECT = "beacon.qual.db"
