"""Identity stitching, checked on the session's demo warehouse and on
hand-made graphs.

On the demo data (built once per session by conftest.built_warehouse):
pairwise precision and recall against the generator's truth
(`_truth/person_map.csv`), no profile holding two customer ids, no flagged
identifier linking records, the injected junk / kiosk / shared-cookie
identifiers all flagged or invalid, and profile ids stable across a rebuild
(adding a day: test_incremental.py).

Through the real stitching models (benchmarks/identity_scenarios.py): copies
of the session warehouse get hand-made int_identity_links and are
re-stitched: one path of 10,000 identifiers, and two build days of the
merge/split log. The chain, family, kiosk and limit scenarios are dbt unit
tests (models/identity/_identity__unit_tests.yml).
The session warehouse itself is only ever opened read-only.
"""

from __future__ import annotations

import math
import shutil
import time

import duckdb
import pytest

from benchmarks.identity_accuracy import accuracy, evidence_ceiling
from benchmarks.identity_scenarios import (
    LIFT_LIMITS,
    chain_checks,
    chain_links,
    history_checks,
    history_links,
    read_changes,
    read_outcome,
    restitch,
)

PRECISION_FLOOR = 0.995
# Recall against the whole truth file (the target is 0.98 on the
# default 2,000-person demo) is bounded by the data: a cookie never seen beside
# anything else, or an e-mail shared by a family, carries no evidence any
# deterministic rule could use. The evidence ceiling (benchmarks/
# identity_accuracy.py) is the recall of linking every pair joined through
# identifiers owned by one true person; the resolver must reach nearly all of
# it, and an absolute floor guards the demo data itself (a shorter period gives
# fewer chances to identify, so the 60-day test demo sits lower).
RECALL_FLOOR = 0.92  # 0.939 on the 1,000-person / 60-day test demo; 0.974 on the default demo
RECALL_OF_CEILING_FLOOR = 0.99
LONG_CHAIN_IDENTIFIERS = 10_000
# Injected shared identifiers that must never link: each must be invalid or flagged.
MUST_NOT_LINK_CASES = ("junk", "kiosk_device", "shared_cookie")


@pytest.fixture(scope="module")
def warehouse(built_warehouse):
    assert built_warehouse.build.returncode == 0, (
        built_warehouse.build.stdout[-6000:] + built_warehouse.build.stderr[-3000:])
    return built_warehouse


@pytest.fixture(scope="module")
def con(warehouse):
    connection = duckdb.connect(str(warehouse.db_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def truth_dir(warehouse):
    return warehouse.landing_dir / "_truth"


@pytest.fixture(scope="module")
def measured(con, truth_dir):
    return accuracy(con, truth_dir / "person_map.csv")


def _copy_warehouse(source, target_dir):
    """Copy the DuckDB file (and its WAL, if any) into target_dir."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    shutil.copy(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


# --- demo data ---------------------------------------------------------------------------------

def test_pairwise_precision(measured, record_property):
    record_property("precision", round(measured.precision, 4))
    print(measured.report())
    # Not vacuous: most truth records are stitched, and some pairs are predicted.
    assert measured.records > 1000 and measured.predicted_pairs > 0, measured
    assert measured.precision >= PRECISION_FLOOR, measured.report()


def test_pairwise_recall_regression_floor(measured, record_property):
    record_property("recall", round(measured.recall, 4))
    assert measured.true_pairs > 0, measured
    assert measured.recall >= RECALL_FLOOR, measured.report()


def test_recall_reaches_the_evidence_ceiling(con, truth_dir, measured, record_property):
    ceiling = evidence_ceiling(con, truth_dir / "person_map.csv")
    record_property("evidence_ceiling", round(ceiling, 4))
    assert 0 < ceiling <= 1
    assert measured.recall >= RECALL_OF_CEILING_FLOOR * ceiling, (
        f"recall {measured.recall:.4f} < {RECALL_OF_CEILING_FLOOR} x ceiling {ceiling:.4f}")


def test_no_profile_holds_two_customer_ids(con):
    profiles_with_customer_ids, worst = con.execute("""
        with customer_ids as (
            select m.profile_id, count(distinct o.identifier_value) as customer_ids
            from identity.map_records_to_profiles as m
            inner join identity.int_identifier_occurrences as o
                on m.source = o.source and m.record_key = o.record_key
            where o.identifier_type = 'customer_id' and o.is_valid
            group by m.profile_id
        )
        select count(*), max(customer_ids) from customer_ids
    """).fetchone()
    assert profiles_with_customer_ids > 100
    offenders = con.execute("""
        select m.profile_id, list(distinct o.identifier_value order by o.identifier_value)
        from identity.map_records_to_profiles as m
        inner join identity.int_identifier_occurrences as o
            on m.source = o.source and m.record_key = o.record_key
        where o.identifier_type = 'customer_id' and o.is_valid
        group by m.profile_id
        having count(distinct o.identifier_value) > 1
        limit 10
    """).fetchall()
    assert worst == 1 and not offenders, offenders


def test_no_flagged_identifier_is_an_active_link(con):
    flagged_links, active = con.execute("""
        select count(*), count(*) filter (where l.is_link)
        from identity.int_identity_links as l
        inner join identity.int_identifiers_flagged as f on l.identifier_id = f.identifier_id
        where f.is_flagged
    """).fetchone()
    assert flagged_links > 0, "the demo injects shared identifiers: some links must be flagged"
    assert active == 0, f"{active} links of flagged identifiers are active"


def _shared_identifier_status(con, truth_dir):
    """Per injected shared identifier: its case, how often it occurs, whether any
    occurrence is valid, and whether every valid occurrence's normalised value is
    flagged / whether any of its links is active."""
    return con.execute(f"""
        with shared as (
            select "case" as shared_case, identifier_type, raw_value
            from read_csv('{truth_dir / "shared_identifiers.csv"}', all_varchar = true)
        ),
        occurrences as (
            select s.shared_case, s.identifier_type, s.raw_value, o.identifier_value, o.is_valid
            from shared as s
            left join identity.int_identifier_occurrences as o
                on o.identifier_type = s.identifier_type
                and lower(trim(o.raw_value)) = lower(trim(s.raw_value))
        ),
        normalised as (
            select distinct shared_case, identifier_type, raw_value, identifier_value
            from occurrences
            where is_valid
        ),
        status as (
            select
                n.shared_case, n.identifier_type, n.raw_value,
                bool_and(coalesce(f.is_flagged, false)) as all_flagged,
                count(f.identifier_id) as in_flagged_table,
                min(f.flag_reason) as flag_reason
            from normalised as n
            left join identity.int_identifiers_flagged as f
                on f.identifier_type = n.identifier_type
                and f.identifier_value = n.identifier_value
            group by all
        ),
        active as (
            select n.raw_value, n.identifier_type, count(*) as active_links
            from normalised as n
            inner join identity.int_identity_links as l
                on l.identifier_type = n.identifier_type
                and l.identifier_value = n.identifier_value
            where l.is_link
            group by all
        )
        select
            o.shared_case, o.identifier_type, o.raw_value,
            count(o.is_valid) as occurrences,
            coalesce(bool_or(o.is_valid), false) as any_valid,
            any_value(s.all_flagged) as all_flagged,
            any_value(s.in_flagged_table) as in_flagged_table,
            any_value(s.flag_reason) as flag_reason,
            coalesce(any_value(a.active_links), 0) as active_links
        from occurrences as o
        left join status as s using (shared_case, identifier_type, raw_value)
        left join active as a using (identifier_type, raw_value)
        group by all
        order by all
    """).fetchall()


def test_injected_junk_kiosk_and_shared_cookie_identifiers_never_link(con, truth_dir):
    rows = _shared_identifier_status(con, truth_dir)
    seen_cases = set()
    failures = []
    for case, kind, raw, occurrences, any_valid, all_flagged, in_flagged, reason, active in rows:
        if case not in MUST_NOT_LINK_CASES or occurrences == 0:
            continue
        seen_cases.add(case)
        if any_valid and not (all_flagged and in_flagged):
            failures.append((case, kind, raw, "valid but not flagged"))
        if active:
            failures.append((case, kind, raw, f"{active} active links"))
    assert seen_cases == set(MUST_NOT_LINK_CASES), f"cases found in the warehouse: {seen_cases}"
    assert not failures, failures


def test_report_family_identifiers(con, truth_dir, record_property):
    """Family e-mails and phones are one household's, not junk: they are reported,
    not required to be flagged (conflict splitting keeps the customers apart; see
    test_no_profile_holds_two_customer_ids)."""
    family = [row for row in _shared_identifier_status(con, truth_dir) if row[0].startswith("family")]
    assert family, "the demo injects family identifiers"
    flagged = sum(1 for row in family if row[5])
    record_property("family_identifiers_flagged", f"{flagged}/{len(family)}")
    for case, kind, raw, occurrences, _, all_flagged, _, reason, active in family:
        print(f"{case} {kind} {raw}: occurrences={occurrences} flagged={all_flagged} "
              f"reason={reason!r} active_links={active}")


def test_profile_ids_are_stable_across_a_rebuild(warehouse, con, tmp_path):
    from conftest import run_dbt

    copy = _copy_warehouse(warehouse.db_path, tmp_path / "rebuild")
    started = time.perf_counter()
    # The identity maps, the merge/split log and everything upstream of them
    # (seeds and staging included) again; the data tests already ran on the
    # session build, and no later layer feeds what is compared here.
    run_dbt("build", "--select", "+fct_profile_id_changes", "+map_records_to_profiles",
            "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
            landing=warehouse.landing_dir, db=copy)
    print(f"rebuild took {time.perf_counter() - started:.1f} s")
    query = ("select record_id, source, record_key, profile_id "
             "from identity.map_records_to_profiles")
    before = set(con.execute(query).fetchall())
    rebuilt_con = duckdb.connect(str(copy), read_only=True)
    try:
        (logged,) = rebuilt_con.execute("select count(*) from identity.fct_profile_id_changes").fetchone()
    finally:
        rebuilt_con.close()
    assert logged == 0, f"a rebuild of the same data logged {logged} profile id changes"
    after_con = duckdb.connect(str(copy), read_only=True)
    try:
        after = set(after_con.execute(query).fetchall())
    finally:
        after_con.close()
    assert before, "map_records_to_profiles is empty"
    changed = before ^ after
    assert not changed, f"{len(changed)} rows differ, e.g. {sorted(changed)[:5]}"


# --- hand-made graphs, stitched in copies of the session warehouse -----------------------------

def test_scenarios_leave_the_session_warehouse_alone(con):
    (fixture_records,) = con.execute(
        "select count(*) from identity.map_records_to_profiles "
        "where record_key in ('h_a1', 'h_m', 'h_s3', 'lc00000', 'lc10000')").fetchone()
    assert fixture_records == 0


@pytest.fixture(scope="module")
def long_chain(warehouse, tmp_path_factory):
    started = time.perf_counter()
    db = restitch(warehouse.db_path, chain_links(LONG_CHAIN_IDENTIFIERS),
                  tmp_path_factory.mktemp("long_chain"), warehouse.landing_dir, LIFT_LIMITS)
    outcome = read_outcome(db)
    print(f"long chain re-stitched in {time.perf_counter() - started:.1f} s")
    return outcome


def test_long_chain_is_one_component_in_logarithmic_rounds(long_chain, record_property):
    outcome = long_chain
    record_property("long_chain_rounds", outcome.rounds_total)
    # 10,000 identifiers and 10,001 records, nothing else.
    assert outcome.nodes == 2 * LONG_CHAIN_IDENTIFIERS + 1
    checks = chain_checks(outcome, LONG_CHAIN_IDENTIFIERS)
    failed = [name for name, ok in checks.items() if not ok]
    assert not failed, (failed, f"rounds={outcome.rounds_total} passes={outcome.passes} "
                                f"nodes={outcome.nodes}")
    assert outcome.rounds_total <= 2 * math.log2(outcome.nodes)


# --- profile ids from one build day to the next ---------------------------------------------

@pytest.fixture(scope="module")
def history(warehouse, tmp_path_factory):
    work = tmp_path_factory.mktemp("history")
    day1 = read_outcome(restitch(warehouse.db_path, history_links(1), work, warehouse.landing_dir))
    db = restitch(warehouse.db_path, history_links(2), work, warehouse.landing_dir, in_place=True)
    return history_checks(day1.profile, read_outcome(db).profile, read_changes(db))


def test_merge_split_log_on_a_hand_made_second_day(history):
    failed = [name for name, ok in history.items() if not ok]
    assert len(history) >= 7 and not failed, failed


# Adding a day changes only the profiles the merge/split log names: test_incremental.py
# (test_adding_a_day_changes_only_logged_profiles, on its day-by-day warehouse).


# --- link audit ----------------------------------------------------------------------------------

def test_explain_walks_a_chain_of_used_links_between_two_records(con):
    from orchestration.lib.identity_audit import explain

    # Two records of one profile that share no identifier: the answer needs a chain.
    pair = con.execute("""
        with links as (
            select source, record_key, identifier_id from identity.int_identity_links where is_link
        ),
        records as (
            select m.profile_id, m.source, m.record_key
            from identity.map_records_to_profiles as m
        )
        select a.source, a.record_key, b.source, b.record_key
        from records as a
        inner join records as b
            on a.profile_id = b.profile_id
        where a.source = 'web_events' and b.source = 'crm_contacts'
            and not exists (
                select 1 from links as la inner join links as lb using (identifier_id)
                where la.source = a.source and la.record_key = a.record_key
                    and lb.source = b.source and lb.record_key = b.record_key)
        order by all
        limit 1
    """).fetchone()
    assert pair, "the demo has web events stitched to a CRM contact through other records"
    first, second = (pair[0], pair[1]), (pair[2], pair[3])
    result = explain(con, first, second)
    print(result.report())
    assert result.same_profile and len(result.steps) >= 2
    # Independently: each step's two records carry the step's identifier as a used link.
    used = set(con.execute("""
        select source, record_key, identifier_type, identifier_value
        from identity.int_identity_links where is_link
    """).fetchall())
    assert result.steps[0].record == first and result.steps[-1].next_record == second
    for step, following in zip(result.steps, result.steps[1:] + [None]):
        assert (*step.record, step.identifier_type, step.identifier_value) in used, step
        assert (*step.next_record, step.identifier_type, step.identifier_value) in used, step
        if following is not None:
            assert following.record == step.next_record


def test_explain_names_the_rejected_links_between_two_profiles(con):
    from orchestration.lib.identity_audit import explain

    pair = con.execute("""
        select a.source, a.record_key, b.source, b.record_key
        from identity.int_identity_links as a
        inner join identity.int_identity_links as b
            on a.identifier_id = b.identifier_id and a.link_id < b.link_id
        inner join identity.map_records_to_profiles as ma
            on a.source = ma.source and a.record_key = ma.record_key
        inner join identity.map_records_to_profiles as mb
            on b.source = mb.source and b.record_key = mb.record_key
        where a.is_flagged and ma.profile_id <> mb.profile_id
        order by all
        limit 1
    """).fetchone()
    assert pair, "the demo has records sharing a flagged identifier"
    result = explain(con, (pair[0], pair[1]), (pair[2], pair[3]))
    print(result.report())
    assert not result.same_profile and not result.steps
    assert result.rejected and all(reason.startswith("flagged: ") for _, _, reason in result.rejected)


def test_link_audit_lists_every_link_once_with_a_reason(con):
    (missing,) = con.execute("""
        select count(*) from identity.int_identity_links as l
        inner join identity.map_records_to_profiles as m using (source, record_key)
        where l.link_id not in (select link_id from identity.fct_identity_links)
    """).fetchone()
    statuses = dict(con.execute(
        "select link_status, count(*) from identity.fct_identity_links group by all").fetchall())
    (rejected,) = con.execute("select count(*) from identity.int_identity_links_rejected").fetchone()
    assert missing == 0
    assert statuses.get("used", 0) > 1000 and statuses.get("rejected") == rejected > 0, statuses


def test_explain_command(warehouse, con):
    from conftest import run_cli

    first, second = con.execute("""
        select a.source || ':' || a.record_key, b.source || ':' || b.record_key
        from identity.map_records_to_profiles as a
        inner join identity.map_records_to_profiles as b
            on a.profile_id = b.profile_id and a.record_id < b.record_id
        where a.source = 'crm_contacts' and b.source = 'ecommerce_orders'
        order by all
        limit 1
    """).fetchone()
    shown = run_cli("explain", first, second, landing_dir=warehouse.landing_dir, db_path=warehouse.db_path)
    assert shown.returncode == 0, shown.stderr[-3000:]
    assert "one profile, joined by" in shown.stdout and first in shown.stdout, shown.stdout
    bad = run_cli("explain", "no-colon", second, landing_dir=warehouse.landing_dir, db_path=warehouse.db_path)
    assert bad.returncode == 2 and "SOURCE:RECORD_KEY" in bad.stderr, bad.stderr
