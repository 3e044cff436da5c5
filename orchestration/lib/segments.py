"""Point-in-time segment membership: the backfill plan and snapshot arguments.

The backfill recomputes traits and segments as of each past day in order
(dbt var ``profile360__as_of_date``); every trait model ignores events at or
after the end of that day, and ``fct_segment_membership_changes`` merges each
day's membership into the history. The plan is a pure function (tested);
running it is a loop of dbt calls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

# The models computed as of a day: traits and segments (tag set per folder in
# dbt_project.yml). Profiles and identity are current state and not rebuilt.
AS_OF_SELECTION = "tag:as_of"


@dataclass(frozen=True)
class BackfillStep:
    """One dbt call of a backfill."""

    as_of: date
    command: str  # "run" for the days in between, "build" (with tests) for the last
    full_refresh: bool  # the first day starts the history afresh

    def dbt_kwargs(self) -> dict:
        return {
            "select": AS_OF_SELECTION,
            "full_refresh": self.full_refresh,
            "extra": ["--vars", as_of_vars(self.as_of)],
        }


def as_of_vars(as_of: date) -> str:
    """The --vars argument that computes traits and segments as of a day."""
    return json.dumps({"profile360__as_of_date": as_of.isoformat()})


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


def freeze_args(segment_key: str, snapshot_name: str) -> str:
    """The --args of `dbt run-operation freeze_segment`."""
    return json.dumps({"segment_key": segment_key, "snapshot_name": snapshot_name})


def plan_to_json(plan: list[BackfillStep]) -> str:
    return json.dumps([{"as_of": step.as_of.isoformat(), "command": step.command,
                        "full_refresh": step.full_refresh} for step in plan])


def plan_from_json(text: str) -> list[BackfillStep]:
    return [BackfillStep(date.fromisoformat(item["as_of"]), item["command"], item["full_refresh"])
            for item in json.loads(text)]


def run_plan(paths, plan: list[BackfillStep]) -> None:
    """Run a backfill plan in one child process (see _run_plan_in_this_process).

    One child for the whole plan, not one per day: the project is parsed
    once and every day reuses that manifest (a new --vars would otherwise
    re-parse the project, ~12 s a day). A child, so that dbt-duckdb's open
    connection never outlives the backfill.
    """
    import os
    import subprocess
    import sys

    from orchestration.lib.dbt import DbtError
    from orchestration.lib.project import PROJECT_DIR, apply_environment

    apply_environment(paths)
    paths.db_path.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "orchestration.lib.segments", plan_to_json(plan)],
                            cwd=PROJECT_DIR, env=os.environ.copy(), check=False)
    if result.returncode != 0:
        raise DbtError(f"backfill failed (exit code {result.returncode}); see the log above")


def _run_plan_in_this_process(plan: list[BackfillStep]) -> int:
    import time

    from dbt.cli.main import dbtRunner

    from orchestration.lib.dbt import dbt_args

    parsed = dbtRunner().invoke(dbt_args("parse"))
    if not parsed.success:
        return 1
    runner = dbtRunner(manifest=parsed.result)
    for step in plan:
        started = time.perf_counter()
        print(f"profile360: segments as of {step.as_of.isoformat()} ({step.command})", flush=True)
        result = runner.invoke(dbt_args(step.command, **step.dbt_kwargs()))
        if not result.success:
            return 1
        print(f"profile360: {step.as_of.isoformat()} done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(_run_plan_in_this_process(plan_from_json(sys.argv[1])))
