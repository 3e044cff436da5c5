"""Journeys marts on the session's demo warehouse, against re-derivations in
plain Python that read only staging, the identity map and the landing files.

  - fct_customer_touchpoints holds, per source, exactly the records that
    map_records_to_profiles stitches into a profile and that have a time, with
    their profile; its timeline order (touchpoint_seq, previous touchpoint,
    days since) is the Python sort by (time, source, record key); its revenue
    is net of cancelled / returned orders and of store returns.
  - rpt_channel_performance: spend per channel equals the landing drops
    (latest file wins per day, channel and campaign); every row (reach,
    engagement, attributed orders and revenue, ROI) equals a Python last-touch
    attribution walking each profile's timeline.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.lib.project import PROJECT_DIR

# Per source: staging model, record key, the time a touchpoint happens. The
# test's own statement of the spec in fct_*_touchpoints' descriptions.
TOUCHPOINT_SOURCES = {
    "web_events": ("stg_web__events", "event_id", "event_at"),
    "app_events": ("stg_app__events", "event_id", "event_at"),
    "email_events": ("stg_email__events", "event_id", "event_at"),
    "zalo_events": ("stg_zalo__events", "event_id", "event_at"),
    "ecommerce_orders": ("stg_ecommerce__orders", "order_id", "ordered_at"),
    "pos_transactions": ("stg_pos__transactions", "transaction_id", "transacted_at"),
    "support_tickets": ("stg_support__tickets", "ticket_id", "opened_at"),
    "loyalty_members": ("stg_loyalty__members", "loyalty_id", "joined_at"),
    "crm_contacts": ("stg_crm__contacts", "contact_id", "created_at"),
}
ENGAGEMENT_TYPES = {("web", None), ("app", "push_open"), ("email", "open"), ("email", "click")}
SECONDS_PER_DAY = 86400


@pytest.fixture(scope="module")
def con(built_warehouse):
    assert built_warehouse.build.returncode == 0, (
        built_warehouse.build.stdout[-6000:] + built_warehouse.build.stderr[-3000:])
    connection = duckdb.connect(str(built_warehouse.db_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def window_days() -> int:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return int(project["vars"]["profile360__attribution_window_days"])


@pytest.fixture(scope="module")
def expected_touchpoints(con) -> dict[tuple[str, str], dict]:
    """(source, record_key) -> profile, time and the source facts the marts use,
    for every profiled staged record with a time; built without the marts."""
    profiles = {(source, key): profile for source, key, profile in con.execute(
        "select source, record_key, profile_id from identity.map_records_to_profiles").fetchall()}
    touchpoints: dict[tuple[str, str], dict] = {}
    for source, (model, key, time_column) in TOUCHPOINT_SOURCES.items():
        extra = {
            "web_events": "'web' as channel, event_type, utm_campaign as campaign, null, null, null",
            "app_events": "'app', event_type, null, properties, null, null",
            "email_events": "'email', event_type, campaign_id, null, null, null",
            "zalo_events": "'zalo', event_type, null, null, null, null",
            "ecommerce_orders": "'ecommerce', status, null, null, total_amount, null",
            "pos_transactions": "'store', null, null, null, total_amount, is_return",
            "support_tickets": "'support', null, null, null, null, null",
            "loyalty_members": "'loyalty', null, null, null, null, null",
            "crm_contacts": "'crm', null, null, null, null, null",
        }[source]
        rows = con.execute(f"select cast({key} as varchar), {time_column}, {extra} "
                           f"from staging.{model}").fetchall()
        for record_key, occurred_at, channel, event_type, campaign, properties, amount, is_return in rows:
            profile = profiles.get((source, record_key))
            if profile is None or occurred_at is None:
                continue
            if channel == "app" and event_type == "push_open":
                campaign = json.loads(properties).get("campaign_id")
            revenue = None
            if source == "ecommerce_orders":
                revenue = Decimal(0) if event_type in ("cancelled", "returned") else amount
            elif source == "pos_transactions":
                revenue = -amount if is_return else amount
            touchpoints[(source, record_key)] = {
                "profile_id": profile, "occurred_at": occurred_at, "channel": channel,
                "event_type": event_type, "campaign_id": campaign, "revenue": revenue,
                "is_conversion": (source == "ecommerce_orders" and event_type not in ("cancelled", "returned"))
                or (source == "pos_transactions" and not is_return),
            }
    assert touchpoints, "no profiled record with a time: the demo warehouse is empty"
    return touchpoints


@pytest.fixture(scope="module")
def actual_touchpoints(con) -> dict[tuple[str, str], tuple]:
    rows = con.execute(
        "select source, record_key, profile_id, touchpoint_seq, occurred_at, previous_touchpoint_at, "
        "days_since_previous_touchpoint, channel, campaign_id, revenue, is_conversion "
        "from marts.fct_customer_touchpoints").fetchall()
    return {(row[0], row[1]): row[2:] for row in rows}


def _timelines(touchpoints: dict[tuple[str, str], dict]) -> dict[str, list[tuple[str, str]]]:
    """Profile -> its touchpoint keys sorted by time, then source, then record key."""
    by_profile: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, touchpoint in touchpoints.items():
        by_profile[touchpoint["profile_id"]].append(key)
    for keys in by_profile.values():
        keys.sort(key=lambda k: (touchpoints[k]["occurred_at"], k[0], k[1]))
    return by_profile


def test_touchpoints_per_source_are_the_profiled_records_with_a_time(con, expected_touchpoints,
                                                                    actual_touchpoints):
    expected = Counter(source for source, _ in expected_touchpoints)
    actual = Counter(source for source, _ in actual_touchpoints)
    assert actual == expected
    assert set(expected) == set(TOUCHPOINT_SOURCES), "every source should give touchpoints on the demo"
    mapped = Counter(dict(con.execute(
        "select source, count(*) from identity.map_records_to_profiles group by source").fetchall()))
    assert all(actual[source] <= mapped[source] for source in actual)
    wrong_profile = [key for key, row in actual_touchpoints.items()
                     if key not in expected_touchpoints or row[0] != expected_touchpoints[key]["profile_id"]]
    assert wrong_profile == []


def test_touchpoint_ids_are_the_identity_record_ids(con):
    mismatched = con.execute("""
        select count(*) from marts.fct_customer_touchpoints as touchpoints
        left join identity.map_records_to_profiles as records
            on touchpoints.touchpoint_id = records.record_id
        where records.record_id is null or records.source <> touchpoints.source
            or records.record_key <> touchpoints.record_key
    """).fetchone()[0]
    assert mismatched == 0


def test_timeline_order_is_time_then_source_then_record_key(expected_touchpoints, actual_touchpoints):
    timelines = _timelines(expected_touchpoints)
    ties = 0
    problems = []
    for keys in timelines.values():
        previous = None
        for seq, key in enumerate(keys, start=1):
            _, actual_seq, occurred_at, previous_at, days_since, *_ = actual_touchpoints[key]
            expected_days = None if previous is None else (occurred_at - previous).total_seconds() / SECONDS_PER_DAY
            if (actual_seq, previous_at) != (seq, previous) or not _close(days_since, expected_days):
                problems.append((key, (actual_seq, previous_at, days_since), (seq, previous, expected_days)))
            ties += previous == occurred_at
            previous = occurred_at
    assert problems[:5] == []
    assert ties > 0, "the demo should hold touchpoints at the same second, to exercise the tiebreak"


def test_revenue_is_net_of_cancellations_and_returns(expected_touchpoints, actual_touchpoints):
    expected = defaultdict(Decimal)
    conversions = Counter()
    for (source, _), touchpoint in expected_touchpoints.items():
        if touchpoint["revenue"] is not None:
            expected[source] += touchpoint["revenue"]
        conversions[source] += touchpoint["is_conversion"]
    actual = defaultdict(Decimal)
    actual_conversions = Counter()
    for (source, _), row in actual_touchpoints.items():
        if row[7] is not None:
            actual[source] += row[7]
        actual_conversions[source] += row[8]
    assert dict(actual) == dict(expected)
    assert set(expected) == {"ecommerce_orders", "pos_transactions"}
    assert actual_conversions == conversions
    negative_store = sum(1 for (source, _), row in actual_touchpoints.items()
                         if source == "pos_transactions" and row[7] < 0)
    zero_orders = sum(1 for (source, _), row in actual_touchpoints.items()
                      if source == "ecommerce_orders" and row[7] == 0)
    assert negative_store > 0 and zero_orders > 0, "the demo should hold returns and cancellations"


def _close(actual: Decimal | None, expected: float | Decimal | None) -> bool:
    """Equal, or both within the 6 decimals the marts round to."""
    if actual is None or expected is None:
        return actual is None and expected is None
    return abs(float(actual) - float(expected)) <= 1e-6


def _landing_spend(landing_dir: Path, broken: set[tuple[str, str]]) -> dict[str, Decimal]:
    """Spend per channel from the marketing_spend drops: for each day, channel
    and campaign the row of the latest file (drops sorted by name = by day),
    rows the generator broke on purpose left out."""
    latest: dict[tuple[str, str, str], Decimal] = {}
    for path in sorted((landing_dir / "marketing_spend").iterdir()):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                relative = f"marketing_spend/{path.name}"
                key = (row["spend_date"].strip(), row["channel"].strip().lower(), row["campaign_id"].strip())
                if (relative, "+".join(key)) in broken:
                    continue
                latest[key] = Decimal(row["spend_amount"].strip())
    per_channel: dict[str, Decimal] = defaultdict(Decimal)
    for (_, channel, _), amount in latest.items():
        per_channel[channel] += amount
    return dict(per_channel)


def test_spend_per_channel_equals_the_landing_drops(built_warehouse, con):
    broken = {(row["file"], row["record_key"]) for row in built_warehouse.broken_rows()
              if row["source"] == "marketing_spend"}
    expected = _landing_spend(built_warehouse.landing_dir, broken)
    actual = dict(con.execute(
        "select channel, sum(spend) from marts.rpt_channel_performance "
        "where channel <> 'unknown' group by channel").fetchall())
    assert actual == expected
    assert len(expected) >= 2 and sum(expected.values()) > 0


def _attribution(touchpoints: dict[tuple[str, str], dict], window: timedelta) -> dict[str, dict]:
    """Campaign -> reach, engagement and last-touch credit, walking each timeline:
    a conversion goes to the latest engagement before it if within the window."""
    reached, engaged, converting = defaultdict(set), defaultdict(set), defaultdict(set)
    orders, revenue = Counter(), defaultdict(Decimal)
    for profile, keys in _timelines(touchpoints).items():
        last_engagement = None
        for key in keys:
            touchpoint = touchpoints[key]
            campaign = touchpoint["campaign_id"]
            if campaign is not None:
                reached[campaign].add(profile)
                kind = (touchpoint["channel"], None if touchpoint["channel"] == "web" else touchpoint["event_type"])
                if kind in ENGAGEMENT_TYPES:
                    engaged[campaign].add(profile)
                    last_engagement = (campaign, touchpoint["occurred_at"])
            if touchpoint["is_conversion"] and last_engagement is not None \
                    and touchpoint["occurred_at"] - last_engagement[1] <= window:
                converting[last_engagement[0]].add(profile)
                orders[last_engagement[0]] += 1
                revenue[last_engagement[0]] += touchpoint["revenue"]
    return {campaign: {"reached": len(reached[campaign]), "engaged": len(engaged[campaign]),
                       "converting": len(converting[campaign]), "orders": orders[campaign],
                       "revenue": revenue[campaign]} for campaign in reached}


def test_channel_performance_equals_a_python_last_touch_attribution(con, expected_touchpoints, window_days):
    attribution = _attribution(expected_touchpoints, timedelta(days=window_days))
    spend: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for channel, campaign, amount in con.execute(
            "select channel, campaign_id, spend_amount from staging.stg_marketing__spend").fetchall():
        spend[(channel, campaign)] += amount
    spent_campaigns = {campaign for _, campaign in spend}
    for campaign in attribution:
        if campaign not in spent_campaigns:
            spend[("unknown", campaign)] += 0
    none = {"reached": 0, "engaged": 0, "converting": 0, "orders": 0, "revenue": Decimal(0)}
    expected = {}
    for (channel, campaign), amount in spend.items():
        numbers = attribution.get(campaign, none)
        roi = None if amount <= 0 else (numbers["revenue"] - amount) / amount
        expected[(channel, campaign)] = (amount, numbers["reached"], numbers["engaged"], numbers["converting"],
                                         numbers["orders"], numbers["revenue"], roi)
    actual = {(row[0], row[1]): tuple(row[2:]) for row in con.execute(
        "select channel, campaign_id, spend, reached_profiles, engaged_profiles, converting_profiles, "
        "attributed_orders, attributed_revenue, roi from marts.rpt_channel_performance").fetchall()}
    assert set(actual) == set(expected)
    different = {key: (actual[key], expected[key]) for key in expected
                 if actual[key][:-1] != expected[key][:-1] or not _close(actual[key][-1], expected[key][-1])}
    assert different == {}
    # Not vacuous: the demo's campaigns reach people and are credited orders.
    assert sum(row[4] for row in expected.values()) > 0
    assert sum(row[1] for row in expected.values()) > sum(row[2] for row in expected.values()) > 0
