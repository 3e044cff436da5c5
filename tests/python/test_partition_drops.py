"""A daily partition processes that day's drops: the Dagster run of a day passes
var profile360__drop_end (orchestration.assets._dbt_vars), and the incremental
staging models stage no drop after it (macros/staging/incremental.sql)."""

from __future__ import annotations

import json

import duckdb

from conftest import generate_days, land_day, run_dbt


def _staged_days(db) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        files = con.execute("select distinct _source_file from staging.stg_web__events").fetchall()
    return {name.split("/")[-1].split(".")[0] for (name,) in files}


def test_a_partition_run_stages_only_the_drops_up_to_its_day(tmp_path):
    generated, days = generate_days(tmp_path, persons=60, days=3)
    landing, db, target = tmp_path / "landing", tmp_path / "wh.duckdb", tmp_path / "target"
    for day in days:  # every drop has landed before the runs
        land_day(generated, landing, day)
    # Which drops are staged is what is checked (the data tests are the session build's).
    select = ["--select", "+stg_web__events", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]

    def partition_run(day: str) -> None:
        dbt_vars = json.dumps({"profile360__drop_start": day, "profile360__drop_end": day})
        run_dbt("build", *select, "--vars", dbt_vars, landing=landing, db=db, target=target)

    partition_run(days[0])
    assert _staged_days(db) == {days[0]}
    partition_run(days[1])
    assert _staged_days(db) == {days[0], days[1]}
    run_dbt("build", *select, landing=landing, db=db, target=target)  # no partition: every drop
    assert _staged_days(db) == set(days)


FULL_PARSE = "Starting full parse"
DBT_START = "Running with dbt="


def test_a_dagster_partition_run_stages_only_its_day_and_parses_once(tmp_path, monkeypatch):
    """The Dagster daily build of one partition (two layers: staging, identity)
    stages only that day's drops while later days have landed, and its dbt
    steps share one parse (one target folder per run)."""
    from datetime import date

    from dagster import DagsterInstance

    from orchestration.lib.project import OFFLINE_ENV
    from orchestration.runs import run_daily_build

    generated, days = generate_days(tmp_path, persons=60, days=3)
    landing, db, target = tmp_path / "landing", tmp_path / "wh.duckdb", tmp_path / "target"
    for day in days:
        land_day(generated, landing, day)
    for key, value in {**OFFLINE_ENV, "PROFILE360_LANDING_DIR": str(landing), "PROFILE360_DB_PATH": str(db),
                       "PROFILE360_QUALITY_DIR": str(tmp_path / "quality"),
                       "PROFILE360_EXPORTS_DIR": str(tmp_path / "exports"),
                       "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target / "logs")}.items():
        monkeypatch.setenv(key, value)

    instance = DagsterInstance.ephemeral()
    try:
        outcome = run_daily_build(date.fromisoformat(days[0]), select="+int_event_identifiers_unpivoted",
                                  instance=instance)
    finally:
        instance.dispose()
    steps = {key.split("/")[0] for key in outcome.materialized}
    assert {"staging", "identity"} <= steps, (outcome.failed_steps, outcome.failed_checks)
    assert _staged_days(db) == {days[0]}

    log = [line for path in sorted((target / "runs").rglob("dbt.log")) for line in path.read_text().splitlines()]
    assert sum(DBT_START in line for line in log) == 2  # the staging and the identity step
    assert sum(FULL_PARSE in line for line in log) == 1, [line for line in log if "parsing" in line.lower()]
