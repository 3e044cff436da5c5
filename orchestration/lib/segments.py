"""Point-in-time segment membership: the backfill plan and snapshot arguments.

The backfill recomputes traits and segments as of each past day in order:
every trait model ignores events at or after the end of that day (the day
comes from var ``profile360__as_of_date`` or, as the backfill sets it, the
environment variable ``PROFILE360_AS_OF_DATE``), and
``fct_segment_membership_changes`` merges each day's membership into the
history. A backfill builds those models into their own schemas
(``traits_backfill``, ``segments_backfill``: PROFILE360_SEGMENT_BACKFILL=1,
see macros/generate_schema_name.sql); the live traits, segments, history and
exports are never touched. The plan is a pure function (tested); running it
is a loop of dbt calls, one child process per day, sharing one target folder
so that dbt parses the project once for the whole backfill. It runs as the
Dagster asset ``segments_backfill/segment_history`` (orchestration.assets),
one run per backfill, partitions = as-of days.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# The models computed as of a day: traits and segments (tag set per folder in
# dbt_project.yml). Profiles and identity are current state and not rebuilt.
AS_OF_SELECTION = "tag:as_of"
AS_OF_ENV = "PROFILE360_AS_OF_DATE"
BACKFILL_ENV = "PROFILE360_SEGMENT_BACKFILL"
# The schemas a backfill writes (generate_schema_name: <layer>_backfill).
BACKFILL_SCHEMAS = ("traits_backfill", "segments_backfill")
# dbt's log line when it cannot reuse a saved parse.
FULL_PARSE_MARK = "Starting full parse"


@dataclass(frozen=True)
class BackfillStep:
    """One dbt call of a backfill."""

    as_of: date
    command: str  # "run" for the days before the last, "build" (with tests) for the last
    full_refresh: bool  # the first day starts the history afresh

    def dbt_kwargs(self) -> dict:
        # Only the tests of the backfilled models (cautious): a test that
        # also reads a live model downstream of them would compare two days.
        return {"select": AS_OF_SELECTION, "full_refresh": self.full_refresh,
                "extra": ["--indirect-selection", "cautious"]}

    def environment(self) -> dict[str, str]:
        """The as-of day, passed as an environment variable rather than --vars
        (read at execution only: every day shares the backfill's one parse; a
        changed --vars re-parses the whole project, ~12 s a day), and the
        switch that builds into the backfill schemas."""
        return {AS_OF_ENV: self.as_of.isoformat(), BACKFILL_ENV: "1"}


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


@dataclass
class BackfillReport:
    """What a backfill run did: the days, the dbt parses it needed, the time."""

    days: list[date]
    full_parses: int
    seconds: float

    def lines(self) -> list[str]:
        return [f"backfilled {len(self.days)} days ({self.days[0].isoformat()} .. {self.days[-1].isoformat()}) "
                f"into {', '.join(BACKFILL_SCHEMAS)} in {self.seconds:.1f} s, {self.full_parses} dbt parse(s)"]


def run_plan(paths, plan: list[BackfillStep], target_path: Path, log: Callable[[str], None] = print
             ) -> BackfillReport:
    """Run a backfill plan: one dbt child process per day, in order, all with
    the target folder `target_path` (and their log there): the first call
    parses the project and saves it, the next ones reuse that parse."""
    from orchestration.lib.dbt import DbtError, dbt_command
    from orchestration.lib.project import PROJECT_DIR, apply_environment

    apply_environment(paths)
    paths.db_path.parent.mkdir(parents=True, exist_ok=True)
    target_path.mkdir(parents=True, exist_ok=True)
    dbt_log = target_path / "dbt.log"
    started = time.perf_counter()
    for step in plan:
        step_started = time.perf_counter()
        log(f"profile360: segments as of {step.as_of.isoformat()} ({step.command})")
        env = {**os.environ, **step.environment(),
               "DBT_TARGET_PATH": str(target_path), "DBT_LOG_PATH": str(target_path)}
        result = subprocess.run(dbt_command(step.command, **step.dbt_kwargs()), cwd=PROJECT_DIR,
                                env=env, check=False)
        if result.returncode != 0:
            raise DbtError(f"backfill failed as of {step.as_of.isoformat()} "
                           f"(dbt exit code {result.returncode}); see the log above")
        log(f"profile360: {step.as_of.isoformat()} done in {time.perf_counter() - step_started:.1f} s")
    lines = dbt_log.read_text(errors="replace").splitlines() if dbt_log.exists() else []
    full_parses = sum(FULL_PARSE_MARK in line for line in lines)
    return BackfillReport([step.as_of for step in plan], full_parses, time.perf_counter() - started)


def freeze_args(segment_key: str, snapshot_name: str) -> str:
    """The --args of `dbt run-operation freeze_segment`."""
    return json.dumps({"segment_key": segment_key, "snapshot_name": snapshot_name})
