"""Incremental profiles (docs/layers.md, "Incremental profiles").

A small demo (300 persons, 8 daily drops) is built from its first seven days,
then the eighth day lands with two edits and is built incrementally:
  - a web event joining a cookie-only profile B to a customer's profile A
    (the two profiles merge: one id survives, the other must leave every
    profiles table);
  - an erasure request for the customer id of a third profile C (its records
    leave staging and identity; its profile must leave the profiles tables);
  - a consent withdrawal for the customer id of a fourth profile D, none of
    whose identifiers appears in any other drop of the day: only the consent
    rule can bring it into the recomputed profiles.
Checked against computations that do not use the profiles layer:
  - the profiles recomputed (int_profiles_to_refresh, the layer's run log)
    include every profile holding a record first delivered on day 8 (read
    from the landing drops, mapped through map_records_to_profiles), and
    are a small share of all profiles;
  - the profiles tables hold exactly the profiles of map_records_to_profiles,
    with its record counts (no stale row of a merged or erased profile);
  - every profiles table equals a --full-refresh of the profiles layer on a
    copy of the same warehouse, row for row.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import (
    day_values, first_delivered_records, generate_days, land_day, pick_profiles, run_dbt,
)

PERSONS = 300
DAYS = 8
MERGE_EVENT_ID = "we_profiles_test_merge"
ERASURE_REQUEST_ID = "ER_PROFILES_TEST"
# Profiles tables keyed by profile (rows of a profile that no longer exists
# would be stale) and their primary keys.
PROFILE_TABLES = {
    "dim_profiles": "profile_id",
    "int_profile_identifiers": "profile_id",
    "int_profile_attribute_candidates": "candidate_id",
    "int_profile_attributes_survived": "profile_attribute_id",
    "int_profile_consents": "profile_consent_id",
}
BUILD = ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


@dataclass(frozen=True)
class Scenario:
    db: Path
    full_db: Path
    landing: Path
    last_day: str
    merged: tuple[str, str]          # profile ids A (customer) and B (cookie only) before day 8
    merged_records: int              # records of A and B before day 8, plus the new event
    erased_customer: str
    erased_profile: str
    consenting_profile: str
    consent_recorded_at: str


def _record_count(db: Path, profile_ids: tuple[str, ...]) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        marks = ", ".join("?" for _ in profile_ids)
        return con.execute(
            f"select count(*) from identity.map_records_to_profiles where profile_id in ({marks})",
            list(profile_ids),
        ).fetchone()[0]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("incremental_profiles")
    generated, days = generate_days(root, PERSONS, DAYS)
    landing, db, target = root / "landing", root / "incremental.duckdb", root / "target"

    for day in days[:-1]:
        land_day(generated, landing, day)
    run_dbt(*BUILD, landing=landing, db=db, target=target)

    last = days[-1]
    picked = pick_profiles(db, day_values(generated, last))
    merged_records = _record_count(db, (picked["a"], picked["b"])) + 1

    # Day 8, with a web event carrying B's cookie and A's customer id, an
    # erasure request for C's customer id and a consent withdrawal of D's.
    web_drop = generated / "web_events" / f"{last}.jsonl"
    template = next(json.loads(line) for line in web_drop.read_text(encoding="utf-8").splitlines()
                    if line.startswith("{") and '"page_view"' in line)
    event = {**template, "event_id": MERGE_EVENT_ID, "anonymous_id": picked["cookie_b"],
             "user_id": picked["customer_a"], "email": None, "phone": None,
             "event_at": f"{last}T10:00:00+07:00"}
    with open(web_drop, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event, ensure_ascii=False) + "\n")
    requests = generated / "erasure_requests" / f"{last}.csv"
    with open(requests, "a", newline="", encoding="utf-8") as handle:
        handle.write(f"{ERASURE_REQUEST_ID},customer_id,{picked['customer_c']},{last}T09:00:00+07:00\n")
    consents = generated / "consents" / f"{last}.csv"
    ending = "" if consents.read_text(encoding="utf-8").endswith("\n") else "\n"
    with open(consents, "a", newline="", encoding="utf-8") as handle:
        handle.write(f"{ending}customer_id,{picked['customer_d']},analytics,withdrawn,web_form,"
                     f"{last}T23:59:59+07:00\n")
    land_day(generated, landing, last)
    run_dbt(*BUILD, landing=landing, db=db, target=target)

    # The same warehouse with the profiles layer rebuilt from scratch.
    full_db = root / "full_refresh.duckdb"
    shutil.copy(db, full_db)
    run_dbt("run", "--select", "tag:profiles", "--full-refresh", landing=landing, db=full_db,
         target=root / "target_full")
    return Scenario(db, full_db, landing, last, (picked["a"], picked["b"]), merged_records,
                    picked["customer_c"], picked["c"], picked["d"], f"{last} 16:59:59")


@pytest.fixture(scope="module")
def con(scenario: Scenario):
    connection = duckdb.connect(str(scenario.db), read_only=True)
    yield connection
    connection.close()


def test_an_incremental_day_recomputes_a_small_share_covering_the_new_records(con, scenario: Scenario):
    reasons = dict(con.execute(
        "select refresh_reason, count(*) from profiles.int_profiles_to_refresh group by 1"
    ).fetchall())
    assert "full_build" not in reasons, reasons
    refreshed = {row[0] for row in con.execute(
        "select profile_id from profiles.int_profiles_to_refresh").fetchall()}
    total = con.execute("select count(*) from profiles.dim_profiles").fetchone()[0]

    new_records = first_delivered_records(scenario.landing, scenario.last_day)
    assert len(new_records) > 100
    con.execute("create temp table new_records (source varchar, record_key varchar)")
    con.executemany("insert into new_records values (?, ?)", sorted(new_records))
    touched = {row[0] for row in con.execute(
        "select distinct map.profile_id from identity.map_records_to_profiles as map "
        "inner join new_records using (source, record_key)").fetchall()}
    assert len(touched) > 20
    assert touched - refreshed == set()
    # One day of eight: well under half of the profiles is recomputed.
    assert len(refreshed) < 0.5 * total, (len(refreshed), total, reasons)


def test_profiles_tables_hold_exactly_the_current_profiles(con):
    mapped = dict(con.execute(
        "select profile_id, count(*) from identity.map_records_to_profiles group by 1").fetchall())
    dim = dict(con.execute("select profile_id, count_records from profiles.dim_profiles").fetchall())
    assert dim == mapped
    for table in PROFILE_TABLES:
        stale = con.execute(
            f"select count(*) from profiles.{table} where profile_id not in "
            "(select profile_id from identity.map_records_to_profiles)").fetchone()[0]
        assert stale == 0, table


def test_a_merge_on_a_later_day_leaves_one_profile_with_all_records(con, scenario: Scenario):
    survivor = con.execute(
        "select profile_id from identity.map_records_to_profiles where record_key = ?",
        [MERGE_EVENT_ID]).fetchone()[0]
    assert survivor in scenario.merged
    gone = next(profile for profile in scenario.merged if profile != survivor)
    for table in PROFILE_TABLES:
        assert con.execute(f"select count(*) from profiles.{table} where profile_id = ?",
                           [gone]).fetchone()[0] == 0, table
    records = con.execute("select count_records from profiles.dim_profiles where profile_id = ?",
                          [survivor]).fetchone()[0]
    # Records of A and B before the day, plus the joining event, plus any
    # other day-8 record of either (taken from the record map).
    assert records >= scenario.merged_records
    assert con.execute("select refresh_reason from profiles.int_profiles_to_refresh where profile_id = ?",
                       [gone]).fetchone() == ("profile_gone",)


def test_an_erasure_on_a_later_day_leaves_no_profile_row(con, scenario: Scenario):
    assert con.execute("select count(*) from identity.map_records_to_profiles where profile_id = ?",
                       [scenario.erased_profile]).fetchone()[0] == 0
    for table in PROFILE_TABLES:
        assert con.execute(f"select count(*) from profiles.{table} where profile_id = ?",
                           [scenario.erased_profile]).fetchone()[0] == 0, table
    listed = con.execute("select count(*) from profiles.dim_profiles where customer_id_list like ?",
                         [f"%{scenario.erased_customer}%"]).fetchone()[0]
    assert listed == 0


def test_the_incremental_profiles_equal_a_full_refresh(scenario: Scenario):
    with duckdb.connect() as both:
        both.execute(f"attach '{scenario.db}' as incremental (read_only)")
        both.execute(f"attach '{scenario.full_db}' as full_refresh (read_only)")
        differences = {}
        for table in (*PROFILE_TABLES, "int_profile_fingerprints"):
            counts = []
            for left, right in (("incremental", "full_refresh"), ("full_refresh", "incremental")):
                counts.append(both.execute(
                    f"select count(*) from (select * from {left}.profiles.{table} "
                    f"except all select * from {right}.profiles.{table})").fetchone()[0])
            rows = both.execute(f"select count(*) from full_refresh.profiles.{table}").fetchone()[0]
            assert rows > 0, table
            if any(counts):
                differences[table] = counts
        assert differences == {}


def test_a_consent_recorded_on_a_later_day_updates_a_profile_seen_in_no_other_drop(con, scenario: Scenario):
    assert con.execute("select refresh_reason from profiles.int_profiles_to_refresh where profile_id = ?",
                       [scenario.consenting_profile]).fetchone() == ("consent_recorded",)
    row = con.execute(
        "select consent_analytics, cast(consent_analytics_at as varchar) from profiles.dim_profiles "
        "where profile_id = ?", [scenario.consenting_profile]).fetchone()
    assert row == ("withdrawn", scenario.consent_recorded_at)
