"""Point-in-time segment membership: the backfill plan and snapshot arguments.

The backfill recomputes traits and segments as of each past day in order:
every trait model ignores events at or after the end of that day (the day
comes from var ``profile360__as_of_date`` or, as the backfill sets it, the
environment variable ``PROFILE360_AS_OF_DATE``), and
``fct_segment_membership_changes`` merges each day's membership into the
history. The plan is a pure function (tested); running it is a loop of dbt
calls, one child process per day.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import date, timedelta

# The models computed as of a day: traits and segments (tag set per folder in
# dbt_project.yml). Profiles and identity are current state and not rebuilt.
AS_OF_SELECTION = "tag:as_of"
AS_OF_ENV = "PROFILE360_AS_OF_DATE"


@dataclass(frozen=True)
class BackfillStep:
    """One dbt call of a backfill."""

    as_of: date
    command: str  # "run" for the days before the last, "build" (with tests) for the last
    full_refresh: bool  # the first day starts the history afresh

    def dbt_kwargs(self) -> dict:
        return {"select": AS_OF_SELECTION, "full_refresh": self.full_refresh}

    def environment(self) -> dict[str, str]:
        """The as-of day, passed as an environment variable rather than --vars:
        a changed env var re-parses only the models that read it, a changed
        --vars the whole project (~12 s a day)."""
        return {AS_OF_ENV: self.as_of.isoformat()}


def backfill_days(start: date, end: date, step_days: int = 1) -> list[date]:
    """Days from start to end, every step_days, always ending on end."""
    if step_days < 1:
        raise ValueError("step_days must be at least 1")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    days = []
    day = start
    while day < end:
        days.append(day)
        day += timedelta(days=step_days)
    days.append(end)
    return days


def backfill_plan(start: date, end: date, step_days: int = 1, fresh: bool = True) -> list[BackfillStep]:
    """The dbt calls of a backfill: fresh history on the first day (unless
    appending), plain runs in between, a build with tests on the last day."""
    days = backfill_days(start, end, step_days)
    return [
        BackfillStep(as_of=day, command="build" if index == len(days) - 1 else "run",
                     full_refresh=fresh and index == 0)
        for index, day in enumerate(days)
    ]


def run_plan(paths, plan: list[BackfillStep]) -> None:
    """Run a backfill plan: one dbt child process per day, in order."""
    from orchestration.lib.dbt import DbtError, dbt_command
    from orchestration.lib.project import PROJECT_DIR, apply_environment

    apply_environment(paths)
    paths.db_path.parent.mkdir(parents=True, exist_ok=True)
    for step in plan:
        started = time.perf_counter()
        print(f"profile360: segments as of {step.as_of.isoformat()} ({step.command})", flush=True)
        result = subprocess.run(dbt_command(step.command, **step.dbt_kwargs()), cwd=PROJECT_DIR,
                                env={**os.environ, **step.environment()}, check=False)
        if result.returncode != 0:
            raise DbtError(f"backfill failed as of {step.as_of.isoformat()} "
                           f"(dbt exit code {result.returncode}); see the log above")
        print(f"profile360: {step.as_of.isoformat()} done in {time.perf_counter() - started:.1f} s",
              flush=True)


def freeze_args(segment_key: str, snapshot_name: str) -> str:
    """The --args of `dbt run-operation freeze_segment`."""
    return json.dumps({"segment_key": segment_key, "snapshot_name": snapshot_name})
