"""Incremental traits (docs/layers.md, "Incremental traits").

A small demo (300 persons, 10 daily drops): the first eight days are built
at once (a first build recomputes every profile), then the ninth and tenth
days land one by one, each built incrementally. After each incremental
build a copy of the warehouse gets its traits layer rebuilt with
--full-refresh; the traits tables must match it row for row. Two tickets are added to
day 1 for a quiet customer, one resolved on day 9. Day 9 carries one edit: an order of a "quiet" profile (no record in day 9's drops, no
event on the day leaving the 7-day window) re-sent with a later status
change dated before the previous as-of day, so only the since-previous-build
rule (its staged row is new) can bring that profile into the recomputed
ones. Day 10 carries a web event joining a cookie-only profile B to a
customer's profile A (a merge) and an erasure request for the customer id
of a third profile C.
Checked against computations that do not use the traits layer:
  - (a) the profiles recomputed on day 9 (int_traits_to_refresh, the layer's
    run log) are well under all profiles and include every profile holding
    a record first delivered on day 9 (from the landing drops, mapped
    through map_records_to_profiles);
  - (b) profiles with no record in day 9's drops whose 7-day counts dropped
    because an event left the window get the full refresh's counts;
  - the re-sent order's profile counts one more cancelled order, and the
    ticket resolved on day 9 counts as resolved (both profiles quiet);
  - (c) after the merge and the erasure no state table holds a row of a
    profile that no longer exists, and the spine holds exactly the profiles
    of map_records_to_profiles.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import (
    RECORD_KEYS, day_values, first_delivered_records, generate_days, land_day, landing_rows,
    pick_profiles, run_dbt,
)

PERSONS = 300
DAYS = 10
MERGE_EVENT_ID = "we_traits_test_merge"
ERASURE_REQUEST_ID = "ER_TRAITS_TEST"
# Two tickets added to day 1 for a customer seen in no later drop of day 9:
# one resolved on day 9 with CSAT 4 (open as of day 8, resolved as of day 9:
# its resolution crosses the end of the as-of day), one never resolved.
RESOLVED_TICKET, OPEN_TICKET = "TK_TRAITS_TEST_RESOLVED", "TK_TRAITS_TEST_OPEN"
BUILD = ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
# The per-profile state tables (rows of a profile that no longer exists
# would be stale), and the public trait tables.
STATE_TABLES = ("int_profiles_as_of", "int_purchase_state", "int_engagement_state", "int_service_state",
                "int_profile_product_state")
PUBLIC_TABLES = ("trait_purchase", "trait_engagement", "trait_service", "trait_behaviour",
                 "dim_profile_traits")
# Build lineage: when a state row was computed, and as of which day (a
# profile not recomputed keeps an earlier day by design).
LINEAGE_COLUMNS = {"_loaded_at", "computed_as_of_date"}
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
    day9_db: Path          # the incremental warehouse right after day 9's build
    day9_full_db: Path     # a copy of it, traits rebuilt with --full-refresh
    db: Path               # the incremental warehouse after day 10
    full_db: Path          # a copy of it, traits rebuilt with --full-refresh
    landing: Path
    days: list[str]
    counts_before: dict[str, tuple]   # profile -> 7-day counts as of day 8
    cancelled_before: int             # cancelled orders of the late order's profile as of day 8
    tickets_before: tuple             # (tickets_total, open_tickets, avg_csat) of the ticket profile, day 8
    late_order_profile: str
    merged: tuple[str, str]
    erased_profile: str


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


def _resend_late_order(generated: Path, db: Path, days: list[str]) -> tuple[str, str, int]:
    """Append to day 9's order drop a cancellation, dated on day 7, of an
    order of a quiet profile: one with no record in day 9's drops and no
    record time on day 2 (the day leaving the 7-day window on day 9) or
    on day 9 or later. Returns the order id, its profile and its cancelled orders
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
    order_id, profile_id, cancelled = next(row for row in candidates if row[1] not in busy)

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


def _full_refresh_copy(db: Path, landing: Path, name: str) -> Path:
    copy = db.parent / f"{name}.duckdb"
    shutil.copy(db, copy)
    run_dbt("run", "--select", "tag:traits", "--full-refresh", landing=landing, db=copy,
            target=db.parent / f"target_{name}")
    return copy


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("incremental_traits")
    generated, days = generate_days(root, PERSONS, DAYS)
    landing, db, target = root / "landing", root / "incremental.duckdb", root / "target"

    _add_tickets(generated, days)
    for day in days[:8]:
        land_day(generated, landing, day)
    run_dbt(*BUILD, landing=landing, db=db, target=target)
    with duckdb.connect(str(db), read_only=True) as con:
        counts_before = _counts_7d(con)
        tickets_before = _ticket_figures(con)
    _, late_profile, cancelled_before = _resend_late_order(generated, db, days)

    # Day 9: an incremental day.
    land_day(generated, landing, days[8])
    run_dbt(*BUILD, landing=landing, db=db, target=target)
    day9_db = root / "day9.duckdb"
    shutil.copy(db, day9_db)
    day9_full_db = _full_refresh_copy(db, landing, "day9_full")

    # Day 10: a merge of A and B, an erasure of C.
    last = days[9]
    picked = pick_profiles(db, day_values(generated, last))
    web_drop = generated / "web_events" / f"{last}.jsonl"
    template = next(json.loads(line) for line in web_drop.read_text(encoding="utf-8").splitlines()
                    if line.startswith("{") and '"page_view"' in line)
    event = {**template, "event_id": MERGE_EVENT_ID, "anonymous_id": picked["cookie_b"],
             "user_id": picked["customer_a"], "email": None, "phone": None,
             "event_at": f"{last}T10:00:00+07:00"}
    with open(web_drop, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event, ensure_ascii=False) + "\n")
    with open(generated / "erasure_requests" / f"{last}.csv", "a", newline="", encoding="utf-8") as handle:
        handle.write(f"{ERASURE_REQUEST_ID},customer_id,{picked['customer_c']},{last}T09:00:00+07:00\n")
    land_day(generated, landing, last)
    run_dbt(*BUILD, landing=landing, db=db, target=target)
    full_db = _full_refresh_copy(db, landing, "full")
    return Scenario(day9_db, day9_full_db, db, full_db, landing, days, counts_before, cancelled_before,
                    tickets_before, late_profile, (picked["a"], picked["b"]), picked["c"])


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


def test_an_incremental_day_recomputes_a_small_share_covering_the_new_records(day9, scenario: Scenario):
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
        for incremental, full in ((scenario.day9_db, scenario.day9_full_db), (scenario.db, scenario.full_db)):
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
