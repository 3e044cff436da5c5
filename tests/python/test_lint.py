"""sqlfluff (dbt templater, DuckDB dialect) is clean on every model, linted
against a built warehouse as `make lint` is after `make demo`: with tables in
place, the incremental branches of the models are rendered and linted too
(an empty database lints only the full-build branches)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR


def test_sqlfluff_lint_models_is_clean(tmp_path, built_warehouse):
    # A copy: the dbt templater opens the file, the session's warehouse stays free.
    db = tmp_path / "lint.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(db),
           "PROFILE360_LANDING_DIR": str(built_warehouse.landing_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "models", "--format", "human", "--processes", "2"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "All Finished" in result.stdout
