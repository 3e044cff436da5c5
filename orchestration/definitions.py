"""Dagster definitions of Profile360: ``dagster dev -m orchestration.definitions``
(or ``profile360 ui``).

* assets: the dbt models and seeds, grouped by layer (``orchestration.assets``)
* asset checks: dbt tests, and one Great Expectations suite per declared table
* job ``profile360_daily_build``: every asset and check, daily partitions; its last
  asset publishes the serving warehouse (only when everything before it succeeded)
* job ``profile360_segment_backfill``: the asset ``segments_backfill/segment_history``,
  traits and segments as of past days in their own schemas (partition = as-of day;
  a Dagster backfill over a range is one run; ``profile360 backfill-segments``)
* schedule ``profile360_daily_build_schedule``: yesterday's partition at 02:00 UTC
* sensor ``profile360_landing_drop_sensor``: a run when a new drop day lands

Schedule and sensor start stopped (switch them on in the UI, Automation tab),
or running when ``PROFILE360_AUTOMATION=on``.
"""

from __future__ import annotations

import os

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    define_asset_job,
    in_process_executor,
)
from dagster import build_schedule_from_partitioned_job

from orchestration.assets import dbt_layer_assets, dbt_resource, audience_exports, quality_checks, serving_warehouse
from orchestration.assets import SEGMENT_BACKFILL_KEY, segment_backfill
from orchestration.sensors import build_landing_sensor

DAILY_JOB = "profile360_daily_build"
SEGMENT_BACKFILL_JOB = "profile360_segment_backfill"
_automation_on = os.environ.get("PROFILE360_AUTOMATION", "").lower() in ("1", "on", "true", "yes")

daily_build = define_asset_job(
    DAILY_JOB,
    selection=(AssetSelection.all() - AssetSelection.assets(SEGMENT_BACKFILL_KEY)) | AssetSelection.all_asset_checks(),
    description="Validate the day's landing drops and rebuild every layer; blocking checks stop later layers.",
    # DuckDB has one writer: the steps run one after another in the run's
    # process (dbt itself runs in a child process and uses its threads).
    executor_def=in_process_executor,
)

segment_backfill_job = define_asset_job(
    SEGMENT_BACKFILL_JOB,
    selection=AssetSelection.assets(SEGMENT_BACKFILL_KEY),
    description="Traits and segments as of past days into traits_backfill / segments_backfill; the live "
                "warehouse is not touched. Launch a backfill over the as-of days (one run computes them in order).",
    executor_def=in_process_executor,
)

daily_schedule = build_schedule_from_partitioned_job(
    daily_build, name=f"{DAILY_JOB}_schedule", hour_of_day=2, minute_of_hour=0,
    default_status=DefaultScheduleStatus.RUNNING if _automation_on else DefaultScheduleStatus.STOPPED,
)

landing_sensor = build_landing_sensor(
    daily_build, DefaultSensorStatus.RUNNING if _automation_on else DefaultSensorStatus.STOPPED)

defs = Definitions(
    assets=[*dbt_layer_assets, audience_exports, serving_warehouse, segment_backfill],
    asset_checks=quality_checks,
    jobs=[daily_build, segment_backfill_job],
    schedules=[daily_schedule],
    sensors=[landing_sensor],
    resources={"dbt": dbt_resource()},
)
