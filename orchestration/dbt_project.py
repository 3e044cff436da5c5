"""The dbt project as Dagster sees it, alone in its module.

`dagster-dbt project prepare-and-package --file orchestration/dbt_project.py`
writes the manifest ahead of a deployment; it fails if this file also defined
``@dbt_assets`` (stack-notes), so the assets live in ``orchestration.assets``.
Under ``dagster dev`` (or when no manifest exists yet) the project is parsed on
load by ``prepare_if_dev()`` / ``ensure_manifest()``.
"""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR

import os

os.environ.update({key: os.environ.get(key, value) for key, value in OFFLINE_ENV.items()})

profile360_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
profile360_project.prepare_if_dev()


def ensure_manifest() -> Path:
    """The manifest path, parsing the project first if it has never been parsed."""
    if not profile360_project.manifest_path.exists():
        profile360_project.preparer.prepare(profile360_project)
    return profile360_project.manifest_path
