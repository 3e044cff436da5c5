"""The golden record and the lifecycle on the session's demo warehouse.

Checked against independent queries over staging and identity (not against
the models' own intermediate tables):
  * one dim_profiles row per stitched profile;
  * the best e-mail follows seeds/survivorship_rules.csv: a profile with an
    unflagged CRM e-mail gets the CRM's (priority 1), the latest one when
    the CRM holds several;
  * names without diacritics are plain ASCII letters;
  * every profile seen by the as-of day is in exactly one lifecycle stage and
    tier, and the stages follow their definitions on the demo data.
"""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture(scope="module")
def con(built_warehouse):
    assert built_warehouse.build.returncode == 0, built_warehouse.build.stdout[-6000:]
    connection = duckdb.connect(str(built_warehouse.db_path), read_only=True)
    yield connection
    connection.close()


def _all(con, sql):
    return con.execute(sql).fetchall()


def test_one_golden_record_per_stitched_profile(con):
    expected = _all(con, "select count(distinct profile_id) from identity.map_records_to_profiles")
    assert _all(con, "select count(*), count(distinct profile_id) from profiles.dim_profiles") == [
        (expected[0][0], expected[0][0])]


def test_best_email_is_the_latest_crm_email_when_there_is_one(con):
    expected = dict(_all(con, """
        select profile_id, arg_min(identifier_value, sort_key)
        from (
            select r.profile_id, o.identifier_value,
                   (-epoch(max(o.seen_at)), o.identifier_value) as sort_key
            from identity.int_identifier_occurrences as o
            inner join identity.map_records_to_profiles as r
                on o.source = r.source and o.record_key = r.record_key
            inner join identity.map_identifiers_to_profiles as i
                on o.identifier_id = i.identifier_id and not i.is_flagged
            where o.source = 'crm_contacts' and o.identifier_type = 'email'
            group by r.profile_id, o.identifier_value
        )
        group by profile_id
    """))
    actual = dict(_all(con, """
        select profile_id, email from profiles.dim_profiles where email_source = 'crm_contacts'
    """))
    assert len(expected) > 100
    assert actual == expected


def test_names_without_diacritics_are_plain_ascii(con):
    rows = _all(con, "select full_name, full_name_ascii from profiles.dim_profiles where full_name is not null")
    assert any(name != ascii_name for name, ascii_name in rows), "demo names carry diacritics"
    assert all(ascii_name.isascii() for _, ascii_name in rows)


def test_every_profile_has_exactly_one_stage_and_tier(con):
    profiles = _all(con, "select count(*) from traits.dim_profile_traits")[0][0]
    staged = _all(con, """
        select count(distinct profile_id), count(*),
               count(*) filter (where lifecycle_stage in ('visitor', 'lead', 'customer', 'loyal', 'advocate')
                                  and lifecycle_tier in ('high', 'mid', 'low'))
        from segments.int_lifecycle_stages
    """)[0]
    assert staged == (profiles, profiles, profiles)
    # The definitions, re-checked on the data: buyers are customers or better,
    # non-buyers are leads when known and visitors when not.
    wrong = _all(con, """
        select count(*)
        from segments.int_lifecycle_stages as s
        inner join traits.dim_profile_traits as t on s.profile_id = t.profile_id
        where (t.lifetime_purchases = 0 and t.is_known and s.lifecycle_stage != 'lead')
           or (t.lifetime_purchases = 0 and not t.is_known and s.lifecycle_stage != 'visitor')
           or (t.lifetime_purchases > 0 and s.lifecycle_stage not in ('customer', 'loyal', 'advocate'))
           or (s.lifecycle_stage in ('loyal', 'advocate')
               and not (t.lifetime_purchases >= 3 and t.recency_days < 90))
    """)
    assert wrong == [(0,)]
    assert {row[0] for row in _all(con, "select distinct lifecycle_stage from segments.int_lifecycle_stages")} >= {
        "visitor", "lead", "customer", "loyal"}
