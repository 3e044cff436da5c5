"""Landing admission at file level (issue 13): a misnamed, unknown or
future-dated file is rejected alone and named; it stops no source, never
becomes the incremental watermark, and a row dated after its drop day is
quarantined, so nothing can move the warehouse's as-of day past the newest
admitted drop."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import generate_days, land_day, landing_rows, run_dbt

pytestmark = pytest.mark.slow

FUTURE_EVENT = "we_from_the_future"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("admission")
    generated, days = generate_days(root, persons=150, days=6)
    landing, db, target = root / "landing", root / "warehouse.duckdb", root / "target"
    for day in days[:-1]:
        land_day(generated, landing, day)
    web = landing / "web_events"
    newest = sorted(web.iterdir())[-1]
    # A drop under a name that is not a day, and one dated after the run date,
    # each with an event of its own: both names sort after every date, so if
    # they were read, their events would become the watermark of the
    # incremental staging and later drops would be skipped.
    for name, event_id in (("latest.jsonl", "we_in_a_misnamed_file"), ("2099-01-01.jsonl", "we_in_a_future_file")):
        shutil.copy(newest, web / name)
        with open(web / name, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"event_id": event_id, "event_type": "page_view", "anonymous_id": event_id,
                                     "event_at": f"{days[-2]}T10:00:00+07:00"}) + "\n")
    # A folder the contract does not name.
    (landing / "notes").mkdir()
    (landing / "notes" / "readme.txt").write_text("not a drop\n")
    # A row of the newest drop that tells of a time long after that drop.
    with open(newest, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"event_id": FUTURE_EVENT, "event_type": "page_view",
                                 "anonymous_id": "cookie-from-the-future",
                                 "event_at": "2099-06-01T00:00:00+07:00"}) + "\n")
    run_dbt("seed", landing=landing, db=db, target=target)
    run_dbt("run", "--select", "+int_as_of_date", "+stg_landing__quarantined_rows", "stg_landing__files",
            landing=landing, db=db, target=target)
    first_log = (target / "logs" / "dbt.log").read_text(encoding="utf-8")
    with duckdb.connect(str(db), read_only=True) as con:
        files = {row[0]: row[1:] for row in con.execute(
            "select source_file, status, reason from staging.stg_landing__files").fetchall()}
        as_of = con.execute("select as_of_date from traits.int_as_of_date").fetchone()[0]
        latest_event = con.execute("select max(event_at) from staging.stg_web__events").fetchone()[0]
        future_rows = con.execute(
            "select reason_code from staging.stg_landing__quarantined_rows where record_key = ?",
            [FUTURE_EVENT]).fetchall()
        staged_future = con.execute(
            "select count(*) from staging.stg_web__events where event_id = ?", [FUTURE_EVENT]).fetchone()[0]
    # The last day arrives: an incremental run must read it.
    land_day(generated, landing, days[-1])
    run_dbt("run", "--select", "path:models/staging", landing=landing, db=db, target=target)
    with duckdb.connect(str(db), read_only=True) as con:
        staged_ids = {row[0] for row in con.execute("select event_id from staging.stg_web__events").fetchall()}
    last_day_ids = {row["event_id"].strip() for relative, row in landing_rows(generated, "web_events")
                    if row and relative.endswith(f"{days[-1]}.jsonl") and row.get("event_id")}
    return {"days": days, "files": files, "as_of": as_of, "latest_event": latest_event,
            "future_rows": future_rows, "staged_future": staged_future, "log": first_log,
            "staged_ids": staged_ids, "last_day_ids": last_day_ids}


def test_each_bad_file_is_rejected_alone_with_its_reason(scenario):
    files = scenario["files"]
    assert files["web_events/latest.jsonl"][0] == "rejected"
    assert files["web_events/latest.jsonl"][1].startswith("bad_name: latest.jsonl")
    assert files["web_events/2099-01-01.jsonl"][0] == "rejected"
    assert files["web_events/2099-01-01.jsonl"][1].startswith("future_drop_date: 2099-01-01.jsonl")
    assert files["notes/readme.txt"][0] == "rejected"
    assert files["notes/readme.txt"][1].startswith("unknown_source: notes")
    admitted = {name for name, (status, _) in files.items() if status == "admitted"}
    # Every real drop of the first five days (16 sources a day) is admitted.
    real_drops = {name for name in files if name.split("/")[1][:10] in scenario["days"][:-1]}
    assert real_drops and admitted == real_drops
    # The build output names each file it did not read.
    for name in ("web_events/latest.jsonl", "web_events/2099-01-01.jsonl", "notes/readme.txt"):
        assert f"landing file not read: {name}" in scenario["log"]


def test_a_future_dated_row_is_quarantined_and_does_not_move_the_as_of_day(scenario):
    assert scenario["future_rows"] == [("future_timestamp",)]
    assert scenario["staged_future"] == 0
    newest_drop = date.fromisoformat(scenario["days"][-2])
    assert scenario["as_of"] == newest_drop
    # No staged event (and so no trait) is dated after the newest drop day ends, plus the tolerance.
    assert scenario["latest_event"] <= datetime.combine(newest_drop, datetime.min.time()) + timedelta(hours=36)


def test_a_misnamed_file_never_becomes_the_watermark(scenario):
    assert not {"we_in_a_misnamed_file", "we_in_a_future_file"} & scenario["staged_ids"]
    assert scenario["last_day_ids"]
    assert scenario["last_day_ids"] <= scenario["staged_ids"]
