"""Running dbt from Python with the project's paths and offline settings."""

from __future__ import annotations

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


def run_dbt(paths: Paths, command: str, **kwargs) -> None:
    """Run one dbt command in-process; raise DbtError unless it succeeded."""
    from dbt.cli.main import dbtRunner  # imported late: dbt is slow to import

    apply_environment(paths)
    paths.db_path.parent.mkdir(parents=True, exist_ok=True)
    result = dbtRunner().invoke(dbt_args(command, **kwargs))
    if not result.success:
        detail = f": {result.exception}" if result.exception else ""
        raise DbtError(f"dbt {command} failed{detail}")
