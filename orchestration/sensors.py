"""The landing-zone sensor: a run when a new daily drop appears.

Drops are files ``<source>/<YYYY-MM-DD>.<csv|jsonl>[.gz]`` under
``$PROFILE360_LANDING_DIR`` (docs/data-contract.md). The sensor's cursor is the
last drop day it has asked a run for. Days after it that are valid partitions
(the day has ended) are built in one run over their range (every build reads
all drops, so one run covers them). On its first evaluation, with no cursor,
only the latest drop day is requested: older days are a backfill
(``profile360 build --from ... --to ...`` or the UI's partitions page).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from orchestration.assets import RANGE_END_TAG, RANGE_START_TAG, daily_partitions
from orchestration.lib.project import Paths

DROP_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(csv|jsonl)(\.gz)?$")


def drop_days(landing_dir: Path) -> list[str]:
    """Every day with at least one drop file, sorted (``_truth/`` and stray files ignored)."""
    days: set[str] = set()
    if not landing_dir.is_dir():
        return []
    for source in landing_dir.iterdir():
        if not source.is_dir() or source.name.startswith(("_", ".")):
            continue
        for file in source.iterdir():
            match = DROP_FILE.match(file.name)
            if match and file.is_file():
                days.add(match.group(1))
    return sorted(days)


def new_drop_days(days: list[str], cursor: str | None, valid: set[str]) -> list[str]:
    """The drop days to build now (pure: tested without a landing zone)."""
    ready = [day for day in days if day in valid]
    if cursor is None:
        return ready[-1:]
    return [day for day in ready if day > cursor]


def build_landing_sensor(job: JobDefinition, default_status: DefaultSensorStatus) -> SensorDefinition:
    @sensor(name="profile360_landing_drop_sensor", job=job, minimum_interval_seconds=60,
            default_status=default_status,
            description="Starts the daily build when a new daily drop appears in $PROFILE360_LANDING_DIR.")
    def landing_drop_sensor(context: SensorEvaluationContext):
        days = drop_days(Paths.from_env().landing_dir)
        valid = set(daily_partitions.get_partition_keys(current_time=datetime.now(timezone.utc)))
        new = new_drop_days(days, context.cursor or None, valid)
        if not new:
            return SkipReason(f"no new drop day after {context.cursor or 'nothing'} ({len(days)} drop days)")
        first, last = new[0], new[-1]
        context.update_cursor(last)
        if first == last:
            return RunRequest(run_key=f"drop-{last}", partition_key=last)
        return RunRequest(run_key=f"drops-{first}-{last}",
                          tags={RANGE_START_TAG: first, RANGE_END_TAG: last})

    return landing_drop_sensor
