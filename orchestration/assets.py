"""Dagster assets and checks of Profile360.

* Every dbt model (and seed) is an asset; its group is its layer, read from
  the model's folder (fqn), so a new layer folder (profiles, traits, segments,
  marts) needs no code here. Each layer is its own ``@dbt_assets`` step, so a
  failing blocking check of one layer stops the layers after it before they
  are rebuilt: the tables they published last time stay as they were.
* dbt data tests are asset checks (dagster-dbt); a failing test fails the dbt
  step and so also stops the later layers.
* Each enabled Great Expectations suite (``orchestration.quality.suites``) is
  an asset check on its table, blocking when declared so; the suites of one
  layer run in one step (one GE context).
* All assets share the daily partitions: a run for a day (or a range, in one
  run: single-run backfill policy) validates that day's landing drops and
  rebuilds the project; the day range is passed to dbt as vars
  ``profile360__drop_start`` / ``profile360__drop_end`` (incremental staging
  reads no drop after drop_end). Every dbt step of a run shares one target
  folder: the project is parsed once per run.
* ``segments_backfill/segment_history``: traits and segments as of past days in
  their own schemas (partition = as-of day), job profile360_segment_backfill.
"""


import json
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    Config,
    DailyPartitionsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset_check,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import DBT_EXECUTABLE, ensure_manifest, profile360_project
from orchestration.lib.locking import build_lock
from orchestration.lib.project import Paths, apply_environment
from orchestration.lib.serving import protect_build_warehouse, publish
from orchestration.quality.suites import enabled_suites

# Daily partitions, one per drop day (the drop of day D is built on D+1).
PARTITIONS_START = os.environ.get("PROFILE360_PARTITIONS_START", "2026-01-01")
daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC")

SEED_GROUP = "reference"
# Seeds are built in the step of the first layer (one dbt call fewer per run).
SEED_STEP = "staging"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"


def layer_of(props: Mapping[str, Any]) -> str:
    """The layer of a dbt node: its first folder under models/ (seeds: reference)."""
    if props.get("resource_type") == "seed":
        return SEED_GROUP
    fqn = props.get("fqn") or []
    return fqn[1] if len(fqn) > 2 else "default"


class LayerTranslator(DagsterDbtTranslator):
    """dagster-dbt's defaults, with the group named after the model's layer."""

    def get_asset_spec(self, manifest, unique_id, project):  # type: ignore[override]
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props.get("resource_type") in ("model", "seed", "snapshot"):
            spec = spec.replace_attributes(group_name=layer_of(props))
        return spec


translator = LayerTranslator()
MANIFEST_PATH = ensure_manifest()
MANIFEST: dict[str, Any] = json.loads(MANIFEST_PATH.read_text())


def _layers() -> dict[str, str]:
    """Layer name -> dbt selection of its step (one ``dbt build`` per layer)."""
    layers: dict[str, str] = {}
    has_seeds = False
    for node in MANIFEST["nodes"].values():
        if node["resource_type"] == "seed":
            has_seeds = True
        elif node["resource_type"] in ("model", "snapshot"):
            layer = layer_of(node)
            layers.setdefault(layer, f"fqn:{layer}")
    if has_seeds:
        step = SEED_STEP if SEED_STEP in layers else SEED_GROUP
        layers[step] = f"{layers[step]} resource_type:seed" if step in layers else "resource_type:seed"
    return layers


def asset_layer(model_name: str) -> str | None:
    for node in MANIFEST["nodes"].values():
        if node["resource_type"] in ("model", "seed", "snapshot") and node["name"] == model_name:
            return layer_of(node)
    return None


def partition_window(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """The drop days of a run, from its partition tags (None: no partition)."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG])
    if PARTITION_TAG in tags:
        day = date.fromisoformat(tags[PARTITION_TAG])
        return day, day
    return None


def _dbt_vars(context: AssetExecutionContext) -> dict[str, str]:
    if not (context.has_partition_key or context.has_partition_key_range):
        return {}
    window = context.partition_time_window
    return {"profile360__drop_start": window.start.date().isoformat(),
            "profile360__drop_end": (window.end.date() - timedelta(days=1)).isoformat()}


def _layer_assets(layer: str, select: str) -> AssetsDefinition:
    @dbt_assets(manifest=MANIFEST_PATH, select=select, name=f"dbt_{layer}", project=profile360_project,
                dagster_dbt_translator=translator, partitions_def=daily_partitions,
                backfill_policy=BackfillPolicy.single_run())
    def _build(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        paths = Paths.from_env()
        apply_environment(paths)
        with build_lock(paths.db_path, wait=True):
            protect_build_warehouse(paths.db_path)
            yield from _dbt_build(context, dbt)

    return _build


def _dbt_build(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    args = ["build"]
    if not context.is_subset:
        # Tests spanning layers run with the later layer (never before it is built).
        args += ["--indirect-selection", "buildable"]
    dbt_vars = _dbt_vars(context)
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    # One target folder for every dbt step of the run (same vars in each step):
    # the first step parses the project and saves the parse, the later steps
    # reuse it (dagster-dbt's default, a new folder per step, parsed each time).
    invocation = dbt.cli(args, context=context, target_path=run_target_path("daily", context.run.run_id))
    yield from invocation.stream()


LAYERS = _layers()
dbt_layer_assets = [_layer_assets(layer, select) for layer, select in LAYERS.items()]


# Model name -> its asset key (dagster-dbt prefixes the schema: identity/map_...).
ASSET_KEYS: dict[str, AssetKey] = {key.path[-1]: key for assets in dbt_layer_assets for key in assets.keys}


def check_name(table: str) -> str:
    return "ge_" + table.split(".")[-1]


def _quality_check(layer: str, suites: dict[str, dict[str, Any]]):
    specs = [AssetCheckSpec(name=check_name(table), asset=ASSET_KEYS[suite["asset"]],
                            blocking=suite.get("blocking", True),
                            description=f"Great Expectations suite {table} ({len(suite['expectations'])} "
                                        f"expectations, {suite.get('scope', 'table')} scope)")
             for table, suite in suites.items()]

    @multi_asset_check(specs=specs, name=f"quality_{layer}", compute_kind="great_expectations",
                       can_subset=True)
    def _validate(context: AssetCheckExecutionContext) -> Iterator[AssetCheckResult]:
        from orchestration.quality.runner import Window, validate

        paths = Paths.from_env()
        apply_environment(paths)
        window = partition_window(context.run.tags)
        selected = {key.name for key in context.selected_asset_check_keys}
        names = [table for table in suites if check_name(table) in selected]
        if not names:
            return
        run = validate(paths.db_path, Window(*window) if window else None, names=names,
                       progress=context.log.info)
        # A failed blocking suite blocks the drops of the run's days it validated
        # (orchestration/lib/drops.py): they stay out of later builds until
        # replaced or accepted. A run over every drop (no window) blocks none.
        failed_blocking = {outcome.table: check_name(outcome.table) for outcome in run.outcomes
                           if not outcome.success and suites[outcome.table].get("blocking", True)
                           and suites[outcome.table].get("scope") == "drop"}
        if window and failed_blocking:
            from orchestration.lib.drops import record_verdicts

            blocked_drops = record_verdicts(paths.landing_dir, failed_blocking, window,
                                            run_id=context.run.run_id)
            for blocked in blocked_drops:
                context.log.warning(f"blocked drop: {blocked}")
        for outcome in run.outcomes:
            suite = suites[outcome.table]
            failed = [f"{e.type} {json.dumps(e.arguments, default=str)[:120]}: "
                      f"{e.error or json.dumps(e.details or e.observed, default=str)[:600]}" for e in outcome.failed]
            yield AssetCheckResult(
                asset_key=ASSET_KEYS[suite["asset"]], check_name=check_name(outcome.table),
                passed=outcome.success,
                severity=AssetCheckSeverity.ERROR if suite.get("blocking", True) else AssetCheckSeverity.WARN,
                metadata={
                    "expectations": len(outcome.expectations),
                    "failed": MetadataValue.json(failed) if failed else 0,
                    "error": outcome.error or "",
                    "window": run.window.label() if run.window else "all drops",
                    "results": MetadataValue.path(str(run.results_path)),
                    "data_docs": MetadataValue.path(str(run.docs_index or "")),
                    "seconds": run.seconds,
                })

    return _validate


def _quality_checks() -> list:
    by_layer: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for table, suite in enabled_suites().items():
        layer = asset_layer(suite["asset"])
        if layer is None or suite["asset"] not in ASSET_KEYS:
            continue  # the model is not in this project (yet): nothing to check
        by_layer[layer][table] = suite
    return [_quality_check(layer, suites) for layer, suites in by_layer.items()]


quality_checks = _quality_checks()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=profile360_project, profiles_dir=str(profile360_project.profiles_dir),
                          dbt_executable=str(DBT_EXECUTABLE) if DBT_EXECUTABLE.exists() else "dbt")


EXPORTS_KEY = AssetKey(["activation", "audience_exports"])
SERVING_KEY = AssetKey(["serving", "serving_warehouse"])


@asset(key=EXPORTS_KEY, deps=[key for name, key in sorted(ASSET_KEYS.items())
                              if name.startswith("exp_audience_") or name == "rpt_audience_export_manifest"],
       partitions_def=daily_partitions, backfill_policy=BackfillPolicy.single_run(), group_name="activation",
       description="The audience files (<exports dir>/<run date>/: Parquet, CSV with spreadsheet formulas "
                   "neutralised, manifest) written from marts.exp_audience_* and the manifest "
                   "(orchestration/lib/exports.py), once those models and their checks passed.")
def audience_exports(context: AssetExecutionContext) -> MaterializeResult:
    from orchestration.lib.exports import write_exports

    paths = Paths.from_env()
    apply_environment(paths)
    with build_lock(paths.db_path, wait=True):
        report = write_exports(paths.db_path)
    for line in report.lines():
        context.log.info(line)
    return MaterializeResult(metadata={"folder": MetadataValue.path(str(report.folder)),
                                       "neutralized_cells": report.neutralized,
                                       **{f"rows_{channel}": rows for channel, rows in report.rows.items()}})


@asset(key=SERVING_KEY, deps=[*sorted(ASSET_KEYS.values(), key=lambda key: key.path), EXPORTS_KEY],
       partitions_def=daily_partitions, backfill_policy=BackfillPolicy.single_run(), group_name="serving",
       description="The serving warehouse BI tools and the app read (PROFILE360_SERVING_DB_PATH): the "
                   "BI-facing schemas of the build warehouse, replaced in one rename. Downstream of every "
                   "model, so it is published only when every layer was built and every blocking check passed.")
def serving_warehouse(context: AssetExecutionContext) -> MaterializeResult:
    paths = Paths.from_env()
    apply_environment(paths)
    with build_lock(paths.db_path, wait=True):
        lines = [f"published the serving warehouse {publish(paths.db_path)}"]
    # The run's dbt target folder (~7 MB) is not kept run after run.
    shutil.rmtree(run_target_path("daily", context.run.run_id), ignore_errors=True)
    for line in lines:
        context.log.info(line)
    return MaterializeResult(metadata={"report": MetadataValue.md("\n".join(lines))})


# --- Segment backfills: partitions are as-of days -----------------------------
SEGMENT_BACKFILL_KEY = AssetKey(["segments_backfill", "segment_history"])


class SegmentBackfillConfig(Config):
    """Options of a segment backfill run (launchpad, or `profile360 backfill-segments`)."""

    step_days: int = 1  # compute every n-th day of the range (always its last)
    append: bool = False  # continue the backfill history instead of starting it afresh


def run_target_path(prefix: str, run_id: str) -> Path:
    """A dbt target folder for one Dagster run (every dbt call of the run shares it,
    so dbt parses once per run); the folders of runs over 12 hours old are removed."""
    base = Path(os.environ.get("DBT_TARGET_PATH") or Path(profile360_project.project_dir) / "target")
    if not base.is_absolute():
        base = Path(profile360_project.project_dir) / base
    runs = base / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for old in runs.iterdir():
        if old.is_dir() and time.time() - old.stat().st_mtime > 12 * 3600:
            shutil.rmtree(old, ignore_errors=True)
    return runs / f"{prefix}-{run_id}"


def _as_of_inputs() -> list[AssetKey]:
    """The assets the as-of models (tag as_of) read outside themselves: the live
    identity and profiles a backfill computes its traits and segments from."""
    as_of = {uid for uid, node in MANIFEST["nodes"].items() if "as_of" in node.get("tags", [])}
    names = {MANIFEST["nodes"][parent]["name"] for uid in as_of
             for parent in MANIFEST["nodes"][uid]["depends_on"]["nodes"]
             if parent in MANIFEST["nodes"] and parent not in as_of}
    return sorted((ASSET_KEYS[name] for name in names if name in ASSET_KEYS), key=lambda key: key.path)


@asset(key=SEGMENT_BACKFILL_KEY, deps=_as_of_inputs(), partitions_def=daily_partitions,
       backfill_policy=BackfillPolicy.single_run(), group_name="segments_backfill",
       description="Traits and segment membership as of past days, built into their own schemas "
                   "(traits_backfill, segments_backfill; each table has its as_of_date, the history "
                   "segments_backfill.fct_segment_membership_changes its entered_at/exited_at days) from the "
                   "live identity and profiles. A partition is an as-of day; a backfill over a range is one run "
                   "that computes the days in order (one dbt call a day, one dbt parse a run). The live "
                   "traits, segments, history and exports are not touched.")
def segment_backfill(context: AssetExecutionContext, config: SegmentBackfillConfig) -> MaterializeResult:
    from orchestration.lib.segments import backfill_plan, run_plan

    window = context.partition_time_window
    start, end = window.start.date(), window.end.date() - timedelta(days=1)
    plan = backfill_plan(start, end, config.step_days, fresh=not config.append)
    paths = Paths.from_env()
    apply_environment(paths)
    target = run_target_path("segment-backfill", context.run.run_id)
    try:
        with build_lock(paths.db_path, wait=True):
            protect_build_warehouse(paths.db_path)
            report = run_plan(paths, plan, target, log=context.log.info)
    finally:
        shutil.rmtree(target, ignore_errors=True)
    for line in report.lines():
        context.log.info(line)
    return MaterializeResult(metadata={
        "as_of_days": MetadataValue.json([day.isoformat() for day in report.days]),
        "dbt_full_parses": report.full_parses, "seconds": round(report.seconds, 1)})
