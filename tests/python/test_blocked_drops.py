"""A failed blocking gate blocks the drop, not just the run (issue 14; README
"Run it every day"; orchestration/lib/drops.py, macros/staging/blocked_drops.sql),
an erasure on a later day (docs/privacy.md), and the daily Dagster job run in
this process (orchestration/runs.py), on one day-by-day scenario.

A small demo is landed day by day into its own landing zone: days 1-5 built
with `profile360 build` (setup only: its dbt tests are checked nowhere here,
so they are left out of it); day 6, with every phone of its point-of-sale drop
malformed, by the daily Dagster job (the gate fails, exit 3, a verdict names
the drop and its content hash, the later layers are not built and the
published tables stay as they were); day 7, with an erasure request for the
phone of a loyalty member seen on days 1-5, with `profile360 build`: it
succeeds, names the blocked drop, and no transaction of the blocked drop is
staged or in any profile (the erasure-day checks read a copy of both
warehouses, the exports and dbt's target taken right after that build); day 8
as it is, by the daily Dagster job: the whole graph materialises, every check
passes but the warning that a landing file is not admitted, it publishes, and
the blocked drop stays out. Then the operator
accepts the drop with `profile360 accept-drop` (who, when, why recorded) and
`profile360 build` brings it in. The Great Expectations volume band is checked
on the last day (7 earlier drops) of the final warehouse.
Expected values come from the landing files, not from the build.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from conftest import DBT_FILE_LOG_LEVEL, EXCLUDE_RESOURCE_TYPES, exports_dir_for, land_day, landing_rows, run_cli
from test_erasure import ErasureDay, _clean, _national_phone, _scan

from orchestration.lib.project import OFFLINE_ENV

PERSONS, DAYS = 300, 8
LAST_DAY = min(date(2026, 11, 22), datetime.now(timezone.utc).date() - timedelta(days=1))
ERASURE_DAY = LAST_DAY - timedelta(days=1)
BAD_DAY = LAST_DAY - timedelta(days=2)
ERASURE_DAY_REQUEST = "er_test_day7"
SOURCE = "pos_transactions"
REASON = "the new tills print a placeholder phone; the transactions are real"
PUBLIC_TABLES = ("identity.map_records_to_profiles", "identity.map_identifiers_to_profiles")


def _rewrite_phones(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows, fields = list(reader), list(reader.fieldnames or [])
    broken = 0
    for row in rows:
        if row["phone"]:
            row["phone"], broken = "call me maybe", broken + 1
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return broken


def _keys(db: Path, sql: str) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {row[0] for row in con.execute(sql).fetchall()}


def _table(db: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select * from {table} order by all").fetchall()


@contextlib.contextmanager
def _env(**values: str):
    """Environment variables set for what runs inside (a child process started there), then restored."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in values.items():
            patch.setenv(key, value)
        yield


def _statuses(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select source_file, status from staging.stg_landing__files").fetchall())


def _plant_erasure(generated: Path, landing: Path, db: Path) -> tuple[str, str, str, list[tuple[str, str]]]:
    """Append to the erasure day's requests the phone of a loyalty member seen
    on days 1-5, in a segment, with no transaction in the blocked drop (whose
    rows the accepted drop must bring in whole). Returns the loyalty id, its
    profile, the phone and every identifier of the profile (the closure erases them)."""
    with open(generated / SOURCE / f"{BAD_DAY.isoformat()}.csv", newline="", encoding="utf-8") as handle:
        in_bad_drop = {row["loyalty_id"].strip() for row in csv.DictReader(handle) if row["loyalty_id"]}
    with duckdb.connect(str(db), read_only=True) as con:
        # A loyalty member with a phone on its record, in a segment, not sharing it.
        loyalty_id, profile_id = next(row for row in con.execute("""
            select records.record_key, records.profile_id
            from identity.map_records_to_profiles as records
            where records.source = 'loyalty_members'
              and records.profile_id in (select profile_id from segments.fct_segment_membership_changes)
            order by records.record_key
        """).fetchall() if row[0] not in in_bad_drop)
        identifiers = con.execute(
            "select identifier_type, identifier_value from identity.map_identifiers_to_profiles "
            "where profile_id = ?", [profile_id]).fetchall()
    phones = {_clean(row.get("phone")) for _, row in landing_rows(landing, "loyalty_members")
              if row and _clean(row.get("loyalty_id")) == loyalty_id} - {None}
    assert phones, loyalty_id
    phone = sorted(phones)[0]
    with open(generated / "erasure_requests" / f"{ERASURE_DAY.isoformat()}.csv", "a", encoding="utf-8") as handle:
        handle.write(f"{ERASURE_DAY_REQUEST},phone,{phone},{ERASURE_DAY.isoformat()}T09:00:00+07:00\n")
    return loyalty_id, profile_id, phone, identifiers


def _keep_erasure_day(root: Path, db: Path, target: Path, build, loyalty_id: str, profile_id: str,
                      phone: str, identifiers: list[tuple[str, str]]) -> ErasureDay:
    """Copies of what the erasure day's build left (both warehouses, the audience
    exports, dbt's target and logs), read by the erasure-day tests after the
    later days have been built on the originals."""
    from orchestration.lib.serving import serving_db_path

    kept = root / "erasure_day"
    kept.mkdir()
    copy = kept / db.name
    shutil.copy(db, copy)
    shutil.copy(serving_db_path(db), serving_db_path(copy))
    shutil.copytree(exports_dir_for(db), exports_dir_for(copy))
    shutil.copytree(target, kept / "target")
    needles = {loyalty_id.lower(), phone.lower()}
    digit_needles = {_national_phone(phone)}
    for identifier_type, value in identifiers:
        needles.add(value.lower())
        if identifier_type == "phone":
            digit_needles.add(_national_phone(value))
    return ErasureDay(copy, db.parent / "landing", kept / "target", build, profile_id, loyalty_id,
                      needles, digit_needles)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, _dbt_target_per_worker):
    from dagster import DagsterInstance

    from orchestration.demo import generate
    from orchestration.lib.serving import serving_db_path
    from orchestration.runs import run_daily_build

    root = tmp_path_factory.mktemp("blocked_drops")
    generated, landing, db = root / "generated", root / "landing", root / "warehouse.duckdb"
    generate(generated, persons=PERSONS, days=DAYS, end_date=LAST_DAY, workers=1)
    days = [LAST_DAY - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    saved = {k: os.environ.get(k) for k in
             ("PROFILE360_LANDING_DIR", "PROFILE360_DB_PATH", "PROFILE360_QUALITY_DIR",
              "PROFILE360_EXPORTS_DIR", "PROFILE360_OPERATOR", *OFFLINE_ENV)}
    os.environ.update({**OFFLINE_ENV, "PROFILE360_LANDING_DIR": str(landing), "PROFILE360_DB_PATH": str(db),
                       "PROFILE360_QUALITY_DIR": str(root / "quality"),
                       "PROFILE360_EXPORTS_DIR": str(root / "exports"), "PROFILE360_OPERATOR": "test-operator"})
    instance = DagsterInstance.ephemeral()
    from orchestration import cli

    try:
        for day in days[:5]:
            land_day(generated, landing, day.isoformat())
        # Days 1-5: setup, its dbt tests checked nowhere here (dbt's own variable for
        # --exclude-resource-type, for this child process only).
        first = run_cli("build", landing_dir=landing, db_path=db, env={EXCLUDE_RESOURCE_TYPES: "test unit_test"})
        assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
        planted = _plant_erasure(generated, landing, db)

        # Day 6: every point-of-sale phone malformed, the daily job (the gate fails).
        land_day(generated, landing, BAD_DAY.isoformat())
        bad_file = landing / SOURCE / f"{BAD_DAY.isoformat()}.csv"
        assert _rewrite_phones(bad_file) > 5
        with open(bad_file, newline="", encoding="utf-8") as handle:
            bad_ids = {row["transaction_id"] for row in csv.DictReader(handle)}
        public_before = {table: _table(db, table) for table in PUBLIC_TABLES}
        published_before = serving_db_path(db).stat()
        failed = run_daily_build(BAD_DAY, instance=instance)
        public_after_failed = {table: _table(db, table) for table in PUBLIC_TABLES}
        published_after_failed = serving_db_path(db).stat()
        # The command line says so too, with the exit code a scheduler acts on
        # (in this process: GE is imported already).
        failed_suites = {check.split(":")[1] for check in failed.failed_quality}
        suite = sorted(failed_suites)[0].removeprefix("ge_") if failed_suites else "stg_pos__transactions"
        validate_output = io.StringIO()
        with contextlib.redirect_stdout(validate_output):
            validated = cli.main(["validate", "--date", BAD_DAY.isoformat(), "--suite", suite])

        # Day 7: the erasure request, a plain build (the next day's build after the gate).
        land_day(generated, landing, ERASURE_DAY.isoformat())
        # Its log file at dbt's default level (debug: every query's SQL), scanned below.
        erasure_build = run_cli("build", landing_dir=landing, db_path=db, env={DBT_FILE_LOG_LEVEL: None})
        erasure_day = _keep_erasure_day(root, db, _dbt_target_per_worker, erasure_build, *planted)
        staged_after_next_day = _keys(db, "select transaction_id from staging.stg_pos__transactions")
        profiled_after_next_day = _keys(
            db, "select record_key from identity.map_records_to_profiles where source = 'pos_transactions'")
        statuses = _statuses(db)

        # Day 8: the daily job, whole (its own quality folder: the results it keeps are its own).
        land_day(generated, landing, LAST_DAY.isoformat())
        with _env(PROFILE360_QUALITY_DIR=str(root / "quality_daily")):
            daily = run_daily_build(LAST_DAY, instance=instance)
        daily_results = sorted((root / "quality_daily" / "results").glob("*.json"))
        public_after_daily = {table: _table(db, table) for table in PUBLIC_TABLES}
        staged_after_daily = _keys(db, "select transaction_id from staging.stg_pos__transactions")
        profiled_after_daily = _keys(
            db, "select record_key from identity.map_records_to_profiles where source = 'pos_transactions'")

        accepted = cli.main(["accept-drop", SOURCE, BAD_DAY.isoformat(), "--reason", REASON])
        rebuilt = cli.main(["build"])
        yield {"root": root, "landing": landing, "db": db, "bad_ids": bad_ids, "bad_file": f"{SOURCE}/{bad_file.name}",
               "failed": failed, "public_before": public_before, "public_after_failed": public_after_failed,
               "published_before": published_before, "published_after_failed": published_after_failed,
               "validated": validated, "validated_suite": suite, "validate_output": validate_output.getvalue(),
               "next_day": erasure_build, "staged_after_next_day": staged_after_next_day,
               "profiled_after_next_day": profiled_after_next_day, "statuses": statuses,
               "daily": daily, "daily_quality": root / "quality_daily", "daily_results": daily_results,
               "public_after_daily": public_after_daily, "staged_after_daily": staged_after_daily,
               "profiled_after_daily": profiled_after_daily,
               "accepted": accepted, "rebuilt": rebuilt, "erasure_day": erasure_day}
    finally:
        instance.dispose()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _control(landing: Path, name: str) -> list[dict]:
    path = landing / "_control" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.slow
def test_the_failed_gate_records_a_verdict_on_the_drop_and_its_content(scenario):
    from orchestration.lib.drops import content_hash
    from orchestration.runs import EXIT_QUALITY

    assert scenario["failed"].exit_code == EXIT_QUALITY
    assert "staging/stg_pos__transactions:ge_stg_pos__transactions" in scenario["failed"].failed_quality
    verdicts = _control(scenario["landing"], "drop_verdicts.jsonl")
    mine = [v for v in verdicts if v["source_file"] == scenario["bad_file"]]
    assert mine and mine[0]["check"] == "ge_stg_pos__transactions"
    assert mine[0]["content_hash"] == content_hash(scenario["landing"] / scenario["bad_file"])
    assert all(v["drop_date"] == BAD_DAY.isoformat() for v in verdicts)


@pytest.mark.slow
def test_a_drop_with_all_phones_malformed_fails_its_check_stops_identity_and_keeps_published_tables(scenario):
    from orchestration import cli
    from orchestration.runs import EXIT_QUALITY

    outcome = scenario["failed"]
    assert not outcome.success
    assert outcome.exit_code == EXIT_QUALITY
    failed_suites = {check.split(":")[1] for check in outcome.failed_quality}
    # Every source with phones fails once its drop has enough of them to judge.
    assert failed_suites and failed_suites <= {
        "ge_stg_crm__contacts", "ge_stg_ecommerce__orders", "ge_stg_loyalty__members",
        "ge_stg_pos__transactions", "ge_stg_support__tickets", "ge_stg_zalo__events"}, failed_suites
    assert "ge_stg_web__events" not in failed_suites  # web events carry no phones
    assert not [key for key in outcome.materialized if key.startswith("identity/")]
    assert outcome.failed_steps == ["quality_staging"]
    for table in PUBLIC_TABLES:
        assert scenario["public_after_failed"][table] == scenario["public_before"][table], (
            f"{table} changed after a failed check")
    # Not republished: readers keep the file of the last good run.
    assert not outcome.published
    before, after = scenario["published_before"], scenario["published_after_failed"]
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # The command line says so too, with the exit code a scheduler acts on.
    suite = scenario["validated_suite"]
    assert suite == sorted(failed_suites)[0].removeprefix("ge_")
    assert scenario["validated"] == cli.EXIT_QUALITY == 3
    assert f"{suite}: FAILED" in scenario["validate_output"]


@pytest.mark.slow
def test_a_blocked_drop_is_absent_from_staging_and_profiles_after_the_next_days_build(scenario):
    build = scenario["next_day"]
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-2000:]
    assert f"blocked drop, not read: {scenario['bad_file']}" in build.stdout  # the build names it
    assert scenario["statuses"][scenario["bad_file"]] == "blocked"
    assert scenario["staged_after_next_day"], "other days' transactions are staged"
    assert scenario["bad_ids"] & scenario["staged_after_next_day"] == set()
    assert scenario["bad_ids"] & scenario["profiled_after_next_day"] == set()


@pytest.mark.slow
def test_the_whole_graph_materialises_in_process_and_every_check_but_the_blocked_drop_warning_passes(scenario):
    """Day 8 by the daily Dagster job in this process: every model of every folder, every
    dbt test and Great Expectations suite as an asset check, then the exports and the
    serving warehouse. The one check that fails is the warning that a landing file is
    not admitted (the blocked drop; severity warn, the run succeeds)."""
    from orchestration.lib.serving import serving_db_path
    from orchestration.quality.suites import enabled_suites
    from test_orchestration import _models_by_folder

    outcome = scenario["daily"]
    assert outcome.success, (outcome.failed_steps, outcome.failed_checks)
    # Its last asset published the serving warehouse (and wrote the audience files before).
    assert outcome.published and "activation/audience_exports" in outcome.materialized
    assert serving_db_path(scenario["db"]).exists()
    materialized = {key.split("/")[-1] for key in outcome.materialized}
    assert set(_models_by_folder()) | {"identifier_blocklist"} <= materialized
    assert outcome.failed_checks == ["staging/stg_landing__files:landing_files_all_admitted"]
    for table in PUBLIC_TABLES:
        assert len(scenario["public_after_daily"][table]) > 100
    # GE results were kept, and the data docs built.
    results = scenario["daily_results"]
    layers = {table.split(".")[0] for table in enabled_suites()}
    assert layers == {"staging", "identity", "profiles", "traits", "segments"}
    assert len(results) == len(layers)  # one per layer with suites
    assert all(json.loads(path.read_text())["success"] for path in results)
    assert (scenario["daily_quality"] / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()


@pytest.mark.slow
def test_the_daily_job_keeps_a_blocked_drop_out_and_names_it(scenario):
    assert scenario["daily"].success
    assert scenario["daily"].blocked_drops == [scenario["bad_file"]]
    assert scenario["staged_after_daily"] > scenario["staged_after_next_day"], "the last day's are staged"
    assert scenario["bad_ids"] & scenario["staged_after_daily"] == set()
    assert scenario["bad_ids"] & scenario["profiled_after_daily"] == set()


@pytest.mark.slow
def test_an_accepted_drop_records_who_when_why_and_reaches_the_profiles(scenario):
    from orchestration.lib.drops import content_hash

    assert scenario["accepted"] == 0 and scenario["rebuilt"] == 0
    [acceptance] = _control(scenario["landing"], "drop_acceptances.jsonl")
    assert acceptance["source_file"] == scenario["bad_file"]
    assert acceptance["accepted_by"] == "test-operator" and acceptance["reason"] == REASON
    assert acceptance["content_hash"] == content_hash(scenario["landing"] / scenario["bad_file"])
    assert datetime.fromisoformat(acceptance["accepted_at"].replace("Z", "+00:00")) <= datetime.now(timezone.utc)
    db = scenario["db"]
    staged = _keys(db, "select transaction_id from staging.stg_pos__transactions")
    profiled = _keys(db, "select record_key from identity.map_records_to_profiles where source = 'pos_transactions'")
    assert scenario["bad_ids"] <= staged
    assert scenario["bad_ids"] & profiled  # those with a loyalty id are in profiles again
    assert _statuses(db)[scenario["bad_file"]] == "admitted"


@pytest.mark.slow
def test_a_drop_with_most_rows_missing_fails_the_volume_band_and_passes_once_restored(scenario):
    """GE on real data, both ways, on the last day (7 earlier drops: the band's history). Each
    drop is parsed once, by the build, into the base_* tables, which the check reads: a copy
    of the final warehouse where the last day's drops gave none of their rows fails the band
    (only the privacy files are left, read in place by views: with 8 days of 300 persons a
    tenth of every drop is still within the band's Poisson spread); the warehouse as built
    passes it."""
    from orchestration.quality.runner import Window, validate

    db, day = scenario["db"], LAST_DAY.isoformat()
    cut = scenario["root"] / "volume_cut.duckdb"
    shutil.copy2(db, cut)
    suite = "staging.stg_landing__quarantined_rows"
    with duckdb.connect(str(cut)) as connection:
        tables = [name for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'staging' "
            "and table_name like 'base%' and table_type = 'BASE TABLE'").fetchall()]
        assert len(tables) >= 10, tables
        for table in tables:  # none of the day's rows of every parsed drop
            connection.execute(f"delete from staging.{table} where _source_file like '%/{day}.%'")
    failed = validate(cut, Window(LAST_DAY, LAST_DAY), names=[suite])
    [outcome] = failed.outcomes
    band = next(e for e in outcome.expectations if e.type == "drop_row_counts_in_band")
    assert outcome.error is None and not band.success
    passed = validate(db, Window(LAST_DAY, LAST_DAY), names=[suite])
    assert passed.success, passed.outcomes[0].describe()


def test_accept_drop_refuses_a_drop_that_is_not_blocked_and_needs_a_reason(tmp_path):
    from orchestration.lib.drops import accept_drop

    (tmp_path / SOURCE).mkdir()
    (tmp_path / SOURCE / "2026-11-20.csv").write_text("transaction_id\nt1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="is not blocked"):
        accept_drop(tmp_path, SOURCE, date(2026, 11, 20), "fine")
    with pytest.raises(ValueError, match="--reason"):
        accept_drop(tmp_path, SOURCE, date(2026, 11, 20), " ")
    with pytest.raises(ValueError, match="no single drop"):
        accept_drop(tmp_path, SOURCE, date(2026, 11, 21), "fine")
    (tmp_path / "_control").mkdir()
    (tmp_path / "_control" / "drop_verdicts.jsonl").write_text("not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match="drop_verdicts.jsonl: line 1 is not JSON"):
        accept_drop(tmp_path, SOURCE, date(2026, 11, 20), "fine")


# ------------------------------------------------- an erasure on a later day
# (docs/privacy.md; the helpers and what is expected: tests/python/test_erasure.py)
@pytest.fixture(scope="module")
def erasure_day(scenario) -> ErasureDay:
    return scenario["erasure_day"]


def test_an_erasure_on_a_later_day_never_fails_the_build(erasure_day):
    assert erasure_day.build.returncode == 0, erasure_day.build.stdout[-6000:] + erasure_day.build.stderr[-2000:]


def test_an_erasure_on_a_later_day_leaves_no_trace_in_either_warehouse(erasure_day):
    """Snapshots and change logs included: every column of every table and view of the build
    warehouse, and of the serving warehouse."""
    from orchestration.lib.dbt_secrets import apply_secrets
    from orchestration.lib.serving import serving_db_path

    assert erasure_day.build.returncode == 0, erasure_day.build.stdout[-6000:]
    with duckdb.connect(str(erasure_day.db), read_only=True) as con:
        apply_secrets(con, str(erasure_day.db))
        # The scan finds what is there: the loyalty id of another member.
        (other,) = con.execute("select record_key from identity.map_records_to_profiles "
                               "where source = 'loyalty_members' limit 1").fetchone()
        assert _scan(con, [other.lower()], [])
        hits = _scan(con, sorted(erasure_day.needles), sorted(erasure_day.digit_needles))
        history = con.execute("select count(*) from segments.fct_segment_membership_changes "
                              "where profile_id = ?", [erasure_day.profile_id]).fetchone()[0]
    assert hits == []
    assert history == 0, "the erased profile keeps its segment history"
    with duckdb.connect(str(serving_db_path(erasure_day.db)), read_only=True) as serving:
        assert _scan(serving, sorted(erasure_day.needles), sorted(erasure_day.digit_needles),
                     min_relations=8) == []
        assert _scan(serving, [erasure_day.profile_id.lower()], [], min_relations=8) == []


def test_an_erasure_on_a_later_day_leaves_no_trace_in_exports_target_or_logs(erasure_day):
    plain = re.compile("|".join(re.escape(needle) for needle in sorted(erasure_day.needles)))
    runs = sorted(path for path in exports_dir_for(erasure_day.db).iterdir() if path.is_dir())
    assert len(runs) == 2, runs  # day 5's run (before the request) and the erasure day's
    folders = (runs[-1], erasure_day.target, erasure_day.target / "logs")
    files = [path for folder in folders if folder.exists() for path in folder.rglob("*")
             if path.is_file() and path.suffix in (".csv", ".json", ".sql", ".log")]
    assert any(path.suffix == ".csv" for path in files) and any(path.suffix == ".sql" for path in files)
    assert any("[debug]" in path.read_text(errors="replace") for path in files if path.name == "dbt.log")
    found = [(str(path), match.group(0)) for path in files
             for match in [plain.search(path.read_text(errors="replace").lower())] if match]
    assert found == []
