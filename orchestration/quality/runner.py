"""Run the declared Great Expectations suites against the DuckDB warehouse.

Through SQLAlchemy (duckdb-engine), with the two fixes of stack-notes:

* GE 1.x does not keep one persisted connection for DuckDB, and then every
  metric query comes back empty and every expectation "fails" with the real
  error hidden in ``exception_info``. ``duckdb`` is added to GE's persisted-
  connection dialects before any datasource is made, and every expectation's
  ``exception_info`` is checked: an expectation that raised is an error, never
  a pass or an ordinary failure.
* GE keeps its connection and its engines open, which locks the DuckDB file
  against the next ``dbt build`` in another process. After each run the
  execution engine's connection is closed and both engines are disposed.

Each run writes its results as JSON in ``<quality dir>/results/`` and builds
GE's HTML data docs into ``<quality dir>/gx/uncommitted/data_docs/local_site``.
The quality dir is ``$PROFILE360_QUALITY_DIR``, by default ``quality/`` beside
the warehouse file.
"""

from __future__ import annotations

import gc
import json
import math
import shutil
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from orchestration.lib.project import OFFLINE_ENV
from orchestration.quality.suites import enabled_suites

DATASOURCE = "profile360_warehouse"
CHECKPOINT = "profile360"
# The drop day in a file name (`crm_contacts/2026-11-22.csv.gz`); no regex
# braces, so that the SQL can go through GE's query templating unescaped.
DROP_DATE_SQL = "regexp_extract({column}, '([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])', 1)"
# The landing source of a row: the folder of its file (`crm_contacts/2026-11-22.csv`).
DROP_SOURCE_SQL = "split_part(replace({column}, '\\', '/'), '/', 1)"
# The Profile360 checks whose failures are listed row by row (source, day...).
ROW_CHECKS = ("unexpected_rows", "drop_row_counts_in_band", "quarantine_share_below", "values_match_regex")


@dataclass(frozen=True)
class Window:
    """The drop days a run validates (inclusive); None for every drop."""

    start: date
    end: date

    def label(self) -> str:
        return self.start.isoformat() if self.start == self.end else f"{self.start}_{self.end}"


@dataclass
class ExpectationOutcome:
    type: str
    arguments: dict[str, Any]
    success: bool
    observed: Any = None
    error: str | None = None
    details: Any = None  # e.g. the first unexpected rows


@dataclass
class SuiteOutcome:
    table: str
    asset: str
    blocking: bool
    success: bool
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    error: str | None = None

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success]

    def describe(self) -> str:
        passed = len(self.expectations) - len(self.failed)
        text = f"{self.table}: {'passed' if self.success else 'FAILED'} ({passed}/{len(self.expectations)})"
        if self.error:
            text += f" error: {self.error}"
        for item in self.failed:
            detail = item.error or f"observed {json.dumps(item.observed, default=str)[:200]}"
            if item.details and not item.error:
                detail += f" {json.dumps(item.details, default=str)[:300]}"
            text += f"\n    - {item.type} {json.dumps(item.arguments, default=str)[:160]}: {detail}"
        return text


@dataclass
class ValidationRun:
    outcomes: list[SuiteOutcome]
    window: Window | None
    seconds: float
    results_path: Path
    docs_index: Path | None

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    def outcome(self, name: str) -> SuiteOutcome:
        return next(o for o in self.outcomes if name in (o.table, o.asset))


def quality_dir(db_path: Path) -> Path:
    """Where results, history and data docs go."""
    configured = os.environ.get("PROFILE360_QUALITY_DIR")
    return Path(configured).resolve() if configured else Path(db_path).resolve().parent / "quality"


class _DuckDBDialect(str):
    """``duckdb`` as an entry of GE's persisted-connection dialects: the list
    is matched both by ``.value`` (connection strings) and by equality with
    the engine's dialect name."""

    @property
    def value(self) -> str:
        return str(self)


def _patch_persisted_connection() -> None:
    """Make GE keep one connection for DuckDB (stack-notes, trap 1)."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    dialects = engine_module._PERSISTED_CONNECTION_DIALECTS
    if not any(getattr(d, "value", d) == "duckdb" for d in dialects):
        engine_module._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DuckDBDialect("duckdb"))


def _release(datasource: Any) -> None:
    """Close GE's persisted connection and dispose both its engines (trap 2)."""
    execution_engine = getattr(datasource, "_execution_engine", None)
    if execution_engine is not None:
        connection = getattr(execution_engine, "_connection", None)
        if connection is not None:
            connection.close()
            execution_engine._connection = None
        execution_engine.close()
        datasource._execution_engine = None
    engine = getattr(datasource, "_engine", None)
    if engine is not None:
        engine.dispose()
        datasource._engine = None
    gc.collect()


def _drop_filter(column: str, window: Window | None) -> str:
    if window is None:
        return "true"
    return f"{DROP_DATE_SQL.format(column=column)} between '{window.start}' and '{window.end}'"


def _landing_rows_sql(base_views: list[str]) -> str:
    """Every landing row (quarantined or not) with its source and the day of its drop."""
    if not base_views:
        raise RuntimeError("no staging.base_* views in the warehouse: build staging first")
    parts = [f"select {DROP_SOURCE_SQL.format(column='_source_file')} as source, "
             f"{DROP_DATE_SQL.format(column='_source_file')} as drop_date from {view}" for view in base_views]
    return "\n union all ".join(parts)


def _per_drop_sql(base_views: list[str], window: Window | None) -> str:
    """CTEs ending in per_drop: landing rows per source and drop day."""
    spine = ""
    if window is not None:  # a validated day without a source's drop counts as 0 rows of it
        spine = (f" union all select sources.source, strftime(d, '%Y-%m-%d') as drop_date, 0 as landing_rows "
                 f"from (select distinct source from landing) as sources cross join "
                 f"generate_series(date '{window.start}', date '{window.end}', interval 1 day) as t(d)")
    return (f"with landing as ({_landing_rows_sql(base_views)}), "
            f"counted as (select source, drop_date, count(*) as landing_rows from landing "
            f"where drop_date <> '' group by source, drop_date{spine}), "
            f"per_drop as (select source, drop_date, sum(landing_rows) as landing_rows from counted "
            f"group by source, drop_date)")


def _window_sql(window: Window | None, column: str = "drop_date") -> str:
    return "true" if window is None else f"{column} between '{window.start}' and '{window.end}'"


class _Builder:
    """Turns a suite's declared expectations into GE expectation objects."""

    def __init__(self, table: str, window: Window | None, base_views: list[str], history: dict[str, Any]):
        self.table, self.window, self.base_views, self.history = table, window, base_views, history

    def build(self, spec: dict[str, Any]) -> Any:
        import great_expectations as gx
        from great_expectations.expectations.registry import get_expectation_impl

        kind = spec["type"]
        args = {k: self._fill(v) for k, v in spec.items() if k != "type"}
        custom: dict[str, Callable[[dict[str, Any]], Any]] = {
            "unexpected_rows": self._unexpected_rows,
            "drop_row_counts_in_band": self._drop_band,
            "quarantine_share_below": self._quarantine_share,
            "distinct_count_not_collapsing": self._not_collapsing,
            "values_match_regex": self._regex_share,
        }
        if kind in custom:
            expectation = custom[kind](args)
        else:
            expectation = get_expectation_impl(kind)(**args)
        declared = {k: v for k, v in args.items() if k != "query"} if kind in custom else None
        expectation.meta = {**(expectation.meta or {}), "profile360_type": kind,
                            **({"profile360_args": declared} if declared is not None else {})}
        return expectation

    @staticmethod
    def _fill(value: Any) -> Any:
        if value == "{tomorrow}":
            return (datetime.now(timezone.utc).date() + timedelta(days=1)).isoformat()
        return value

    @staticmethod
    def _unexpected_rows(args: dict[str, Any]) -> Any:
        import great_expectations as gx

        return gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=args["query"], description=args.get("description"))

    @staticmethod
    def _regex_share(args: dict[str, Any]) -> Any:
        """Share of present values matching a regex at least `mostly` (GE's own
        regex expectations are not implemented for the duckdb dialect)."""
        import great_expectations as gx

        column, mostly = args["column"], float(args.get("mostly", 1.0))
        least = int(args.get("min_values", 1))
        regex = args["regex"].replace("'", "''").replace("{", "{{").replace("}", "}}")
        query = (
            f"select count({column}) as present, count(*) filter (where {column} is not null "
            f"and not regexp_matches({column}, '{regex}')) as not_matching from {{batch}} "
            f"having count(*) filter (where {column} is not null and not regexp_matches({column}, '{regex}')) "
            f"> {1.0 - mostly} * count({column}) and count({column}) >= {least}"
        )
        return gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=query,
            description=f"at least {mostly:.0%} of {column} values match {args['regex']}")

    def _drop_band(self, args: dict[str, Any]) -> Any:
        """Per drop day, every source together: landing rows within [min_ratio,
        max_ratio] x the median of the `lookback` drops before it, widened by `z`
        times the Poisson spread of that median (sqrt(median)), so that the band
        scales with the drop's size (at 50 rows a day the spread dominates, at
        50,000 the ratios). A failing day lists its sources, furthest from their
        own medians first."""
        import great_expectations as gx

        lookback, low, high = int(args["lookback"]), float(args["min_ratio"]), float(args["max_ratio"])
        z = float(args.get("z", 0))
        window = f"order by drop_date rows between {lookback} preceding and 1 preceding"
        query = (
            f"{_per_drop_sql(self.base_views, self.window)}, "
            f"per_day as (select drop_date, sum(landing_rows) as landing_rows from per_drop group by drop_date), "
            f"banded as (select drop_date, landing_rows, median(landing_rows) over ({window}) as recent_median, "
            f"count(*) over ({window}) as recent_drops from per_day), "
            f"bounds as (select *, greatest(0, {low} * recent_median - {z} * sqrt(recent_median)) as lowest, "
            f"{high} * recent_median + {z} * sqrt(recent_median) as highest from banded), "
            f"source_medians as (select source, drop_date, landing_rows, median(landing_rows) over "
            f"(partition by source {window}) as recent_median from per_drop), "
            f"sources as (select drop_date, string_agg(source || ' ' || landing_rows || ' rows (median ' "
            f"|| coalesce(cast(recent_median as varchar), '-') || ')', ', ' "
            f"order by abs(landing_rows - coalesce(recent_median, 0)) desc) as sources "
            f"from source_medians group by drop_date) "
            f"select b.drop_date, b.landing_rows, b.recent_median, round(b.lowest, 1) as lowest, "
            f"round(b.highest, 1) as highest, s.sources from bounds as b "
            f"left join sources as s on b.drop_date = s.drop_date "
            f"cross join (select count(*) as batch_rows from {{batch}}) as batch_rows "
            f"where {_window_sql(self.window, 'b.drop_date')} and b.recent_drops >= {int(args['min_history'])} "
            f"and (b.landing_rows < b.lowest or b.landing_rows > b.highest) order by b.drop_date"
        )
        return gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=query,
            description=(f"landing rows of each drop within {low}-{high} x the median of the "
                         f"{lookback} drops before it (+/- {z:g} x sqrt(median))"))

    def _quarantine_share(self, args: dict[str, Any]) -> Any:
        """Per drop day, every source together: quarantined rows at most
        `max_share` of the landing rows plus `z` binomial standard deviations at
        that share, and a failure needs at least `min_rows` quarantined rows (one
        broken row of a 20-row drop is noise; 5% of 50,000 rows is not). A
        failing day lists its sources with their quarantined / landing rows."""
        import great_expectations as gx

        share, z, least = float(args["max_share"]), float(args.get("z", 0)), int(args.get("min_rows", 1))
        query = (
            f"{_per_drop_sql(self.base_views, self.window)}, "
            f"quarantined as (select source, {DROP_DATE_SQL.format(column='source_file')} as drop_date, "
            f"sum(occurrences) as quarantined_rows from {{batch}} group by 1, 2), "
            f"by_source as (select p.source, p.drop_date, p.landing_rows, "
            f"coalesce(q.quarantined_rows, 0) as quarantined_rows from per_drop as p left join quarantined as q "
            f"on p.source = q.source and p.drop_date = q.drop_date), "
            f"per_day as (select drop_date, sum(landing_rows) as landing_rows, "
            f"sum(quarantined_rows) as quarantined_rows, string_agg(source || ' ' || quarantined_rows || '/' "
            f"|| landing_rows, ', ' order by quarantined_rows desc) filter (where quarantined_rows > 0) "
            f"as sources from by_source group by drop_date), "
            f"judged as (select *, {share} * landing_rows "
            f"+ {z} * sqrt(landing_rows * {share} * (1 - {share})) as allowed from per_day) "
            f"select drop_date, landing_rows, quarantined_rows, round(allowed, 1) as allowed, sources "
            f"from judged where {_window_sql(self.window)} "
            f"and quarantined_rows > allowed and quarantined_rows >= {least} order by drop_date"
        )
        return gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=query,
            description=(f"quarantined rows of each drop at most {share:.0%} of its landing rows "
                         f"(+ {z:g} binomial standard deviations; judged from {least} rows)"))

    def _not_collapsing(self, args: dict[str, Any]) -> Any:
        import great_expectations as gx

        column, ratio = args["column"], float(args["min_ratio"])
        previous = self.history.get(self.table, {}).get(column)
        minimum = max(1, math.ceil(previous * ratio)) if previous else 1
        return gx.expectations.ExpectColumnUniqueValueCountToBeBetween(column=column, min_value=minimum)


def _raised(info: Any) -> str | None:
    """The message of any exception recorded in a result's exception_info."""
    if isinstance(info, dict):
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "raised an exception")
        for value in info.values():
            found = _raised(value)
            if found:
                return found
    return None


def _load_history(folder: Path) -> dict[str, Any]:
    path = folder / "history.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _base_views(db_path: Path) -> tuple[list[str], set[str]]:
    """The staging.base_* views and every "schema.table" of the warehouse."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"duckdb:///{db_path}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "select table_schema, table_name from information_schema.tables")).fetchall()
    finally:
        engine.dispose()
    relations = {f"{schema}.{name}" for schema, name in rows}
    views = sorted(r for r in relations if r.startswith("staging.base_"))
    return views, relations


def validate(db_path: str | Path, window: Window | None = None, names: list[str] | None = None,
             progress: Callable[[str], None] | None = None) -> ValidationRun:
    """Validate the enabled suites (all or those named) and keep the results.

    A suite whose table is not in the warehouse is an error (failed). The
    caller decides what failures mean; nothing here raises on a failed suite.
    """
    os.environ.update({key: os.environ.get(key, value) for key, value in OFFLINE_ENV.items()})
    started = time.perf_counter()
    db_path = Path(db_path).resolve()
    from orchestration.lib.dbt_secrets import secrets_on_sqlalchemy_connections

    secrets_on_sqlalchemy_connections()  # the base_ views hash with the erasure salt
    folder = quality_dir(db_path)
    (folder / "results").mkdir(parents=True, exist_ok=True)
    suites = enabled_suites(names)
    history = _load_history(folder)
    base_views, relations = _base_views(db_path)

    if progress:
        progress(f"loading Great Expectations ({len(suites)} suites)")
    import great_expectations as gx

    _patch_persisted_connection()
    # Validation definitions and the checkpoint are made anew by every run
    # (from suites.py); stale ones would name query assets of another run.
    for stale in ("checkpoints", "validation_definitions"):
        shutil.rmtree(folder / "gx" / stale, ignore_errors=True)
    context = gx.get_context(mode="file", project_root_dir=str(folder))
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    try:
        context.data_sources.delete(DATASOURCE)
    except Exception:  # noqa: BLE001 - absent on the first run
        pass
    datasource = context.data_sources.add_sql(name=DATASOURCE, connection_string=f"duckdb:///{db_path}")
    outcomes: list[SuiteOutcome] = []
    definitions, by_name = [], {}
    batch_sqls: dict[str, str] = {}
    try:
        for table, suite in suites.items():
            outcome = SuiteOutcome(table, suite["asset"], suite.get("blocking", True), success=False)
            outcomes.append(outcome)
            if table not in relations:
                outcome.error = f"table {table} is not in the warehouse"
                continue
            where = "true"
            if suite.get("scope") == "drop":
                where = _drop_filter(suite.get("drop_column", "source_file" if table.endswith(
                    "quarantined_rows") else "_source_file"), window)
            batch_sql = f"select * from {table} where {where}"
            batch_sqls[table] = batch_sql
            asset = datasource.add_query_asset(name=table, query=batch_sql)
            batch = asset.add_batch_definition_whole_table("batch")
            builder = _Builder(table, window, base_views, history)
            expectations = [builder.build(spec) for spec in suite["expectations"]]
            gx_suite = context.suites.add_or_update(gx.ExpectationSuite(name=table, expectations=expectations))
            definition = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=table, data=batch, suite=gx_suite))
            definitions.append(definition)
            by_name[table] = outcome
        if definitions:
            checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
                name=CHECKPOINT, validation_definitions=definitions,
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")], result_format="SUMMARY"))
            if progress:
                progress(f"running {len(definitions)} suites and building the data docs")
            result = checkpoint.run()
            for run_result in result.run_results.values():
                _record(by_name[run_result.suite_name], run_result)
    finally:
        _release(datasource)
        del datasource
        gc.collect()
    _list_failing_rows(db_path, outcomes, suites, batch_sqls, base_views, window, history)
    for outcome in outcomes:
        if progress:
            progress(outcome.describe())
    _update_history(folder, history, outcomes)
    seconds = round(time.perf_counter() - started, 2)
    docs = folder / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    if docs.exists():
        from orchestration.quality.offline_docs import make_offline

        make_offline(docs.parent)
    run = ValidationRun(outcomes, window, seconds, Path(), docs if docs.exists() else None)
    run.results_path = _write_results(folder, run)
    return run


def _list_failing_rows(db_path: Path, outcomes: list[SuiteOutcome], suites: dict[str, dict[str, Any]],
                       batch_sqls: dict[str, str], base_views: list[str], window: Window | None,
                       history: dict[str, Any]) -> None:
    """The rows behind each failed Profile360 row check (which source, which day...),
    read with DuckDB once GE has let the file go (GE reports only their count)."""
    import duckdb

    failed = [(o, e) for o in outcomes for e in o.failed if e.type in ROW_CHECKS and not e.error]
    if not failed:
        return
    from orchestration.lib.dbt_secrets import apply_secrets

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        apply_secrets(con, str(db_path))  # the base_ views hash with the erasure salt
        for outcome, item in failed:
            builder = _Builder(outcome.table, window, base_views, history)
            spec = next((s for s in suites[outcome.table]["expectations"] if s["type"] == item.type
                         and all(s.get(k) == v for k, v in item.arguments.items() if k in s)), None)
            if spec is None:
                continue
            query = builder.build(spec).unexpected_rows_query.format(
                batch=f"({batch_sqls[outcome.table]}) as batch")
            cursor = con.execute(f"select * from ({query}) as failing limit 10")
            columns = [c[0] for c in cursor.description]
            item.details = {"unexpected_rows": [dict(zip(columns, row)) for row in cursor.fetchall()]}
    finally:
        con.close()


def _record(outcome: SuiteOutcome, run_result: Any) -> None:
    for item in run_result.results:
        config = item.expectation_config
        kind = (config.meta or {}).get("profile360_type", config.type)
        arguments = (config.meta or {}).get("profile360_args") or {
            k: v for k, v in config.kwargs.items() if k not in ("batch_id", "unexpected_rows_query")}
        error = _raised(item.exception_info)
        result = item.result or {}
        observed = result.get("observed_value")
        details = result.get("details") or result.get("partial_unexpected_list")
        if isinstance(details, dict) and isinstance(details.get("unexpected_rows"), list):
            details = {**details, "unexpected_rows": details["unexpected_rows"][:10]}
        outcome.expectations.append(ExpectationOutcome(
            kind, arguments, bool(item.success) and error is None, observed, error, details))
    errors = [e.error for e in outcome.expectations if e.error]
    if errors:
        outcome.error = f"{len(errors)} expectation(s) raised: {errors[0]}"
    outcome.success = bool(outcome.expectations) and not outcome.failed and not errors


def _update_history(folder: Path, history: dict[str, Any], outcomes: list[SuiteOutcome]) -> None:
    """Remember the distinct counts of passed suites (for not-collapsing checks)."""
    for outcome in outcomes:
        if not outcome.success:
            continue
        for item in outcome.expectations:
            if item.type == "distinct_count_not_collapsing" and isinstance(item.observed, (int, float)):
                history.setdefault(outcome.table, {})[item.arguments["column"]] = item.observed
    (folder / "history.json").write_text(json.dumps(history, indent=2, sort_keys=True))


def _write_results(folder: Path, run: ValidationRun) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    label = run.window.label() if run.window else "all"
    path = folder / "results" / f"{stamp}_{label}.json"
    payload = {
        "validated_at": stamp, "window": run.window.label() if run.window else None,
        "success": run.success, "seconds": run.seconds,
        "data_docs": str(run.docs_index) if run.docs_index else None,
        "suites": [asdict(o) | {"failed": len(o.failed)} for o in run.outcomes],
    }
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def window_from_strings(start: str | None, end: str | None) -> Window | None:
    if not start and not end:
        return None
    first = date.fromisoformat(start or end)  # type: ignore[arg-type]
    last = date.fromisoformat(end or start)  # type: ignore[arg-type]
    if last < first:
        raise ValueError(f"the window ends ({last}) before it starts ({first})")
    return Window(first, last)

