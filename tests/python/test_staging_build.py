"""A full `profile360 build` of generated demo data into a temporary DuckDB file.

The build runs every dbt data test and unit test; on top of that these tests
re-derive, straight from the landing files with Python's csv/json readers, what
staging must hold, and check the quarantine against what the generator says
it injected.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from conftest import landing_rows

# landing folder -> (staging model, key columns of the source's own id)
STAGING = {
    "crm_contacts": ("stg_crm__contacts", ("contact_id",)),
    "web_events": ("stg_web__events", ("event_id",)),
    "app_events": ("stg_app__events", ("event_id",)),
    "ecommerce_orders": ("stg_ecommerce__orders", ("order_id",)),
    "ecommerce_order_items": ("stg_ecommerce__order_items", ("order_id", "line_number")),
    "pos_transactions": ("stg_pos__transactions", ("transaction_id",)),
    "pos_transaction_items": ("stg_pos__transaction_items", ("transaction_id", "line_number")),
    "loyalty_members": ("stg_loyalty__members", ("loyalty_id",)),
    "email_events": ("stg_email__events", ("event_id",)),
    "zalo_events": ("stg_zalo__events", ("event_id",)),
    "support_tickets": ("stg_support__tickets", ("ticket_id",)),
    "consents": ("stg_privacy__consents",
                 ("subject_type", "subject_value", "purpose", "status", "source", "recorded_at")),
    "erasure_requests": ("stg_privacy__erasure_requests", ("request_id",)),
    "products": ("stg_catalog__products", ("product_id",)),
    "stores": ("stg_catalog__stores", ("store_id",)),
    "marketing_spend": ("stg_marketing__spend", ("spend_date", "channel", "campaign_id")),
}
MISSING = {"", "null", "n/a", "none", "-"}
ERROR_CODES = {"truncated_json", "missing_key", "bad_timestamp", "bad_number",
               "negative_quantity", "unknown_enum"}


def _clean(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in MISSING else text


_landing_rows = landing_rows


@pytest.fixture(scope="module")
def con(built_warehouse):
    assert built_warehouse.build.returncode == 0, (
        built_warehouse.build.stdout[-6000:] + built_warehouse.build.stderr[-3000:])
    connection = duckdb.connect(str(built_warehouse.db_path), read_only=True)
    yield connection
    connection.close()


def erased_record_keys(landing: Path) -> set[tuple[str, str]]:
    """(source, record key) of every landing record of a person who asked for erasure (from the
    generator's truth): left out of the comparisons of staging with the landing files;
    tests/python/test_erasure.py checks what happens to them."""
    with open(landing / "_truth" / "person_map.csv", newline="", encoding="utf-8") as f:
        person_map = list(csv.DictReader(f))
    erased = {row["person_id"] for row in person_map if row["source"] == "erasure_requests"}
    return {(row["source"], row["record_key"]) for row in person_map
            if row["person_id"] in erased and row["source"] != "erasure_requests"}


@pytest.fixture(scope="module")
def erased_keys(built_warehouse) -> set[tuple[str, str]]:
    return erased_record_keys(built_warehouse.landing_dir)


def _canonical(value: str | None) -> str | None:
    """An identifier compared loosely: e-mails lower-case without Gmail dots/+tags, phones by digits."""
    if value is None:
        return None
    text = "".join(str(value).split()).lower()
    if "@" in text:
        local, _, domain = text.partition("@")
        if domain in ("gmail.com", "googlemail.com"):
            local = local.split("+")[0].replace(".", "")
        return f"{local}@{domain}"
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 9 and len(digits) >= len(text) - 6:
        return digits[-9:]
    return text


@pytest.fixture(scope="module")
def erased_subjects(built_warehouse, erased_keys) -> set[str]:
    """Every identifier value on the erased persons' records, compared loosely (consents name them)."""
    values = set()
    for source in {source for source, _ in erased_keys}:
        for _, row in _landing_rows(built_warehouse.landing_dir, source):
            if row is None:
                continue
            key = next((_clean(row.get(column)) for column in STAGING[source][1]), None)
            if (source, key) in erased_keys:
                values |= {_canonical(_clean(row.get(column))) for column in
                           ("email", "phone", "user_id", "customer_id", "zalo_user_id", "loyalty_id")}
    return values - {None}


def test_build_passes_every_dbt_test(built_warehouse):
    out = built_warehouse.build.stdout
    assert built_warehouse.build.returncode == 0, out[-6000:] + built_warehouse.build.stderr[-3000:]
    assert "ERROR=0" in out and "Completed successfully" in out
    # Every data test and unit test of the project ran in it and passed (the suite's
    # other builds leave the unit tests out: conftest.py, _unit_tests_once).
    target = built_warehouse.target_dir
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    for kind in ("unit_test", "test"):
        declared = {key for key, node in {**manifest["nodes"], **manifest.get("unit_tests", {})}.items()
                    if node["resource_type"] == kind and node.get("config", {}).get("enabled", True)}
        passed = {result["unique_id"] for result in results
                  if result["unique_id"] in declared and result["status"] in ("pass", "warn")}
        assert len(declared) > (50 if kind == "unit_test" else 500), kind
        assert sorted(declared - passed) == [], kind


@pytest.mark.parametrize("source", sorted(STAGING))
def test_staging_holds_exactly_the_good_distinct_records(built_warehouse, con, erased_keys, erased_subjects,
                                                        source):
    """Distinct keys of the landing rows, less the injected broken ones, are what staging holds."""
    model, key = STAGING[source]
    broken_files_keys = {(row["file"], row["record_key"]) for row in built_warehouse.broken_rows()
                         if row["source"] == source and row["record_key"]}
    expected = set()
    for file, row in _landing_rows(built_warehouse.landing_dir, source):
        if row is None:  # a line cut in half: quarantined, never staged
            continue
        values = tuple(_clean(row.get(column)) for column in key)
        if values[0] is None or (file, values[0]) in broken_files_keys \
                or (file, ":".join(v or "" for v in values)) in broken_files_keys:
            continue
        if (source, values[0]) in erased_keys or (
                source == "consents" and _canonical(values[1]) in erased_subjects):
            continue
        expected.add(_normalise(values))
    columns = ", ".join(f"cast({column} as varchar)" for column in key)
    actual = {_normalise(values) for values in
              con.execute(f"select {columns} from staging.{model}").fetchall()
              if (source, values[0]) not in erased_keys
              and not (source == "consents" and _canonical(values[1]) in erased_subjects)}
    assert actual, f"{model} is empty"
    if source in ("consents", "marketing_spend"):
        # Typed natural keys (timestamps, dates) print differently from the text: compare counts.
        assert len(actual) == len(expected)
    else:
        assert actual == expected


def _normalise(values: tuple) -> tuple:
    """Ids as text, line numbers as plain integers ('01' and 1 are one line)."""
    return tuple(str(int(v)) if v is not None and v.isdigit() else v for v in values)


def test_quarantine_counts_match_what_the_generator_injected(built_warehouse, con, erased_keys):
    # Broken rows of erased persons are suppressed like their good rows.
    injected = Counter((row["source"], row["error_code"]) for row in built_warehouse.broken_rows()
                       if (row["source"], row["record_key"]) not in erased_keys)
    assert {code for _, code in injected} == ERROR_CODES, "the generator should inject every kind"
    quarantined = Counter({
        (source, code): int(rows) for source, code, rows in con.execute(
            "select source, reason_code, sum(occurrences) from staging.stg_landing__quarantined_rows "
            "group by source, reason_code").fetchall()})
    assert quarantined == injected


def test_every_broken_row_is_quarantined_with_its_reason_and_not_staged(built_warehouse, con, erased_keys):
    quarantined = {(file, key, code) for file, key, code in con.execute(
        "select source_file, record_key, reason_code from staging.stg_landing__quarantined_rows"
    ).fetchall()}
    for row in built_warehouse.broken_rows():
        if (row["source"], row["record_key"]) in erased_keys:
            continue
        key = row["record_key"] or None
        if row["error_code"] in ("truncated_json", "missing_key"):
            key = None  # the id cannot be read from such a row
        assert (row["file"], key, row["error_code"]) in quarantined, row
        if key is None:
            continue
        model, columns = STAGING[row["source"]]
        staged = con.execute(
            f"select count(*) from staging.{model} where cast({columns[0]} as varchar) = ? "
            f"and _source_file = ?", [key, row["file"]]).fetchone()[0]
        assert staged == 0, f"broken row {row} is also in {model}"


def test_quarantine_explains_each_row(con):
    rows = con.execute("select reason_code, reason, raw_record, source_file "
                       "from staging.stg_landing__quarantined_rows").fetchall()
    assert rows
    for code, reason, raw, file in rows:
        assert reason.startswith(code + ":"), reason
        assert raw and file


def test_summary_command_prints_staging_counts(built_warehouse, con):
    from conftest import run_cli

    result = run_cli("summary", "--tables", landing_dir=built_warehouse.landing_dir, db_path=built_warehouse.db_path)
    assert result.returncode == 0, result.stderr
    (web_events,) = con.execute("select count(*) from staging.stg_web__events").fetchone()
    assert "staging.stg_web__events" in result.stdout
    assert f"{web_events:,}" in result.stdout
    assert "Quarantined landing rows:" in result.stdout
