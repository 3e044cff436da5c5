"""Running the daily build job from Python (the CLI, schedulers, tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

EXIT_OK, EXIT_FAILED, EXIT_QUALITY = 0, 1, 3


@dataclass
class RunOutcome:
    success: bool
    materialized: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)  # "asset:check"
    failed_quality: list[str] = field(default_factory=list)  # blocking GE suites that failed
    failed_steps: list[str] = field(default_factory=list)
    run_id: str = ""
    published: bool = False  # the serving warehouse was replaced by this run
    blocked_drops: list[str] = field(default_factory=list)  # drops kept out (lib/drops.py)

    @property
    def publish_report(self) -> list[str]:
        if self.published:
            return ["published the serving warehouse"]
        if self.success:
            return ["a selection: the serving warehouse was not republished"]
        return ["the serving warehouse was not republished: readers keep the last published state"]

    @property
    def exit_code(self) -> int:
        if self.success:
            return EXIT_OK
        return EXIT_QUALITY if self.failed_quality else EXIT_FAILED


def partition_days(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def check_partitions(start: date, end: date) -> None:
    """Raise ValueError unless every day of [start, end] is a daily partition."""
    from orchestration.assets import daily_partitions

    valid = set(daily_partitions.get_partition_keys())
    missing = [day for day in partition_days(start, end) if day not in valid]
    if missing:
        raise ValueError(f"not a daily partition (before PROFILE360_PARTITIONS_START or not over yet): "
                         f"{', '.join(missing[:3])}")


def dbt_selection_keys(select: str) -> list:
    """The asset keys of a dbt selection string, across the layers' dbt assets."""
    from dagster_dbt import build_dbt_asset_selection

    from orchestration.assets import dbt_layer_assets
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = set()
    for assets in dbt_layer_assets:  # dagster-dbt resolves one dbt assets definition at a time
        keys |= build_dbt_asset_selection([assets], dbt_select=select).resolve(graph)
    if not keys:
        raise ValueError(f"the dbt selection {select!r} selects no model")
    return sorted(keys)


def _execute_days(job, start: date, end: date, instance, log_level: str, asset_selection=None,
                  ops: dict | None = None):
    """Execute `job` in this process over the partitions [start, end] (one run;
    a range through the range tags), on `instance` or the default one."""
    from dagster import DagsterInstance

    from orchestration.assets import RANGE_END_TAG, RANGE_START_TAG

    check_partitions(start, end)
    run_config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if ops:
        run_config["ops"] = ops
    kwargs: dict = {"raise_on_error": False, "run_config": run_config}
    if start == end:
        kwargs["partition_key"] = start.isoformat()
    else:
        kwargs["tags"] = {RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()}
    if asset_selection:
        kwargs["asset_selection"] = asset_selection
    owns_instance = instance is None
    instance = instance or DagsterInstance.get()
    try:
        return job.execute_in_process(instance=instance, **kwargs)
    finally:
        if owns_instance:
            instance.dispose()


def run_daily_build(start: date | None = None, end: date | None = None, select: str | None = None,
                    instance=None, log_level: str = "INFO") -> RunOutcome:
    """Run `profile360_daily_build` in this process over one drop day or a range
    (one run: the models read every drop; the range is validated as a whole).

    No day: the latest partition (yesterday). `select` is a dbt selection; the
    asset checks of the selected assets run with them.
    """
    from dagster import AssetCheckSeverity, DagsterEventType

    from orchestration.assets import SERVING_KEY, daily_partitions
    from orchestration.definitions import DAILY_JOB, defs

    job = defs.resolve_job_def(DAILY_JOB)
    if start is None:
        last = daily_partitions.get_last_partition_key()
        start = end = date.fromisoformat(last)
    end = end or start
    result = _execute_days(job, start, end, instance, log_level,
                           asset_selection=dbt_selection_keys(select) if select else None)
    outcome = RunOutcome(result.success, run_id=result.run_id)
    from orchestration.lib.drops import blocked_in_force
    from orchestration.lib.project import Paths

    outcome.blocked_drops = [verdict["source_file"] for verdict in blocked_in_force(Paths.from_env().landing_dir)]
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            outcome.materialized.append(event.asset_key.to_user_string())
            outcome.published |= event.asset_key == SERVING_KEY
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            outcome.failed_steps.append(event.step_key)
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            data = event.event_specific_data
            if not data.passed:
                name = f"{data.asset_key.to_user_string()}:{data.check_name}"
                outcome.failed_checks.append(name)
                if data.check_name.startswith("ge_") and data.severity == AssetCheckSeverity.ERROR:
                    outcome.failed_quality.append(name)
    return outcome


@dataclass
class BackfillOutcome:
    success: bool
    run_id: str = ""
    metadata: dict = field(default_factory=dict)  # of the segments_backfill/segment_history materialisation
    error: str = ""


def run_segment_backfill(start: date, end: date, step_days: int = 1, append: bool = False,
                         instance=None, log_level: str = "INFO") -> BackfillOutcome:
    """Run `profile360_segment_backfill` in this process over the as-of days
    [start, end]: one Dagster run (the asset's single-run backfill policy), the
    days computed in order into traits_backfill / segments_backfill."""
    from dagster import DagsterEventType

    from orchestration.assets import SEGMENT_BACKFILL_KEY
    from orchestration.definitions import SEGMENT_BACKFILL_JOB, defs

    job = defs.resolve_job_def(SEGMENT_BACKFILL_JOB)
    op_name = "__".join(SEGMENT_BACKFILL_KEY.path)
    result = _execute_days(job, start, end, instance, log_level,
                           ops={op_name: {"config": {"step_days": step_days, "append": append}}})
    outcome = BackfillOutcome(result.success, run_id=result.run_id)
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            outcome.metadata = {key: value.value for key, value in
                                event.event_specific_data.materialization.metadata.items()}
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            failure = event.event_specific_data.error
            outcome.error = failure.message.strip() if failure else event.message or ""
    return outcome
