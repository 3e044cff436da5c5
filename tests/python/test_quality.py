"""Great Expectations on the DuckDB warehouse: expectations can fail and pass
on real data (the guard against GE's silent empty results on DuckDB), errors
in exception_info are never taken for results, the DuckDB file is not left
locked, and the suites are declarations.

Runs on a copy of the session's demo warehouse (conftest.built_warehouse), which GE only
reads; results and data docs go to a temporary folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date

import duckdb
import pytest

from orchestration.quality import suites as suites_module
from orchestration.quality.runner import Window, _raised, validate

TABLE = "staging.stg_crm__contacts"
PLAIN_PHONE = r"^0[0-9]{9}$"  # one spelling only: the demo types others too


@pytest.fixture(scope="module")
def quality_warehouse(built_warehouse, tmp_path_factory):
    """A copy of the session's warehouse: GE opens its file for writing, which
    another xdist worker's read-only connection to the session file would block."""
    assert built_warehouse.build.returncode == 0, built_warehouse.build.stdout[-4000:]
    copy = tmp_path_factory.mktemp("quality_warehouse") / built_warehouse.db_path.name
    shutil.copy(built_warehouse.db_path, copy)
    return copy


@pytest.fixture
def quality_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PROFILE360_QUALITY_DIR", str(tmp_path / "quality"))
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "false")
    return tmp_path / "quality"


def _facts(db_path) -> dict:
    """Independent figures, straight from DuckDB."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows, first, last = con.execute(
            f"select count(*), min(updated_at)::date, max(updated_at)::date from {TABLE}").fetchone()
        phones, bad_phones, not_plain = con.execute(
            f"select count(phone), count(*) filter (where phone is not null and not regexp_matches(phone, ?)), "
            f"count(*) filter (where phone is not null and not regexp_matches(phone, ?)) from {TABLE}",
            [suites_module.PHONE_REGEX, PLAIN_PHONE]).fetchone()
    finally:
        con.close()
    return {"rows": rows, "first": first, "last": last, "phones": phones, "bad_phones": bad_phones,
            "not_plain": not_plain}


def _declare(monkeypatch, expectations: list[dict]) -> None:
    monkeypatch.setattr(suites_module, "SUITES", {
        TABLE: {"asset": "stg_crm__contacts", "scope": "table", "blocking": True, "expectations": expectations}})


def test_expectations_fail_and_pass_on_real_data(quality_warehouse, quality_dir, monkeypatch):
    facts = _facts(quality_warehouse)
    assert facts["rows"] > 100 and facts["not_plain"] > 0 and facts["bad_phones"] < 0.15 * facts["phones"]
    _declare(monkeypatch, [
        {"type": "expect_table_row_count_to_equal", "value": facts["rows"]},
        {"type": "expect_table_row_count_to_equal", "value": facts["rows"] + 1},
        {"type": "expect_column_values_to_be_between", "column": "updated_at",
         "min_value": facts["first"].isoformat(), "max_value": "{tomorrow}"},
        {"type": "expect_column_values_to_be_between", "column": "updated_at",
         "min_value": (facts["last"]).isoformat(), "max_value": "{tomorrow}"},
        {"type": "values_match_regex", "column": "phone", "regex": suites_module.PHONE_REGEX, "mostly": 0.85},
        {"type": "values_match_regex", "column": "phone", "regex": PLAIN_PHONE, "mostly": 1.0},
    ])
    run = validate(quality_warehouse, None)
    [outcome] = run.outcomes
    assert outcome.error is None, outcome.describe()
    assert [e.success for e in outcome.expectations] == [True, False, True, False, True, False]
    assert [e.error for e in outcome.expectations] == [None] * 6
    assert outcome.expectations[1].observed == facts["rows"]
    assert not run.success
    assert run.results_path.exists() and run.docs_index is not None


def test_a_table_missing_from_the_warehouse_is_an_error_not_a_pass(quality_warehouse, quality_dir, monkeypatch):
    monkeypatch.setattr(suites_module, "SUITES", {
        "staging.no_such_table": {"asset": "no_such_table", "scope": "table", "blocking": True,
                                  "expectations": [{"type": "expect_table_row_count_to_be_between",
                                                    "min_value": 0}]}})
    run = validate(quality_warehouse, None)
    assert not run.success and "not in the warehouse" in run.outcomes[0].error


def test_exception_info_is_read_at_any_depth():
    assert _raised({"raised_exception": False, "exception_message": None}) is None
    assert _raised({"metric.id": {"raised_exception": True, "exception_message": "list index out of range"}}) \
        == "list index out of range"


def test_the_declared_suites_pass_on_the_demo_warehouse_and_release_the_file(
        quality_warehouse, quality_dir):
    run = validate(quality_warehouse, None)
    assert run.success, "\n".join(o.describe() for o in run.outcomes)
    assert {o.table for o in run.outcomes} >= {"identity.map_records_to_profiles",
                                               "identity.map_identifiers_to_profiles",
                                               "staging.stg_landing__quarantined_rows"}
    print(f"GE validation of {len(run.outcomes)} suites: {run.seconds:.1f} s")
    # Another process can take the write lock: GE closed its connection and engines.
    probe = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close()",
                            str(quality_warehouse)], capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    # The profile count is remembered for the not-collapsing check of the next run.
    history = (quality_dir / "history.json").read_text()
    assert "map_records_to_profiles" in history


def test_a_collapsing_profile_count_fails(quality_warehouse, quality_dir):
    con = duckdb.connect(str(quality_warehouse), read_only=True)
    profiles = con.execute("select count(distinct profile_id) from identity.map_records_to_profiles").fetchone()[0]
    con.close()
    quality_dir.mkdir(parents=True, exist_ok=True)
    (quality_dir / "history.json").write_text(
        '{"identity.map_records_to_profiles": {"profile_id": %d}}' % (profiles * 2))
    run = validate(quality_warehouse, None, names=["map_records_to_profiles"])
    check = next(e for e in run.outcomes[0].expectations if e.type == "distinct_count_not_collapsing")
    assert not check.success and check.observed == profiles


def test_suites_are_declarations_with_known_expectation_types():
    from great_expectations.expectations.registry import get_expectation_impl

    custom = {"values_match_regex", "unexpected_rows", "drop_row_counts_in_band", "quarantine_share_below",
              "distinct_count_not_collapsing"}
    for table, suite in suites_module.SUITES.items():
        assert table.count(".") == 1 and suite["asset"] == table.split(".")[1]
        assert suite["scope"] in ("drop", "table")
        for spec in suite["expectations"]:
            if spec["type"] not in custom:
                assert get_expectation_impl(spec["type"]) is not None


def test_window_of_one_day_filters_the_drop(quality_warehouse, quality_dir):
    con = duckdb.connect(str(quality_warehouse), read_only=True)
    day = con.execute("select max(regexp_extract(_source_file, '\\d{4}-\\d{2}-\\d{2}')) "
                      f"from {TABLE}").fetchone()[0]
    rows = con.execute(f"select count(*) from {TABLE} where _source_file like ?", [f"%{day}%"]).fetchone()[0]
    con.close()
    suites = {TABLE: {"asset": "stg_crm__contacts", "scope": "drop", "blocking": True,
                      "expectations": [{"type": "expect_table_row_count_to_equal", "value": rows}]}}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(suites_module, "SUITES", suites)
        run = validate(quality_warehouse, Window(date.fromisoformat(day), date.fromisoformat(day)))
    assert run.success, run.outcomes[0].describe()
