"""sqlfluff (dbt templater, DuckDB dialect) is clean on every model."""

from __future__ import annotations

import os
import subprocess
import sys

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR


def test_sqlfluff_lint_models_is_clean(tmp_path):
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(tmp_path / "lint.duckdb")}
    result = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "models", "--format", "human", "--processes", "2"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "All Finished" in result.stdout
