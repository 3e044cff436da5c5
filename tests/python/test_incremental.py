"""Incremental builds, day by day (docs/layers.md: "Incremental staging",
"Incremental profiles", "Incremental traits"), on one scenario built once.

A small demo (300 persons, 10 daily drops) is landed into one landing folder:
days 1 to 6 at once, built from scratch, then day by day, with one incremental
build after each of days 7 to 10; and built in one go with `--full-refresh`
into another DuckDB file. Edits to the drops put
known rows in the way of each rule (the expected values are taken from the
injected rows or from the landing files, not from the build):
  - day 1: two support tickets for a customer seen in no drop of day 9, one
    of them resolved on day 9 with CSAT 4, the other never resolved;
  - day 8: a web event of day 1 re-sent with other content (the first copy
    must stay), a late web event of day 1 (it must be added), and a newer
    version of an order of day 1 (it must win);
  - day 9: an erasure request for the customer id of a profile C (its rows
    already staged must go; its profile must leave every profile and trait
    table), and the cancellation, dated day 7, of an order of a "quiet"
    profile (no record in day 9's drops, none leaving the 7-day window): only
    the since-previous-build rule of the traits can bring it in;
  - day 10: an older version of the day-8 order (it must not win), a web
    event joining a cookie-only profile B to a customer's profile A (a merge:
    one id survives, the other leaves every table), and a consent withdrawal
    for the customer id of a profile D none of whose identifiers is in the
    day's other drops (only the consent rule can bring it into the
    recomputed profiles).
Checked on it:
  - every public, staging and inner identity, profiles and traits table of
    the day-by-day warehouse equals the one-shot build, row for row (lineage
    load times aside);
  - the last day re-derives and re-stitches only what it touches, and reads
    only the new drop;
  - the profiles and traits recomputed on an incremental day cover every
    profile holding a record first delivered that day (read from the landing
    drops, mapped through map_records_to_profiles) and are a small share;
  - after day 9 and after day 10 a copy of the warehouse gets its traits
    (day 9) or profiles and traits (day 10) rebuilt with --full-refresh: the
    incremental tables match them row for row;
  - no profile or trait table keeps a row of a merged or erased profile;
  - every record whose profile id changed on day 10 is in the merge/split log.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR
from tests.python.incremental_rules import EXCLUDED, IDENTITY_INNER, LINEAGE_COLUMNS, LOAD_TIME_COLUMNS, PARTIAL
from tests.python.conftest import (
    RECORD_KEYS, day_values, first_delivered_records, generate_days, land_day, landing_rows,
    pick_profiles, run_dbt,
)

PERSONS = 300
DAYS = 10
LATE_EVENT_ID = "we_incremental_test_late"
RESENT_URL = "https://shop.example/resent-copy-must-not-win"
MERGE_EVENT_ID = "we_incremental_test_merge"
ERASURE_REQUEST_ID = "ER_INCREMENTAL_TEST"
# Two tickets added to day 1 for a customer seen in no drop of day 9:
# one resolved on day 9 with CSAT 4 (open as of day 8, resolved as of day 9:
# its resolution crosses the end of the as-of day), one never resolved.
RESOLVED_TICKET, OPEN_TICKET = "TK_TRAITS_TEST_RESOLVED", "TK_TRAITS_TEST_OPEN"
# Where an erased customer id can be staged.
CUSTOMER_COLUMNS = (("stg_web__events", "user_id"), ("stg_ecommerce__orders", "customer_id"),
                    ("stg_app__events", "user_id"), ("stg_support__tickets", "customer_id"),
                    ("stg_crm__contacts", "customer_id"))

# Seeds, models and the snapshot; data tests run elsewhere (the whole-suite
# build) and would only add minutes here.
BUILD = ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")




# Profiles tables keyed by profile (rows of a profile that no longer exists
# would be stale) and their primary keys.
PROFILE_TABLES = {
    "dim_profiles": "profile_id",
    "int_profile_identifiers": "profile_id",
    "int_profile_attribute_candidates": "candidate_id",
    "int_profile_attributes_survived": "profile_attribute_id",
    "int_profile_consents": "profile_consent_id",
}
# The per-profile state tables of the traits (rows of a profile that no longer exists
# would be stale), and the public trait tables.
STATE_TABLES = ("int_profiles_as_of", "int_purchase_state", "int_engagement_state", "int_service_state",
                "int_profile_product_state")
PUBLIC_TABLES = ("trait_purchase", "trait_engagement", "trait_service", "trait_behaviour",
                 "dim_profile_traits")
COUNTS_7D = ("web_sessions_7d", "app_sessions_7d", "page_views_7d", "product_views_7d",
             "add_to_carts_7d", "searches_7d")
# Every time of a record a trait compares with the as-of day.
RECORD_TIMES = """
    select 'web_events' as source, event_id as record_key, event_at as at from staging.stg_web__events
    union all select 'app_events', event_id, event_at from staging.stg_app__events
    union all select 'email_events', event_id, event_at from staging.stg_email__events
    union all select 'zalo_events', event_id, event_at from staging.stg_zalo__events
    union all select 'ecommerce_orders', order_id, ordered_at from staging.stg_ecommerce__orders
    union all select 'ecommerce_orders', order_id, updated_at from staging.stg_ecommerce__orders
    union all select 'pos_transactions', transaction_id, transacted_at from staging.stg_pos__transactions
    union all select 'support_tickets', ticket_id, opened_at from staging.stg_support__tickets
    union all select 'support_tickets', ticket_id, resolved_at from staging.stg_support__tickets
"""




@dataclass(frozen=True)
class Scenario:
    db: Path                 # the day-by-day warehouse, after day 10
    one_shot_db: Path        # all ten days at once, --full-refresh
    layers_full_db: Path     # a copy of db, profiles and traits rebuilt with --full-refresh
    day9_db: Path            # the day-by-day warehouse right after day 9's build
    day9_full_db: Path       # a copy of it, traits rebuilt with --full-refresh
    landing: Path
    days: list[str]
    compiled_web_events: dict[str, str]  # day 10's compiled SQL of stg_web__events, base_web__events
    resent_event: dict
    order_versions: list[dict]
    erased_customer: str
    erased_profile: str
    erased_rows_before: int           # staged rows of the erased customer before day 9
    counts_before: dict[str, tuple]   # profile -> 7-day counts as of day 8
    cancelled_before: int             # cancelled orders of the late order's profile as of day 8
    tickets_before: tuple             # (tickets_total, open_tickets, avg_csat) of the ticket profile, day 8
    late_order_profile: str
    merged: tuple[str, str]           # profile ids A (customer) and B (cookie only) before day 10
    merged_records: int               # records of A and B before day 10, plus the new event
    consenting_profile: str
    consent_recorded_at: str

    @property
    def last_day(self) -> str:
        return self.days[-1]

def _start_dbt(*args: str, landing_dir: Path, db_path: Path, target_dir: Path) -> subprocess.Popen:
    # Audience exports go beside the warehouse, never into the project's exports/.
    env = {**os.environ, **OFFLINE_ENV,
           "PROFILE360_LANDING_DIR": str(landing_dir), "PROFILE360_DB_PATH": str(db_path),
           "PROFILE360_EXPORTS_DIR": str(db_path.parent / f"{db_path.stem}_exports")}
    return subprocess.Popen(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args,
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(target_dir), "--log-path", str(target_dir / "logs")],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _finish(process: subprocess.Popen) -> None:
    output, _ = process.communicate()
    assert process.returncode == 0, output[-5000:]


def _edit_drops(landing: Path, days: list[str]) -> tuple[dict, list[dict]]:
    """Add a re-sent copy and a late event to day 8's web drop, and two versions
    of a first-day order to days 8 and 10. Returns the first copy of the
    re-sent event and the order versions added."""
    first_web = landing / "web_events" / f"{days[0]}.jsonl"
    events = []
    for line in first_web.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:  # the generator's broken lines
            continue
    original = next(e for e in events if e.get("event_type") == "page_view")
    resent = {**original, "page_url": RESENT_URL}
    late = {**original, "event_id": LATE_EVENT_ID, "event_at": f"{days[0]}T12:00:00+07:00"}
    with open(landing / "web_events" / f"{days[7]}.jsonl", "a", encoding="utf-8") as handle:
        for event in (resent, late):
            handle.write(json.dumps(event, ensure_ascii=False) + "\n")

    def read(day: str) -> tuple[list[str], list[dict]]:
        with open(landing / "ecommerce_orders" / f"{day}.csv", newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)

    header, orders = read(days[0])
    sent = [row for day in days for row in read(day)[1]]

    def latest_version(order_id: str) -> dict:
        return max((row for row in sent if row["order_id"] == order_id), key=lambda row: row["updated_at"])

    # An order of day 1 whose every version was sent before day 8: the
    # cancellation sent on day 8, at the end of that day, is then its latest
    # state (a row cannot carry a time after its own drop day: it would be
    # quarantined as future_timestamp).
    order = next(row for row in orders if latest_version(row["order_id"])["updated_at"] < days[7])
    latest = latest_version(order["order_id"])
    newer = {**latest, "status": "cancelled", "updated_at": f"{days[7]}T23:59:00+07:00"}
    older = {**latest, "status": "returned", "updated_at": order["ordered_at"]}
    for day, row in ((days[7], newer), (days[9], older)):
        drop = landing / "ecommerce_orders" / f"{day}.csv"
        ending = "" if drop.read_text(encoding="utf-8").endswith("\n") else "\n"
        with open(drop, "a", newline="", encoding="utf-8") as handle:
            handle.write(ending)
            csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerow(row)
    return original, [newer, older]


def _records_in_drops(landing: Path, day: str) -> set[tuple[str, str]]:
    """(source, record key) of every row of a day's drops (first delivered or not),
    plus the orders and transactions their line files name."""
    records = set()
    lines = {"ecommerce_order_items": ("ecommerce_orders", "order_id"),
             "pos_transaction_items": ("pos_transactions", "transaction_id")}
    for folder, key in (*RECORD_KEYS.items(), *((name, target[1]) for name, target in lines.items())):
        source = lines[folder][0] if folder in lines else folder
        for relative, row in landing_rows(landing, folder, missing_ok=True):
            if row is not None and row.get(key) and relative.split("/")[-1].startswith(day):
                records.add((source, str(row[key]).strip()))
    return records


def _profiles_of(con: duckdb.DuckDBPyConnection, records: set[tuple[str, str]]) -> set[str]:
    con.execute("create or replace temp table picked_records (source varchar, record_key varchar)")
    con.executemany("insert into picked_records values (?, ?)", sorted(records))
    return {row[0] for row in con.execute(
        "select distinct map.profile_id from identity.map_records_to_profiles as map "
        "inner join picked_records using (source, record_key)").fetchall()}


def _counts_7d(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    return {row[0]: tuple(row[1:]) for row in con.execute(
        f"select profile_id, {', '.join(COUNTS_7D)} from traits.dim_profile_traits").fetchall()}


def _resend_late_order(generated: Path, db: Path, days: list[str],
                       erased_profile: str) -> tuple[str, str, int]:
    """Append to day 9's order drop a cancellation, dated on day 7, of an
    order of a quiet profile: one with no record in day 9's drops and no
    record time on day 2 (the day leaving the 7-day window on day 9) or
    on day 9 or later, and not the profile erased that day. Returns the order id, its profile and its cancelled orders
    before."""
    in_drops = _records_in_drops(generated, days[8])
    with duckdb.connect(str(db), read_only=True) as con:
        busy = _profiles_of(con, in_drops)
        candidates = con.execute(f"""
            with times as ({RECORD_TIMES}),
            late as (
                select distinct map.profile_id
                from times
                inner join identity.map_records_to_profiles as map using (source, record_key)
                where cast(times.at as date) = cast(? as date) or cast(times.at as date) >= cast(? as date)
            )
            select orders.order_id, map.profile_id, traits.count_cancelled_orders
            from staging.stg_ecommerce__orders as orders
            inner join identity.map_records_to_profiles as map
                on map.source = 'ecommerce_orders' and map.record_key = orders.order_id
            inner join traits.dim_profile_traits as traits on traits.profile_id = map.profile_id
            where orders.status in ('placed', 'delivered')
                and cast(orders.updated_at as date) < cast(? as date)
                and map.profile_id not in (select profile_id from late)
            order by orders.order_id
        """, [days[1], days[8], days[5]]).fetchall()
    order_id, profile_id, cancelled = next(row for row in candidates
                                           if row[1] not in busy and row[1] != erased_profile)

    def read(day: str) -> tuple[list[str], list[dict]]:
        with open(generated / "ecommerce_orders" / f"{day}.csv", newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)

    versions = [row for day in days[:8] for row in read(day)[1] if row["order_id"] == order_id]
    latest = max(versions, key=lambda row: row["updated_at"])
    assert latest["updated_at"] < f"{days[6]}T12:00:00+07:00"
    header, _ = read(days[8])
    drop = generated / "ecommerce_orders" / f"{days[8]}.csv"
    ending = "" if drop.read_text(encoding="utf-8").endswith("\n") else "\n"
    with open(drop, "a", newline="", encoding="utf-8") as handle:
        handle.write(ending)
        csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerow(
            {**latest, "status": "cancelled", "updated_at": f"{days[6]}T12:00:00+07:00"})
    return order_id, profile_id, cancelled


def _add_tickets(generated: Path, days: list[str]) -> None:
    """Append the two test tickets to day 1's ticket drop, for the customer of
    a day-1 order none of whose values (customer id, e-mail, phone) is in
    day 9's drops."""
    values, digits = day_values(generated, days[8])

    def quiet(row: dict) -> bool:
        texts = [str(row[key]).strip().lower() for key in ("customer_id", "email", "phone") if row[key]]
        return not any(text in values or (len(text) >= 9 and "".join(c for c in text if c.isdigit())[-9:]
                                          in digits) for text in texts)

    with open(generated / "ecommerce_orders" / f"{days[0]}.csv", newline="", encoding="utf-8") as handle:
        order = next(row for row in csv.DictReader(handle) if row["customer_id"] and quiet(row))
    drop = generated / "support_tickets" / f"{days[0]}.csv"
    ending = "" if drop.read_text(encoding="utf-8").endswith("\n") else "\n"
    with open(drop, "a", newline="", encoding="utf-8") as handle:
        handle.write(ending)
        handle.write(f"{RESOLVED_TICKET},{order['customer_id']},,,email,payment,normal,resolved,"
                     f"{days[0]}T09:00:00+07:00,{days[8]}T10:00:00+07:00,4\n")
        handle.write(f"{OPEN_TICKET},{order['customer_id']},,,email,account,normal,open,"
                     f"{days[0]}T10:00:00+07:00,,\n")


def _ticket_figures(con: duckdb.DuckDBPyConnection) -> tuple:
    return con.execute(
        "select tickets_total, open_tickets, avg_csat from traits.dim_profile_traits where profile_id = "
        "(select profile_id from identity.map_records_to_profiles where record_key = ?)", [RESOLVED_TICKET]
    ).fetchone()


def _record_count(db: Path, profile_ids: tuple[str, ...]) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        marks = ", ".join("?" for _ in profile_ids)
        return con.execute(
            f"select count(*) from identity.map_records_to_profiles where profile_id in ({marks})",
            list(profile_ids),
        ).fetchone()[0]


def _full_refresh_copy(db: Path, landing: Path, name: str, selection: str, target: Path) -> Path:
    copy = db.parent / f"{name}.duckdb"
    shutil.copy(db, copy)
    run_dbt("run", "--select", *selection.split(), "--full-refresh", landing=landing, db=copy, target=target)
    return copy


def _profile_of(con: duckdb.DuckDBPyConnection, source: str, record_key: str) -> str:
    return con.execute("select profile_id from identity.map_records_to_profiles "
                       "where source = ? and record_key = ?", [source, record_key]).fetchone()[0]


def _append_line(drop: Path, line: str) -> None:
    ending = "" if drop.read_text(encoding="utf-8").endswith("\n") else "\n"
    with open(drop, "a", newline="", encoding="utf-8") as handle:
        handle.write(f"{ending}{line}\n")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("incremental")
    generated, days = generate_days(root, PERSONS, DAYS)
    resent_event, order_versions = _edit_drops(generated, days)
    _add_tickets(generated, days)
    # One target folder for every run on this landing zone, warehouse file and
    # these vars: dbt re-parses only what changed (another warehouse path is
    # another profile to dbt: a full parse). The one-shot build runs beside
    # them, in its own; the full-refresh copies run in theirs.
    landing, db, target = root / "landing", root / "incremental.duckdb", root / "target"
    copies_target = root / "target_copies"

    # Days 1 to 6 in the warehouse's first build; then days 7 and 8 (the re-sent
    # and late rows), each day's file of every source joining the landing folder,
    # then an incremental run.
    for day in days[:6]:
        land_day(generated, landing, day)
    run_dbt(*BUILD, landing=landing, db=db, target=target)
    for day in days[6:8]:
        land_day(generated, landing, day)
        run_dbt(*BUILD, landing=landing, db=db, target=target)

    # Day 9: the erasure of C's customer id (not a profile whose rows another
    # check edits), the late order change of a quiet profile.
    with duckdb.connect(str(db), read_only=True) as con:
        counts_before = _counts_7d(con)
        tickets_before = _ticket_figures(con)
        protected = {_profile_of(con, "web_events", resent_event["event_id"]),
                     _profile_of(con, "ecommerce_orders", order_versions[0]["order_id"]),
                     _profile_of(con, "support_tickets", RESOLVED_TICKET)}
    picked = pick_profiles(db, day_values(generated, days[9]))
    erased = next(key for key in ("c", "a", "d") if picked[key] not in protected)
    erased_customer, erased_profile = picked[f"customer_{erased}"], picked[erased]
    with duckdb.connect(str(db), read_only=True) as con:
        erased_rows_before = sum(con.execute(
            f"select count(*) from staging.{table} where {column} = ?", [erased_customer]).fetchone()[0]
            for table, column in CUSTOMER_COLUMNS)
    _append_line(generated / "erasure_requests" / f"{days[8]}.csv",
                 f"{ERASURE_REQUEST_ID},customer_id,{erased_customer},{days[8]}T09:00:00+07:00")
    _, late_profile, cancelled_before = _resend_late_order(generated, db, days, erased_profile)
    land_day(generated, landing, days[8])
    run_dbt(*BUILD, landing=landing, db=db, target=target)
    day9_db = root / "day9.duckdb"
    shutil.copy(db, day9_db)
    day9_full_db = _full_refresh_copy(db, landing, "day9_full", "tag:traits", copies_target)

    # Day 10: a merge of A and B, a consent withdrawal of D.
    last = days[9]
    picked = pick_profiles(db, day_values(generated, last))
    merged_records = _record_count(db, (picked["a"], picked["b"])) + 1
    web_drop = generated / "web_events" / f"{last}.jsonl"
    template = next(json.loads(line) for line in web_drop.read_text(encoding="utf-8").splitlines()
                    if line.startswith("{") and '"page_view"' in line)
    event = {**template, "event_id": MERGE_EVENT_ID, "anonymous_id": picked["cookie_b"],
             "user_id": picked["customer_a"], "email": None, "phone": None,
             "event_at": f"{last}T10:00:00+07:00"}
    with open(web_drop, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event, ensure_ascii=False) + "\n")
    _append_line(generated / "consents" / f"{last}.csv",
                 f"customer_id,{picked['customer_d']},analytics,withdrawn,web_form,{last}T23:59:59+07:00")

    # One-shot: all ten days at once, from scratch, beside the last daily build.
    one_shot_db = root / "one_shot.duckdb"
    one_shot = _start_dbt(*BUILD, "--full-refresh", landing_dir=generated, db_path=one_shot_db,
                          target_dir=root / "target_one_shot")
    land_day(generated, landing, last)
    run_dbt(*BUILD, landing=landing, db=db, target=target)
    compiled = {name: next(target.glob(f"compiled/**/{name}.sql")).read_text(encoding="utf-8")
                for name in ("stg_web__events", "base_web__events")}
    _finish(one_shot)
    layers_full_db = _full_refresh_copy(db, landing, "layers_full", "tag:profiles tag:traits",
                                        copies_target)
    return Scenario(db, one_shot_db, layers_full_db, day9_db, day9_full_db, landing, days, compiled,
                    resent_event, order_versions, erased_customer, erased_profile, erased_rows_before,
                    counts_before, cancelled_before, tickets_before, late_profile,
                    (picked["a"], picked["b"]), merged_records, picked["d"], f"{last} 16:59:59")


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' and table_catalog = 'incremental' "
        "and table_schema not in ('reference') order by 1"
    ).fetchall()
    return [row[0] for row in rows]


def _compared_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    public = re.compile(r"^(staging\.stg_|identity\.(map|snp)_|[a-z]+\.(dim|fct|rpt|map|exp|bdg|trait)_)")
    return [t for t in _tables(con) if public.match(t) and t not in EXCLUDED]


def _query(con: duckdb.DuckDBPyConnection, table: str, catalog: str, ignored: set[str] = frozenset()) -> str:
    schema, name = table.split(".")
    qualified = f"{catalog}.{schema}.{name}"
    if table in PARTIAL:
        return PARTIAL[table].format(t=qualified)
    columns = [row[0] for row in con.execute(
        "select column_name from information_schema.columns where table_catalog = ? "
        "and table_schema = ? and table_name = ? order by ordinal_position", [catalog, schema, name]
    ).fetchall() if row[0] not in LOAD_TIME_COLUMNS | ignored]
    return f"select {', '.join(columns)} from {qualified}"


def _differences(con: duckdb.DuckDBPyConnection, incremental: str, full: str) -> dict[str, int]:
    """Rows only in one of two queries (EXCEPT ALL both ways); empty when they hold the same rows."""
    only_incremental = con.execute(f"select count(*) from ({incremental} except all {full})").fetchone()[0]
    only_full = con.execute(f"select count(*) from ({full} except all {incremental})").fetchone()[0]
    if only_incremental or only_full:
        return {"only_incremental": only_incremental, "only_full": only_full}
    return {}


@pytest.fixture(scope="module")
def both(scenario: Scenario):
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{scenario.db}' as incremental (read_only)")
    con.execute(f"attach '{scenario.one_shot_db}' as full_refresh (read_only)")
    from orchestration.lib.dbt_secrets import apply_secrets

    apply_secrets(con, str(scenario.db))  # the base_ views hash with the erasure salt
    yield con
    con.close()


def test_every_public_and_staging_table_matches_the_full_refresh(both):
    tables = _compared_tables(both)
    # The comparison covers the layers the issue names.
    for expected in ("staging.stg_web__events", "staging.stg_ecommerce__orders",
                     "staging.stg_landing__quarantined_rows", "identity.map_records_to_profiles",
                     "identity.map_identifiers_to_profiles", "profiles.dim_profiles",
                     "traits.dim_profile_traits", "segments.dim_segments",
                     "segments.fct_segment_membership_changes", "marts.rpt_channel_performance"):
        assert expected in tables
    differences = {}
    for table in tables:
        full = _query(both, table, "full_refresh")
        difference = _differences(both, _query(both, table, "incremental"), full)
        if difference:
            rows = both.execute(f"select count(*) from ({full})").fetchone()[0]
            differences[table] = {**difference, "rows": rows}
    assert differences == {}


def test_the_identity_layer_inner_tables_match_the_full_refresh(both):
    """Occurrences, flags, links and components, kept between builds and
    updated around the changes, equal a one-shot stitching of the same data
    (the erasure on day 9 and the re-sent order included)."""
    differences = {}
    for table, ignored in IDENTITY_INNER.items():
        difference = _differences(both, _query(both, table, "incremental", ignored),
                                  _query(both, table, "full_refresh", ignored))
        if difference:
            differences[table] = difference
    assert differences == {}


def test_an_incremental_day_restitches_only_the_groups_it_touches(both, scenario: Scenario):
    """The last day's build re-derives the records of the last drops only and
    re-stitches part of the graph: the groups holding them. Checked against
    the record ids of the last day's files, read here from the landing zone."""
    con = both
    occurrences = "incremental.identity.int_identifier_occurrences"
    last_load = con.execute(f"select max(_loaded_at) from {occurrences}").fetchone()[0]
    rederived = {row for row in con.execute(
        f"select distinct source, record_key from {occurrences} where _loaded_at = ?", [last_load]).fetchall()}
    last_day = scenario.days[-1]
    in_last_files = {row for row in con.execute(
        f"select distinct source, record_key from {occurrences} where _source_file like ?",
        [f"%/{last_day}.%"]).fetchall()}
    new_events = {("web_events", row["event_id"]) for relative, row in landing_rows(
        scenario.landing, "web_events") if relative == f"web_events/{last_day}.jsonl"
        and row and row.get("event_id")}
    assert new_events and new_events & rederived
    # Every record re-derived has a row in the last drops (no erasure that day).
    assert rederived == in_last_files
    total = con.execute(f"select count(distinct (source, record_key)) from {occurrences}").fetchone()[0]
    assert len(rederived) < total / 4

    components = "incremental.identity.int_identity_components"
    restitched, nodes = con.execute(
        f"select count(*) filter (where _loaded_at = (select max(_loaded_at) from {components})), count(*) "
        f"from {components}").fetchone()
    assert 0 < restitched < nodes
    # The re-stitched nodes cover every record re-derived that day.
    missing = con.execute(
        f"select count(*) from {components} where node_type = 'record' and (source, record_key) in "
        f"(select source, record_key from {occurrences} where _loaded_at = ? and is_valid) "
        f"and _loaded_at < (select max(_loaded_at) from {components})", [last_load]).fetchone()[0]
    assert missing == 0

    # The maps and the link audit rewrite the records of the re-stitched
    # groups (and those whose links changed), not every record.
    stitched_at = con.execute(f"select max(_loaded_at) from {components}").fetchone()[0]
    restitched_records = {row for row in con.execute(
        f"select source, record_key from {components} where node_type = 'record' and _loaded_at = ?",
        [stitched_at]).fetchall()}
    for table in ("map_records_to_profiles", "fct_identity_links"):
        rewritten = {row for row in con.execute(
            f"select source, record_key from incremental.identity.{table} where _loaded_at = ?",
            [stitched_at]).fetchall()}
        stored = {row for row in con.execute(
            f"select source, record_key from incremental.identity.{table}").fetchall()}
        assert restitched_records <= rewritten, table
        assert len(rewritten) < len(stored), table


def test_both_builds_are_as_of_the_last_day(both, scenario: Scenario):
    for catalog in ("incremental", "full_refresh"):
        as_of = both.execute(f"select max(as_of_date) from {catalog}.traits.int_as_of_date").fetchone()[0]
        assert str(as_of) == scenario.days[-1]


def test_a_resent_event_keeps_its_first_copy_and_a_late_event_is_added(both, scenario: Scenario):
    event = scenario.resent_event
    rows = both.execute(
        "select page_url, _source_file from incremental.staging.stg_web__events where event_id = ?",
        [event["event_id"]],
    ).fetchall()
    assert rows == [(event["page_url"], f"web_events/{scenario.days[0]}.jsonl")]
    late = both.execute(
        "select cast(event_at as varchar), _source_file from incremental.staging.stg_web__events "
        "where event_id = ?", [LATE_EVENT_ID],
    ).fetchall()
    assert late == [(f"{scenario.days[0]} 05:00:00", f"web_events/{scenario.days[7]}.jsonl")]


def test_an_order_resent_later_takes_the_latest_updated_at(both, scenario: Scenario):
    newer, older = scenario.order_versions
    assert older["updated_at"] < newer["updated_at"]
    rows = both.execute(
        "select status, _source_file from incremental.staging.stg_ecommerce__orders where order_id = ?",
        [newer["order_id"]],
    ).fetchall()
    assert rows == [("cancelled", f"ecommerce_orders/{scenario.days[7]}.csv")]


def test_an_erasure_in_a_later_drop_removes_rows_already_staged(both, scenario: Scenario):
    assert scenario.erased_rows_before > 0
    for table, column in CUSTOMER_COLUMNS:
        left = both.execute(
            f"select count(*) from incremental.staging.{table} where {column} = ?", [scenario.erased_customer]
        ).fetchone()[0]
        assert left == 0, table


def test_an_incremental_run_reads_only_the_new_drop(both, scenario: Scenario):
    """Parse once: the last run's base_web__events opens exactly one file, the new
    day's web_events drop (of ten landed), and stg_web__events reads no file at all:
    it keeps the rows of the files admitted since its previous run from that table."""
    base = scenario.compiled_web_events["base_web__events"]
    opened = re.findall(r"read_(?:csv|json)[a-z_]*\(\[([^\]]*)\]", base)
    assert len(opened) == 1, base
    files = re.findall(r"'([^']*)'", opened[0])
    assert [Path(f).parent.name + "/" + Path(f).name for f in files] == [f"web_events/{scenario.days[-1]}.jsonl"]
    staged = scenario.compiled_web_events["stg_web__events"]
    assert "read_csv" not in staged and "read_json" not in staged, staged
    assert '"base_web__events"' in staged, staged
    listed = re.search(r"_source_file in \(([^)]*)\)", staged)
    assert listed, staged
    assert re.findall(r"'(web_events/[^']*)'", listed.group(1)) == [f"web_events/{scenario.days[-1]}.jsonl"]


# -------------------------------------------------------------------- traits

@pytest.fixture(scope="module")
def day9(scenario: Scenario):
    connection = duckdb.connect(str(scenario.day9_db), read_only=True)
    connection.execute(f"attach '{scenario.day9_full_db}' as full_refresh (read_only)")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def final(scenario: Scenario):
    connection = duckdb.connect(str(scenario.db), read_only=True)
    yield connection
    connection.close()


def test_traits_an_incremental_day_recomputes_a_small_share_covering_the_new_records(day9, scenario: Scenario):
    reasons = dict(day9.execute(
        "select refresh_reason, count(*) from traits.int_traits_to_refresh group by 1").fetchall())
    assert not {"full_build", "as_of_requested", "as_of_moved_back"} & set(reasons), reasons
    refreshed = {row[0] for row in day9.execute(
        "select profile_id from traits.int_traits_to_refresh").fetchall()}
    total = day9.execute("select count(*) from traits.int_profiles_as_of").fetchone()[0]

    new_records = first_delivered_records(scenario.landing, scenario.days[8])
    assert len(new_records) > 100
    touched = _profiles_of(day9, new_records)
    assert len(touched) > 20
    assert touched - refreshed == set()
    # One day of nine: well under half of the profiles is recomputed.
    assert len(refreshed) < 0.5 * total, (len(refreshed), total, reasons)


def test_an_event_leaving_the_7_day_window_updates_a_profile_without_new_data(day9, scenario: Scenario):
    """Profiles with no record in day 9's drops whose 7-day counts moved
    (an event of day 2 left the window): the incremental counts are the
    full refresh's."""
    quiet = set(scenario.counts_before) - _profiles_of(day9, _records_in_drops(scenario.landing, scenario.days[8]))
    quiet.discard(scenario.late_order_profile)
    after = _counts_7d(day9)
    quiet &= set(after)
    full = {row[0]: tuple(row[1:]) for row in day9.execute(
        f"select profile_id, {', '.join(COUNTS_7D)} from full_refresh.traits.dim_profile_traits").fetchall()}
    moved = {profile for profile in quiet if full[profile] != scenario.counts_before[profile]}
    assert len(moved) >= 5
    # Only a window edge moves them: the counts can only drop.
    assert all(sum(full[p]) < sum(scenario.counts_before[p]) for p in moved)
    assert {profile: after[profile] for profile in moved} == {profile: full[profile] for profile in moved}


def test_a_late_order_change_without_new_records_is_applied(day9, scenario: Scenario):
    """The order re-sent on day 9 with a cancellation dated day 7 (before the
    previous as-of day, no record of its profile in the other drops): only
    the since-previous-build rule finds it."""
    row = day9.execute("select count_cancelled_orders from traits.dim_profile_traits where profile_id = ?",
                       [scenario.late_order_profile]).fetchone()
    assert row == (scenario.cancelled_before + 1,)


def test_a_ticket_resolved_on_the_new_day_counts_as_resolved_without_new_data(day9, scenario: Scenario):
    """The ticket resolved on day 9 was delivered on day 1: as of day 8 both
    test tickets are open, as of day 9 one is resolved with CSAT 4. Its
    profile has no record in day 9's drops: only the window-edge rule (a
    resolution taking effect) recomputes it."""
    profile = day9.execute("select profile_id from identity.map_records_to_profiles where record_key = ?",
                           [RESOLVED_TICKET]).fetchone()[0]
    assert profile not in _profiles_of(day9, _records_in_drops(scenario.landing, scenario.days[8]))
    assert scenario.tickets_before == (2, 2, None)
    assert _ticket_figures(day9) == (2, 1, 4.0)


def _compare(con: duckdb.DuckDBPyConnection, left: str, right: str) -> dict[str, list[int]]:
    differences = {}
    for table in (*STATE_TABLES, *PUBLIC_TABLES):
        columns = [row[0] for row in con.execute(
            "select column_name from information_schema.columns where table_catalog = ? "
            "and table_schema = 'traits' and table_name = ? order by ordinal_position", [left, table]
        ).fetchall() if row[0] not in LINEAGE_COLUMNS]
        assert columns, table
        select = ", ".join(columns)
        counts = [con.execute(
            f"select count(*) from (select {select} from {a}.traits.{table} "
            f"except all select {select} from {b}.traits.{table})").fetchone()[0]
            for a, b in ((left, right), (right, left))]
        assert con.execute(f"select count(*) from {right}.traits.{table}").fetchone()[0] > 0, table
        if any(counts):
            differences[table] = counts
    return differences


def test_the_incremental_traits_equal_a_full_refresh(scenario: Scenario):
    with duckdb.connect() as con:
        for incremental, full in ((scenario.day9_db, scenario.day9_full_db), (scenario.db, scenario.layers_full_db)):
            con.execute(f"attach '{incremental}' as incremental (read_only)")
            con.execute(f"attach '{full}' as full_refresh (read_only)")
            assert _compare(con, "incremental", "full_refresh") == {}, incremental.name
            con.execute("detach incremental")
            con.execute("detach full_refresh")


def test_a_merge_and_an_erasure_on_a_later_day_leave_no_stale_state_row(final, scenario: Scenario):
    mapped = {row[0] for row in final.execute(
        "select distinct profile_id from identity.map_records_to_profiles").fetchall()}
    spine = {row[0] for row in final.execute("select profile_id from traits.int_profiles_as_of").fetchall()}
    assert spine == mapped
    for table in STATE_TABLES:
        stale = final.execute(
            f"select count(*) from traits.{table} as state left join "
            "(select distinct profile_id from identity.map_records_to_profiles) as map "
            "using (profile_id) where map.profile_id is null").fetchone()[0]
        assert stale == 0, table
    # The merge happened: one of A and B is gone, and its rows with it.
    survivor = final.execute("select profile_id from identity.map_records_to_profiles where record_key = ?",
                             [MERGE_EVENT_ID]).fetchone()[0]
    assert survivor in scenario.merged
    gone = next(profile for profile in scenario.merged if profile != survivor)
    assert gone not in mapped and scenario.erased_profile not in mapped
    assert final.execute("select refresh_reason from traits.int_traits_to_refresh where profile_id = ?",
                         [gone]).fetchone() == ("profile_gone",)
    for table in (*STATE_TABLES, "dim_profile_traits"):
        for profile in (gone, scenario.erased_profile):
            assert final.execute(f"select count(*) from traits.{table} where profile_id = ?",
                                 [profile]).fetchone()[0] == 0, (table, profile)


# ------------------------------------------------------------------ profiles

def test_profiles_an_incremental_day_recomputes_a_small_share_covering_the_new_records(final, scenario: Scenario):
    reasons = dict(final.execute(
        "select refresh_reason, count(*) from profiles.int_profiles_to_refresh group by 1"
    ).fetchall())
    assert "full_build" not in reasons, reasons
    refreshed = {row[0] for row in final.execute(
        "select profile_id from profiles.int_profiles_to_refresh").fetchall()}
    total = final.execute("select count(*) from profiles.dim_profiles").fetchone()[0]

    new_records = first_delivered_records(scenario.landing, scenario.last_day)
    assert len(new_records) > 100
    final.execute("create temp table new_records (source varchar, record_key varchar)")
    final.executemany("insert into new_records values (?, ?)", sorted(new_records))
    touched = {row[0] for row in final.execute(
        "select distinct map.profile_id from identity.map_records_to_profiles as map "
        "inner join new_records using (source, record_key)").fetchall()}
    assert len(touched) > 20
    assert touched - refreshed == set()
    # One day of ten: well under half of the profiles is recomputed.
    assert len(refreshed) < 0.5 * total, (len(refreshed), total, reasons)


def test_profiles_tables_hold_exactly_the_current_profiles(final):
    mapped = dict(final.execute(
        "select profile_id, count(*) from identity.map_records_to_profiles group by 1").fetchall())
    dim = dict(final.execute("select profile_id, count_records from profiles.dim_profiles").fetchall())
    assert dim == mapped
    for table in PROFILE_TABLES:
        stale = final.execute(
            f"select count(*) from profiles.{table} where profile_id not in "
            "(select profile_id from identity.map_records_to_profiles)").fetchone()[0]
        assert stale == 0, table


def test_a_merge_on_a_later_day_leaves_one_profile_with_all_records(final, scenario: Scenario):
    survivor = final.execute(
        "select profile_id from identity.map_records_to_profiles where record_key = ?",
        [MERGE_EVENT_ID]).fetchone()[0]
    assert survivor in scenario.merged
    gone = next(profile for profile in scenario.merged if profile != survivor)
    for table in PROFILE_TABLES:
        assert final.execute(f"select count(*) from profiles.{table} where profile_id = ?",
                           [gone]).fetchone()[0] == 0, table
    records = final.execute("select count_records from profiles.dim_profiles where profile_id = ?",
                          [survivor]).fetchone()[0]
    # Records of A and B before the day, plus the joining event, plus any
    # other day-8 record of either (taken from the record map).
    assert records >= scenario.merged_records
    assert final.execute("select refresh_reason from profiles.int_profiles_to_refresh where profile_id = ?",
                       [gone]).fetchone() == ("profile_gone",)


def test_adding_a_day_changes_only_logged_profiles(scenario: Scenario):
    """Day 10 added to the warehouse of days 1-9: every record whose profile id
    changed is in the rows the merge/split log gained that day (and the log names
    no change no record shows), the planted merge of A and B among them; the ids
    of everything else stay."""
    records = "select record_id, profile_id from identity.map_records_to_profiles"
    changes = "select old_profile_id, new_profile_id, changed_at from identity.fct_profile_id_changes"
    with duckdb.connect(str(scenario.day9_db), read_only=True) as con:
        before, logged_before = dict(con.execute(records).fetchall()), set(con.execute(changes).fetchall())
    with duckdb.connect(str(scenario.db), read_only=True) as con:
        after, logged_after = dict(con.execute(records).fetchall()), set(con.execute(changes).fetchall())
    logged = {(old, new) for old, new, _ in logged_after - logged_before}
    kept = before.keys() & after.keys()
    moved = {(before[record], after[record]) for record in kept if before[record] != after[record]}
    assert len(after) > len(before) > 1000, (len(before), len(after))
    assert moved <= logged, f"unlogged id changes: {sorted(moved - logged)[:5]}"
    assert logged <= moved, f"logged changes no record shows: {sorted(logged - moved)[:5]}"
    # The merge of A and B: the records of one moved to the other's id.
    assert any(set(pair) == set(scenario.merged) for pair in moved), (moved, scenario.merged)
    # One day of data touches few people: ids of all but a sliver of records stay.
    assert sum(1 for record in kept if before[record] != after[record]) <= 0.01 * len(kept)


def test_an_erasure_on_a_later_day_leaves_no_profile_row(day9, final, scenario: Scenario):
    """On the build of the erasure's day (day 9), and still after the next day's."""
    for con in (day9, final):
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
        both.execute(f"attach '{scenario.layers_full_db}' as full_refresh (read_only)")
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


def test_a_consent_recorded_on_a_later_day_updates_a_profile_seen_in_no_other_drop(final, scenario: Scenario):
    assert final.execute("select refresh_reason from profiles.int_profiles_to_refresh where profile_id = ?",
                       [scenario.consenting_profile]).fetchone() == ("consent_recorded",)
    row = final.execute(
        "select consent_analytics, cast(consent_analytics_at as varchar) from profiles.dim_profiles "
        "where profile_id = ?", [scenario.consenting_profile]).fetchone()
    assert row == ("withdrawn", scenario.consent_recorded_at)
