"""DAGSTER_HOME for the UI and for command-line runs, telemetry off."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.lib.project import PROJECT_DIR

DEFAULT_DAGSTER_HOME = PROJECT_DIR / ".dagster"
DAGSTER_YAML = "telemetry:\n  enabled: false\n"


def prepare_dagster_home(home: str | Path | None = None) -> Path:
    """Make (and export) DAGSTER_HOME with a dagster.yaml that turns telemetry off.

    The folder is $DAGSTER_HOME when set, else `.dagster/` in the project.
    An existing dagster.yaml is kept; one without a telemetry block gets it.
    """
    folder = Path(home or os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    elif "telemetry:" not in config.read_text():
        with config.open("a") as handle:
            handle.write("\n" + DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(folder)
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    return folder
