"""Running dbt from Python with the project's paths and offline settings."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

from orchestration.lib.project import PROJECT_DIR, Paths, apply_environment


class DbtError(RuntimeError):
    """dbt finished with failures (or could not start)."""


def dbt_args(command: str, *, select: str | None = None, full_refresh: bool = False,
             extra: Sequence[str] = ()) -> list[str]:
    """The argument list of one dbt call against this project (pure, tested)."""
    args = [command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    args += list(extra)
    return args


def dbt_command(command: str, **kwargs) -> list[str]:
    """The full command line that runs one dbt call in a child process with this Python."""
    return [sys.executable, "-c", "from dbt.cli.main import cli; cli()", *dbt_args(command, **kwargs)]


def run_dbt(paths: Paths, command: str, **kwargs) -> None:
    """Run one dbt command in a child process; raise DbtError unless it succeeded.

    A child process, not dbt's in-process runner: dbt-duckdb keeps its DuckDB
    connection open for the life of the process, which would lock the
    warehouse file against the summary, Great Expectations or the next build.
    """
    apply_environment(paths)
    paths.db_path.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(dbt_command(command, **kwargs), cwd=PROJECT_DIR,
                            env=os.environ.copy(), check=False)
    if result.returncode != 0:
        raise DbtError(f"dbt {command} failed (exit code {result.returncode}); see the log above")
