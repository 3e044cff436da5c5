"""Rows from the future (issue 13, item 2): no row dated after its drop day reaches a trait.

A web drop gets two rows of its own: one dated the next morning (UTC), within
the tolerance (var profile360__future_timestamp_tolerance_hours, 12 h after the
drop day ends), so staged as is; one dated in 2099, quarantined
(future_timestamp). Neither may move the as-of day past the newest admitted
drop, so neither reaches dim_profile_traits.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import duckdb
import pytest

from tests.python.conftest import generate_days, land_day, run_dbt

TOLERATED = "we_next_morning"
FAR = "we_in_2099"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("future_rows")
    generated, days = generate_days(root, persons=120, days=3)
    landing, db, target = root / "landing", root / "warehouse.duckdb", root / "target"
    for day in days:
        land_day(generated, landing, day)
    newest = date.fromisoformat(days[-1])
    next_morning = datetime.combine(newest + timedelta(days=1), datetime.min.time()) + timedelta(hours=6)
    with open(landing / "web_events" / f"{days[-1]}.jsonl", "a", encoding="utf-8") as handle:
        # 6 h after the drop day ends (UTC): inside the 12 h tolerance.
        handle.write(json.dumps({"event_id": TOLERATED, "event_type": "page_view", "anonymous_id": "cookie-tolerated",
                                 "session_id": "s-tolerated",
                                 "event_at": next_morning.strftime("%Y-%m-%dT%H:%M:%SZ")}) + "\n")
        handle.write(json.dumps({"event_id": FAR, "event_type": "page_view", "anonymous_id": "cookie-2099",
                                 "session_id": "s-2099", "event_at": "2099-06-01T00:00:00+07:00"}) + "\n")
    run_dbt("seed", landing=landing, db=db, target=target)
    run_dbt("run", "--select", "+dim_profile_traits", "+stg_landing__quarantined_rows",
            landing=landing, db=db, target=target)
    with duckdb.connect(str(db), read_only=True) as con:
        result = {
            "newest": newest,
            "next_morning": next_morning,
            "as_of": con.execute("select as_of_date, as_of_end_at from traits.int_as_of_date").fetchone(),
            "quarantined": con.execute(
                "select record_key, reason_code from staging.stg_landing__quarantined_rows "
                "where record_key in (?, ?)", [TOLERATED, FAR]).fetchall(),
            "staged": con.execute(
                "select event_id, event_at from staging.stg_web__events where event_id in (?, ?)",
                [TOLERATED, FAR]).fetchall(),
            "traits": con.execute(
                "select count(*), max(last_seen_at), max(last_active_at), max(as_of_date) "
                "from traits.dim_profile_traits").fetchone(),
            "tolerated_profiles": con.execute(
                "select count(*) from traits.dim_profile_traits as traits "
                "inner join identity.map_identifiers_to_profiles as identifiers "
                "on traits.profile_id = identifiers.profile_id "
                "where identifiers.identifier_value in ('cookie-tolerated', 'cookie-2099')").fetchone()[0],
        }
    return result


def test_a_row_past_the_tolerance_is_quarantined_and_one_within_is_staged(scenario):
    assert scenario["quarantined"] == [(FAR, "future_timestamp")]
    assert scenario["staged"] == [(TOLERATED, scenario["next_morning"])]


def test_the_as_of_day_is_the_newest_drop(scenario):
    as_of_date, as_of_end_at = scenario["as_of"]
    assert as_of_date == scenario["newest"]
    assert as_of_end_at == datetime.combine(scenario["newest"] + timedelta(days=1), datetime.min.time())


def test_no_row_dated_after_its_drop_day_reaches_a_trait(scenario):
    profiles, last_seen, last_active, as_of = scenario["traits"]
    end_of_newest_drop = datetime.combine(scenario["newest"] + timedelta(days=1), datetime.min.time())
    assert profiles > 0
    assert as_of == scenario["newest"]
    assert last_seen < end_of_newest_drop
    assert last_active < end_of_newest_drop
    # The cookies of the two planted rows belong to no profile seen by the as-of day.
    assert scenario["tolerated_profiles"] == 0
