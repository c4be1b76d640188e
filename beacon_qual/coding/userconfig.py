"""The per-user settings file: who is coding on this computer.

The coder is a person, not a project: it lives in ``config.json`` under the platform's config folder
(``$XDG_CONFIG_HOME/beacon-qual`` on Linux, ``~/Library/Application Support/beacon-qual`` on macOS), so a
script that runs ``coding add --coder bob`` never changes who the next workbench opens as. Only the
workbench's own choice (``code --coder NAME`` or its first-run question) and ``beacon-qual coder set NAME``
write it. The file is written whole to a temporary file and renamed into place, so it is never half-written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from beacon_qual.errors import BeaconError


def config_path() -> Path:
    """The settings file (its folder may not exist yet)."""
    from platformdirs import user_config_path

    return user_config_path("beacon-qual", appauthor=False) / "config.json"


def load() -> dict[str, Any]:
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise BeaconError(f"cannot read the settings file {path}: {exc}; fix or delete it") from None
    return data if isinstance(data, dict) else {}


def save(data: dict[str, Any]) -> None:
    path = config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise BeaconError(f"cannot write the settings file {path}: {exc}") from None


def clean_coder_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise BeaconError("a coder name cannot be empty")
    if len(clean) > 80:
        raise BeaconError("a coder name can be at most 80 characters")
    return clean


def remembered_coder() -> str | None:
    """The coder remembered for this user, or None before the first choice."""
    name = load().get("coder")
    return name if isinstance(name, str) and name.strip() else None


def remember_coder(name: str) -> str:
    """Remember ``name`` as this user's coder; returns the name as stored."""
    name = clean_coder_name(name)
    data = load()
    if data.get("coder") != name:
        data["coder"] = name
        save(data)
    return name
