"""Segments: point in time, the membership history, declarations as data.

On copies of the session's demo warehouse (conftest.built_warehouse, never
modified itself):
  * point in time: traits and membership computed as of a past day D on the
    full data equal those computed on data truncated at the end of D (every
    staged event after D deleted, order statuses and ticket resolutions put
    back to what was known on D), identity held fixed. A trait that counted
    a later event, or a later status, would differ;
  * the membership history: a backfill from D to D + 7 (a Dagster run)
    reproduces, for D, the membership computed as of D, and its open rows are
    the membership of D + 7, in the backfill's own schemas; every live table
    and the exports are unchanged by it;
  * declarations as data: a segment added through var
    profile360__extra_segments, with no SQL file, is computed, listed and
    reported, and its members are exactly the profiles its condition selects
    (checked with an independent query); a malformed declaration fails.
And the backfill plan (pure).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from conftest import run_cli
from orchestration.lib.dbt import dbt_command
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR
from orchestration.lib.segments import (
    AS_OF_ENV,
    AS_OF_SELECTION,
    BACKFILL_ENV,
    BACKFILL_SCHEMAS,
    backfill_days,
    backfill_plan,
)

# The session demo covers 60 days ending 2026-11-22; D is well inside it.
AS_OF = date(2026, 11, 1)
END_OF_DAY = (AS_OF + timedelta(days=1)).isoformat()  # events at or after this are "later"

# Staged events and their time: rows at or after the end of D are deleted.
EVENT_TABLES = {
    "stg_web__events": "event_at",
    "stg_app__events": "event_at",
    "stg_email__events": "event_at",
    "stg_zalo__events": "event_at",
    "stg_pos__transactions": "transacted_at",
    "stg_support__tickets": "opened_at",
    "stg_ecommerce__orders": "ordered_at",
}


def _dbt(command: str, db_path: Path, landing_dir: Path, *, select: str, env: dict | None = None,
         extra: list[str] | None = None, full_refresh: bool = False) -> subprocess.CompletedProcess:
    environment = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(db_path),
                   "PROFILE360_LANDING_DIR": str(landing_dir)}
    environment.pop(AS_OF_ENV, None)  # only an explicit as-of day, never one from the caller's shell
    environment.update(env or {})
    return subprocess.run(
        dbt_command(command, select=select, full_refresh=full_refresh, extra=extra or []),
        cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, check=False)


def _copy(built_warehouse, tmp_path: Path, name: str) -> Path:
    assert built_warehouse.build.returncode == 0, built_warehouse.build.stdout[-4000:]
    target = tmp_path / f"{name}.duckdb"
    shutil.copy(built_warehouse.db_path, target)
    return target


def _rows(db_path: Path, sql: str) -> list[tuple]:
    from orchestration.lib.dbt_secrets import apply_secrets

    con = duckdb.connect(str(db_path), read_only=True)
    apply_secrets(con, str(db_path))  # the base_ views hash with the erasure salt
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _truncate_at_end_of_day(db_path: Path, end: str) -> None:
    """Make the staged data look as it did at `end`: later events gone, order
    versions and ticket resolutions known only by then."""
    from orchestration.lib.dbt_secrets import apply_secrets

    con = duckdb.connect(str(db_path))
    apply_secrets(con, str(db_path))  # the base_ views hash with the erasure salt
    try:
        # Orders: the latest version sent before the end of the day (the
        # staging rule, latest updated_at wins, applied to the earlier drops).
        con.execute(f"""
            create temp table orders_then as
            select * exclude (_rank) from (
                select *, row_number() over (
                    partition by order_id order by updated_at desc, _source_file desc, _raw_record
                ) as _rank
                from staging.base_ecommerce__orders
                where _quarantine_reason_code is null and updated_at < timestamp '{end}'
            ) where _rank = 1
        """)
        con.execute(f"""
            update staging.stg_ecommerce__orders as o
            set status = t.status, updated_at = t.updated_at, total_amount = t.total_amount
            from orders_then as t
            where o.order_id = t.order_id and o.updated_at >= timestamp '{end}'
        """)
        for table, column in EVENT_TABLES.items():
            con.execute(f"delete from staging.{table} where {column} >= timestamp '{end}'")
        con.execute(f"""
            update staging.stg_support__tickets
            set resolved_at = null, csat_score = null
            where resolved_at >= timestamp '{end}'
        """)
    finally:
        con.close()


def _as_of_run(db_path: Path, landing_dir: Path, day: date, *, full_refresh: bool = True):
    result = _dbt("run", db_path, landing_dir, select=AS_OF_SELECTION,
                  env={AS_OF_ENV: day.isoformat()}, full_refresh=full_refresh)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result


TRAIT_COLUMNS_SQL = "select * exclude (as_of_date) from traits.dim_profile_traits order by profile_id"
MEMBERS_SQL = "select profile_id, segment_key from segments.int_segment_members order by 1, 2"


@pytest.fixture(scope="module")
def as_of_full(built_warehouse, tmp_path_factory):
    """Traits and membership as of D computed on the full data."""
    db = _copy(built_warehouse, tmp_path_factory.mktemp("pit_full"), "full")
    _as_of_run(db, built_warehouse.landing_dir, AS_OF)
    return db


def test_backfilled_day_sees_no_later_data(built_warehouse, as_of_full, tmp_path):
    truncated = _copy(built_warehouse, tmp_path, "truncated")
    later = _rows(truncated, f"select count(*) from staging.stg_web__events where event_at >= '{END_OF_DAY}'")
    assert later[0][0] > 0, "the demo data should hold events after D, or the test proves nothing"
    _truncate_at_end_of_day(truncated, END_OF_DAY)
    _as_of_run(truncated, built_warehouse.landing_dir, AS_OF)

    assert _rows(as_of_full, "select distinct as_of_date from traits.dim_profile_traits") == [(AS_OF,)]
    full_traits = _rows(as_of_full, TRAIT_COLUMNS_SQL)
    truncated_traits = _rows(truncated, TRAIT_COLUMNS_SQL)
    assert len(full_traits) > 100
    assert full_traits == truncated_traits
    full_members = _rows(as_of_full, MEMBERS_SQL)
    assert len(full_members) > len(full_traits)  # every profile has its stage and tier, some more
    assert full_members == _rows(truncated, MEMBERS_SQL)


def test_traits_as_of_a_day_count_only_that_days_purchases(built_warehouse, as_of_full):
    """An independent count of purchases by D per profile, straight from staging."""
    expected = dict(_rows(built_warehouse.db_path, f"""
        select m.profile_id, count(*)
        from (
            select 'ecommerce_orders' as source, order_id as record_key
            from staging.base_ecommerce__orders
            where _quarantine_reason_code is null and ordered_at < '{END_OF_DAY}'
            group by order_id
            having coalesce(max(case when updated_at < '{END_OF_DAY}' and status = 'cancelled'
                                then 1 end), 0) = 0
            union all
            select 'pos_transactions', transaction_id
            from staging.stg_pos__transactions
            where not is_return and transacted_at < '{END_OF_DAY}'
        ) as purchases
        inner join identity.map_records_to_profiles as m
            on m.source = purchases.source and m.record_key = purchases.record_key
        group by m.profile_id
    """))
    actual = dict(_rows(as_of_full,
                        "select profile_id, lifetime_purchases from traits.dim_profile_traits "
                        "where lifetime_purchases > 0"))
    assert expected and actual == expected


BACKFILL_SCHEMA_LIST = ", ".join(f"'{schema}'" for schema in BACKFILL_SCHEMAS)


def _live_tables(db_path: Path) -> list[str]:
    """Every table of the warehouse but the backfill's own schemas and
    dbt-duckdb's leftover temporary tables (`<model>__dbt_tmp<time>` in main:
    each incremental run of the Python model int_purchase_model_fits leaves
    one, the daily build too)."""
    return [f"{schema}.{table}" for schema, table in _rows(db_path, f"""
        select table_schema, table_name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ({BACKFILL_SCHEMA_LIST})
            and not (table_schema = 'main' and contains(table_name, '__dbt_tmp'))
        order by 1, 2""")]


def _changed_tables(before: Path, after: Path) -> list[str]:
    """The tables of `after` whose full contents differ from `before` (rows
    compared both ways with EXCEPT ALL: duplicates and NaN count), or that
    appeared or disappeared."""
    tables = _live_tables(after)
    changed = sorted(set(tables) ^ set(_live_tables(before)))
    con = duckdb.connect(str(after), read_only=True)
    try:
        con.execute(f"attach '{before}' as before_backfill (read_only)")
        for table in set(tables) - set(changed):
            differing = con.execute(f"""
                select count(*) from (
                    (select * from before_backfill.{table} except all select * from {table})
                    union all
                    (select * from {table} except all select * from before_backfill.{table})
                )""").fetchone()[0]
            if differing:
                changed.append(table)
    finally:
        con.close()
    return changed


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()} if folder.exists() else {}


def test_membership_history_replays_each_day(built_warehouse, as_of_full, tmp_path, monkeypatch):
    """A backfill from D to D + 7 builds traits, membership and its history as
    of those days into traits_backfill / segments_backfill; every live table
    (traits, segments, their history, marts, ...) and the exports stay
    identical, and the run parses the project once."""
    from conftest import exports_dir_for

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))  # the run's record, not the project's
    history = _copy(built_warehouse, tmp_path, "history")
    shutil.copytree(built_warehouse.exports_dir, exports_dir_for(history))
    exports_before = _files(exports_dir_for(history))
    assert exports_before, "the session build should have written exports"
    later = AS_OF + timedelta(days=7)
    result = run_cli("backfill-segments", "--start", AS_OF.isoformat(), "--end", later.isoformat(),
                     "--step-days", "7", landing_dir=built_warehouse.landing_dir, db_path=history)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "(1 dbt parse)" in result.stdout, result.stdout[-3000:]

    # The present is left alone.
    assert len(_live_tables(history)) > 50 and "segments.fct_segment_membership_changes" in _live_tables(history)
    assert _changed_tables(built_warehouse.db_path, history) == []
    assert _files(exports_dir_for(history)) == exports_before

    # The backfill's own tables, with their as-of day.
    assert _rows(history, "select distinct as_of_date from traits_backfill.dim_profile_traits") == [(later,)]
    assert _rows(history, "select distinct as_of_date from segments_backfill.int_segment_members") == [(later,)]
    members_then = _rows(history, f"""
        select profile_id, segment_key from segments_backfill.fct_segment_membership_changes
        where entered_at <= date '{AS_OF}' and (exited_at is null or exited_at > date '{AS_OF}')
        order by 1, 2
    """)
    assert members_then == _rows(as_of_full, MEMBERS_SQL)
    open_rows = _rows(history, "select profile_id, segment_key from segments_backfill.fct_segment_membership_changes "
                               "where exited_at is null order by 1, 2")
    assert open_rows == _rows(history, MEMBERS_SQL.replace("segments.", "segments_backfill."))
    moved = _rows(history, f"select count(*) from segments_backfill.fct_segment_membership_changes "
                           f"where exited_at = date '{later}' or entered_at = date '{later}'")
    assert moved[0][0] > 0, "a week of demo data should move someone"
    # Every profile is in exactly one stage on the last day.
    assert _rows(history, """
        select count(*) from (
            select profile_id from segments_backfill.fct_segment_membership_changes as f
            inner join segments_backfill.dim_segments as s
                on f.segment_key = s.segment_key and s.segment_kind = 'lifecycle_stage'
            where f.exited_at is null
            group by profile_id having count(*) != 1
        )
    """) == [(0,)]


NEW_SEGMENT = {
    "key": "big_spenders_test",
    "name": "Big spenders (test)",
    "description": "Lifetime value of 5 million VND or more.",
    "owner": "tests",
    "condition": "lifetime_value >= 5000000",
}


def _model_files() -> set[Path]:
    return set((PROJECT_DIR / "models").rglob("*.sql"))


def test_a_segment_is_added_by_declaration_alone(built_warehouse, tmp_path):
    db = _copy(built_warehouse, tmp_path, "declared")
    before = _model_files()
    result = _dbt("build", db, built_warehouse.landing_dir, select="segments",
                  extra=["--vars", json.dumps({"profile360__extra_segments": [NEW_SEGMENT]})])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert _model_files() == before  # no SQL file was needed

    assert _rows(db, "select segment_name, segment_kind, segment_owner from segments.dim_segments "
                     "where segment_key = 'big_spenders_test'") == [("Big spenders (test)", "declared", "tests")]
    members = {row[0] for row in _rows(db, "select profile_id from segments.int_segment_members "
                                           "where segment_key = 'big_spenders_test'")}
    expected = {row[0] for row in _rows(db, "select profile_id from traits.dim_profile_traits "
                                            "where lifetime_value >= 5000000")}
    assert members and members == expected
    report = _rows(db, "select audience_size from segments.rpt_segment_comparison "
                       "where segment_key = 'big_spenders_test'")
    assert report == [(len(expected),)]
    history = _rows(db, "select count(*) from segments.fct_segment_membership_changes "
                        "where segment_key = 'big_spenders_test' and exited_at is null")
    assert history == [(len(expected),)]


def test_a_malformed_declaration_fails_the_build(built_warehouse, tmp_path):
    db = _copy(built_warehouse, tmp_path, "malformed")
    bad = {**NEW_SEGMENT, "key": "Big Spenders"}
    result = _dbt("run", db, built_warehouse.landing_dir, select="dim_segments",
                  extra=["--vars", json.dumps({"profile360__extra_segments": [bad]})])
    assert result.returncode != 0
    assert "snake case" in result.stdout


def test_backfill_plan_steps_through_the_days_and_tests_the_last():
    assert backfill_days(date(2026, 11, 1), date(2026, 11, 20), 7) == [
        date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 15), date(2026, 11, 20)]
    assert backfill_days(date(2026, 11, 1), date(2026, 11, 1)) == [date(2026, 11, 1)]
    plan = backfill_plan(date(2026, 11, 1), date(2026, 11, 3))
    assert [(step.as_of.day, step.command, step.full_refresh) for step in plan] == [
        (1, "run", True), (2, "run", False), (3, "build", False)]
    assert [step.full_refresh for step in backfill_plan(date(2026, 11, 1), date(2026, 11, 2), fresh=False)] == [
        False, False]
    # Into the backfill schemas, never the live ones.
    assert plan[0].environment() == {AS_OF_ENV: "2026-11-01", BACKFILL_ENV: "1"}
    assert plan[0].dbt_kwargs() == {"select": AS_OF_SELECTION, "full_refresh": True,
                                    "extra": ["--indirect-selection", "cautious"]}
    with pytest.raises(ValueError):
        backfill_days(date(2026, 11, 2), date(2026, 11, 1))
    with pytest.raises(ValueError):
        backfill_days(date(2026, 11, 1), date(2026, 11, 2), 0)
