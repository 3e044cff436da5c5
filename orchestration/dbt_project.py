"""The dbt project as Dagster sees it, alone in its module.

`dagster-dbt project prepare-and-package --file orchestration/dbt_project.py`
writes the manifest ahead of a deployment; it fails if this file also defined
``@dbt_assets`` (stack-notes), so the assets live in ``orchestration.assets``.
On load (``dagster dev``, the CLI, tests) ``ensure_manifest()`` parses the
project when the manifest is missing or older than any model, macro, seed,
test or ``dbt_project.yml``: like ``prepare_if_dev()``, without a ``dbt parse``
(15-20 s) on every load of an unchanged project.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR

os.environ.update({key: os.environ.get(key, value) for key, value in OFFLINE_ENV.items()})

# The dbt of this Python's environment, also when the venv is not activated
# (dagster-dbt looks `dbt` up on PATH).
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
if DBT_EXECUTABLE.exists() and str(DBT_EXECUTABLE.parent) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([str(DBT_EXECUTABLE.parent), os.environ.get("PATH", "")])

profile360_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)

_SOURCES = ("models", "macros", "seeds", "tests", "snapshots", "analyses")


def _newest_source() -> float:
    newest = (PROJECT_DIR / "dbt_project.yml").stat().st_mtime
    for folder in _SOURCES:
        for path in (PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def ensure_manifest() -> Path:
    """The manifest path, (re-)parsing the project first when it is missing or stale."""
    manifest = Path(profile360_project.manifest_path)
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source():
        profile360_project.preparer.prepare(profile360_project)
    return manifest
