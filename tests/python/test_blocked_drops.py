"""A failed blocking gate blocks the drop, not just the run (issue 14; README
"Run it every day"; orchestration/lib/drops.py, macros/staging/blocked_drops.sql).

A small demo is landed day by day into its own landing zone: days 1-6 built
with `profile360 build`; day 7, with every phone of its point-of-sale drop
malformed, by the daily Dagster job in this process (the gate fails, exit 3, a
verdict names the drop and its content hash); day 8 as it is, with
`profile360 build`: it succeeds, names the blocked drop, and no transaction of
the blocked drop is staged or in any profile. Then the operator accepts the drop with `profile360 accept-drop`
(who, when, why recorded) and `profile360 build` brings it in.
Expected values come from the landing files, not from the build.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from conftest import land_day

from orchestration.lib.project import OFFLINE_ENV

PERSONS, DAYS = 300, 8
LAST_DAY = min(date(2026, 11, 22), datetime.now(timezone.utc).date() - timedelta(days=1))
BAD_DAY = LAST_DAY - timedelta(days=1)
SOURCE = "pos_transactions"
REASON = "the new tills print a placeholder phone; the transactions are real"


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


def _statuses(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select source_file, status from staging.stg_landing__files").fetchall())


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    from dagster import DagsterInstance

    from orchestration.demo import generate
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
        for day in days[:6]:
            land_day(generated, landing, day.isoformat())
        assert cli.main(["build"]) == 0  # days 1-6 (plain build: quicker than the daily job)

        land_day(generated, landing, BAD_DAY.isoformat())
        bad_file = landing / SOURCE / f"{BAD_DAY.isoformat()}.csv"
        assert _rewrite_phones(bad_file) > 5
        with open(bad_file, newline="", encoding="utf-8") as handle:
            bad_ids = {row["transaction_id"] for row in csv.DictReader(handle)}
        failed = run_daily_build(BAD_DAY, instance=instance)

        land_day(generated, landing, LAST_DAY.isoformat())
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            next_day = cli.main(["build"])
        staged_after_next_day = _keys(db, "select transaction_id from staging.stg_pos__transactions")
        profiled_after_next_day = _keys(
            db, "select record_key from identity.map_records_to_profiles where source = 'pos_transactions'")
        statuses = _statuses(db)

        accepted = cli.main(["accept-drop", SOURCE, BAD_DAY.isoformat(), "--reason", REASON])
        rebuilt = cli.main(["build"])
        yield {"landing": landing, "db": db, "failed": failed, "next_day": next_day, "output": output.getvalue(),
               "bad_ids": bad_ids,
               "bad_file": f"{SOURCE}/{bad_file.name}", "staged_after_next_day": staged_after_next_day,
               "profiled_after_next_day": profiled_after_next_day, "statuses": statuses,
               "accepted": accepted, "rebuilt": rebuilt}
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
def test_a_blocked_drop_is_absent_from_staging_and_profiles_after_the_next_days_build(scenario):
    assert scenario["next_day"] == 0, scenario["output"][-3000:]
    assert f"blocked drop, not read: {scenario['bad_file']}" in scenario["output"]  # the build names it
    assert scenario["statuses"][scenario["bad_file"]] == "blocked"
    assert scenario["staged_after_next_day"], "other days' transactions are staged"
    assert scenario["bad_ids"] & scenario["staged_after_next_day"] == set()
    assert scenario["bad_ids"] & scenario["profiled_after_next_day"] == set()


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
