"""The shipped data (the council registers and their README) and where it lives.

Also names the checkout's example folders (codebooks, transcripts) that the demo and the defaults use.
Anything may import it.

May import: nothing of ours.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = DATA_DIR.parent
REPO_DIR = PACKAGE_DIR.parent
CODEBOOKS_DIR = REPO_DIR / "codebooks"
EXAMPLES_DIR = REPO_DIR / "transcripts_example"
DEFAULT_CODEBOOK = CODEBOOKS_DIR / "learning_innovation.yaml"
DEFAULT_PROJECT = "beacon.qual.db"
