"""Landing admission at file level (issue 13): a misnamed, unknown or
future-dated file, or one that cannot be read as the contract says (a header
lacking a column, a damaged gzip, bytes that are not UTF-8) is rejected alone
and named; it stops no source, never
becomes the incremental watermark, and a row dated after its drop day is
quarantined, so nothing can move the warehouse's as-of day past the newest
admitted drop."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import generate_days, land_day, landing_rows, run_dbt

pytestmark = pytest.mark.slow

FUTURE_EVENT = "we_from_the_future"
TOLERATED = "we_next_morning"
# Files of the second day made unreadable, each in its own way (set in the scenario).
UNREADABLE = {
    "crm_contacts": "missing_column: crm_contacts/{day}.csv lacks the contract's column(s) email",
    "web_events": "damaged_gzip: web_events/{day}.jsonl.gz is not a readable gzip stream",
    "loyalty_members": "not_utf8: loyalty_members/{day}.csv is not UTF-8",
}


CHANGED_NEW_EVENT = "we_added_when_re_sent"
CHANGED_URL = "https://shop.example.vn/re-sent"
CHANGED_BROKEN_LINE = '{"event_id": "we_cut_in_half_when_re_sent", "event_t'


def _resend_changed(landing: Path, day: str) -> dict:
    """Re-send web_events/<day>.jsonl with new contents: its first event gets a
    new page_url, one event is added and one line is cut in half."""
    path = landing / "web_events" / f"{day}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    elsewhere = {line for other in (landing / "web_events").glob("*.jsonl") if other != path
                 for line in other.read_text(encoding="utf-8").splitlines()}

    def plain(line: str) -> bool:  # a good event of this file only (not a re-sent duplicate)
        try:
            event = json.loads(line)
        except ValueError:
            return False
        return (event.get("event_type") == "page_view" and str(event.get("event_at", "")).startswith("20")
                and not any(str(event.get("event_id")) in other for other in elsewhere))

    index = next(number for number, line in enumerate(lines) if plain(line))
    first = json.loads(lines[index])
    first["page_url"] = CHANGED_URL
    added = {**first, "event_id": CHANGED_NEW_EVENT, "anonymous_id": CHANGED_NEW_EVENT}
    lines[index] = json.dumps(first)
    lines += [json.dumps(added), CHANGED_BROKEN_LINE]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"file": f"web_events/{day}.jsonl", "event_id": first["event_id"]}


def _damage(landing: Path, day: str) -> dict[str, str]:
    """Make one drop of each of three sources unreadable; return {source_file: expected reason prefix}."""
    crm = landing / "crm_contacts" / f"{day}.csv"
    header, rest = crm.read_text(encoding="utf-8").split("\n", 1)
    crm.write_text(header.replace(",email,", ",e_mail,") + "\n" + rest, encoding="utf-8")
    web = landing / "web_events" / f"{day}.jsonl"
    (landing / "web_events" / f"{day}.jsonl.gz").write_bytes(gzip.compress(web.read_bytes())[:-100])
    web.unlink()
    loyalty = landing / "loyalty_members" / f"{day}.csv"
    # A row written by a system that does not write UTF-8 (Windows-1258 Vietnamese).
    loyalty.write_bytes(loyalty.read_bytes() + b"L_CP1258,0912345678,,Nguy\xd2n V\xe3n An,member,0,,\n")
    return {
        "crm_contacts/" + day + ".csv": UNREADABLE["crm_contacts"].format(day=day),
        "web_events/" + day + ".jsonl.gz": UNREADABLE["web_events"].format(day=day),
        "loyalty_members/" + day + ".csv": UNREADABLE["loyalty_members"].format(day=day),
    }


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
    # Three drops of the second day that cannot be read as the contract says.
    unreadable = _damage(landing, days[1])
    # A folder the contract does not name.
    (landing / "notes").mkdir()
    (landing / "notes" / "readme.txt").write_text("not a drop\n")
    # Two rows of the newest drop that tell of a time after that drop: one
    # long after; one 6 h after the drop day ends (UTC), inside the tolerance
    # (var profile360__future_timestamp_tolerance_hours, 12 h).
    newest_day = date.fromisoformat(days[-2])
    next_morning = datetime.combine(newest_day + timedelta(days=1), datetime.min.time()) + timedelta(hours=6)
    with open(newest, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"event_id": FUTURE_EVENT, "event_type": "page_view",
                                 "anonymous_id": "cookie-from-the-future",
                                 "event_at": "2099-06-01T00:00:00+07:00"}) + "\n")
        handle.write(json.dumps({"event_id": TOLERATED, "event_type": "page_view", "anonymous_id": "cookie-tolerated",
                                 "session_id": "s-tolerated",
                                 "event_at": next_morning.strftime("%Y-%m-%dT%H:%M:%SZ")}) + "\n")
    # Seeds, staging and every layer up to the traits (no data tests: what is
    # checked here is read below).
    run_dbt("build", "--select", "+dim_profile_traits", "+stg_landing__quarantined_rows", "stg_landing__files",
            "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
            landing=landing, db=db, target=target)
    first_log = (target / "logs" / "dbt.log").read_text(encoding="utf-8")
    with duckdb.connect(str(db), read_only=True) as con:
        files = {row[0]: row[1:] for row in con.execute(
            "select source_file, status, reason from staging.stg_landing__files").fetchall()}
        # The files the staging read: the identifier index holds every row of each.
        read_files = {row[0] for row in con.execute(
            "select distinct _source_file from staging.stg_landing__identifier_hashes").fetchall()}
        as_of = con.execute("select as_of_date from traits.int_as_of_date").fetchone()[0]
        latest_event = con.execute("select max(event_at) from staging.stg_web__events").fetchone()[0]
        future_rows = con.execute(
            "select reason_code from staging.stg_landing__quarantined_rows where record_key = ?",
            [FUTURE_EVENT]).fetchall()
        staged_future = con.execute(
            "select count(*) from staging.stg_web__events where event_id = ?", [FUTURE_EVENT]).fetchone()[0]
        future = {
            "newest": newest_day, "next_morning": next_morning,
            "as_of": con.execute("select as_of_date, as_of_end_at from traits.int_as_of_date").fetchone(),
            "quarantined": con.execute(
                "select record_key, reason_code from staging.stg_landing__quarantined_rows "
                "where record_key in (?, ?)", [TOLERATED, FUTURE_EVENT]).fetchall(),
            "staged": con.execute(
                "select event_id, event_at from staging.stg_web__events where event_id in (?, ?)",
                [TOLERATED, FUTURE_EVENT]).fetchall(),
            "traits": con.execute(
                "select count(*), max(last_seen_at), max(last_active_at), max(as_of_date) "
                "from traits.dim_profile_traits").fetchone(),
            "tolerated_profiles": con.execute(
                "select count(*) from traits.dim_profile_traits as traits "
                "inner join identity.map_identifiers_to_profiles as identifiers "
                "on traits.profile_id = identifiers.profile_id "
                "where identifiers.identifier_value in ('cookie-tolerated', 'cookie-from-the-future')").fetchone()[0],
        }
    # The last day arrives: an incremental run must read it. With it, a drop
    # already staged is re-sent under its name with new contents.
    land_day(generated, landing, days[-1])
    changed = _resend_changed(landing, days[2])
    run_dbt("run", "--select", "path:models/staging", landing=landing, db=db, target=target)
    second_log = (target / "logs" / "dbt.log").read_text(encoding="utf-8")[len(first_log):]
    with duckdb.connect(str(db), read_only=True) as con:
        staged_ids = {row[0] for row in con.execute("select event_id from staging.stg_web__events").fetchall()}
        changed["staged"] = con.execute(
            "select event_id, page_url, _source_file from staging.stg_web__events where event_id in (?, ?)",
            [changed["event_id"], CHANGED_NEW_EVENT]).fetchall()
        changed["quarantined"] = con.execute(
            "select reason_code from staging.stg_landing__quarantined_rows where source_file = ? "
            "and raw_record = ?", [changed["file"], CHANGED_BROKEN_LINE]).fetchall()
        changed["verdict"] = con.execute(
            "select status, changed_after_admission from staging.stg_landing__files where source_file = ?",
            [changed["file"]]).fetchone()
        changed["log"] = second_log
    last_day_ids = {row["event_id"].strip() for relative, row in landing_rows(generated, "web_events")
                    if row and relative.endswith(f"{days[-1]}.jsonl") and row.get("event_id")}
    return {"days": days, "files": files, "as_of": as_of, "latest_event": latest_event,
            "future_rows": future_rows, "staged_future": staged_future, "log": first_log,
            "unreadable": unreadable, "read_files": read_files,
            "staged_ids": staged_ids, "last_day_ids": last_day_ids, "changed": changed, "future": future}


def test_each_bad_file_is_rejected_alone_with_its_reason(scenario):
    files = scenario["files"]
    assert files["web_events/latest.jsonl"][0] == "rejected"
    assert files["web_events/latest.jsonl"][1].startswith("bad_name: latest.jsonl")
    assert files["web_events/2099-01-01.jsonl"][0] == "rejected"
    assert files["web_events/2099-01-01.jsonl"][1].startswith("future_drop_date: 2099-01-01.jsonl")
    assert files["notes/readme.txt"][0] == "rejected"
    assert files["notes/readme.txt"][1].startswith("unknown_source: notes")
    admitted = {name for name, (status, _) in files.items() if status == "admitted"}
    # Every real drop of the first five days (16 sources a day) is admitted,
    # but for the three made unreadable.
    real_drops = {name for name in files if name.split("/")[1][:10] in scenario["days"][:-1]}
    real_drops -= set(scenario["unreadable"])
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


def _assert_rejected_alone(scenario, source: str) -> None:
    [(name, reason)] = [(name, reason) for name, reason in scenario["unreadable"].items() if name.startswith(source)]
    status, found = scenario["files"][name]
    assert status == "rejected"
    assert found.startswith(reason), found
    assert f"landing file not read: {name} ({reason}" in scenario["log"]
    # The other drops of that source are staged, the bad one is not.
    days = scenario["days"]
    staged_days = {path.split("/")[1][:10] for path in scenario["read_files"] if path.startswith(source + "/")}
    assert staged_days == set(days[:-1]) - {days[1]}


def test_a_file_lacking_a_contract_column_is_rejected_alone(scenario):
    _assert_rejected_alone(scenario, "crm_contacts")


def test_a_damaged_gzip_file_is_rejected_alone(scenario):
    _assert_rejected_alone(scenario, "web_events")


def test_a_file_that_is_not_utf8_is_rejected_alone(scenario):
    _assert_rejected_alone(scenario, "loyalty_members")


def test_a_file_re_sent_with_new_contents_replaces_the_rows_it_gave(scenario):
    changed = scenario["changed"]
    staged = sorted(changed["staged"])
    # The changed event once, with its new value; the added event staged.
    assert staged == sorted([(changed["event_id"], CHANGED_URL, changed["file"]),
                             (CHANGED_NEW_EVENT, CHANGED_URL, changed["file"])])
    # Its newly broken line is quarantined, once.
    assert changed["quarantined"] == [("truncated_json",)]
    assert changed["verdict"] == ("admitted", True)
    assert f"landing file changed: {changed['file']}" in changed["log"]


# ------------------------------------------------------------------ rows from the future
# (issue 13, item 2): no row dated after its drop day reaches a trait. The newest
# drop of the first build holds a row dated the next morning (UTC), within the
# tolerance, so staged as is, and one dated in 2099, quarantined (future_timestamp).
# Neither may move the as-of day past the newest admitted drop, so neither reaches
# dim_profile_traits.

def test_a_row_past_the_tolerance_is_quarantined_and_one_within_is_staged(scenario):
    future = scenario["future"]
    assert future["quarantined"] == [(FUTURE_EVENT, "future_timestamp")]
    assert future["staged"] == [(TOLERATED, future["next_morning"])]


def test_the_as_of_day_is_the_newest_drop(scenario):
    future = scenario["future"]
    as_of_date, as_of_end_at = future["as_of"]
    assert as_of_date == future["newest"]
    assert as_of_end_at == datetime.combine(future["newest"] + timedelta(days=1), datetime.min.time())


def test_no_row_dated_after_its_drop_day_reaches_a_trait(scenario):
    future = scenario["future"]
    profiles, last_seen, last_active, as_of = future["traits"]
    end_of_newest_drop = datetime.combine(future["newest"] + timedelta(days=1), datetime.min.time())
    assert profiles > 0
    assert as_of == future["newest"]
    assert last_seen < end_of_newest_drop
    assert last_active < end_of_newest_drop
    # The cookies of the two planted rows belong to no profile seen by the as-of day.
    assert future["tolerated_profiles"] == 0
