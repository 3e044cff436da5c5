"""Right to erasure on the demo warehouse (docs/privacy.md).

Everything expected here is derived independently of the models: erased
subjects from the landing `erasure_requests` files, normalised with simple
Python rules; the erased persons and their records from the generator's
`_truth/person_map.csv`; their identifiers from their landing records; hashes
with Python's hashlib. Then, after one build:
  - no text of any table or view of the warehouse holds an erased subject,
    raw or normalised, nor any identifier only the erased person used;
  - the erasure log holds hashes only, and the subjects' hashes are
    sha256(salt || type || ':' || normalised value);
  - no record of an erased person that carries an identifier is staged or
    profiled, and every good landing record of every other person is.
"""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import landing_rows

DEMO_SALT = "profile360-demo-erasure-salt"
MISSING = {"", "null", "n/a", "none", "-"}
# landing source -> (record key column, {identifier type: column}), as in the data contract.
IDENTIFIER_COLUMNS = {
    "web_events": ("event_id", {"anonymous_id": "anonymous_id", "customer_id": "user_id",
                                "email": "email", "phone": "phone"}),
    "app_events": ("event_id", {"device_id": "device_id", "customer_id": "user_id"}),
    "ecommerce_orders": ("order_id", {"customer_id": "customer_id", "email": "email", "phone": "phone",
                                      "anonymous_id": "anonymous_id", "device_id": "device_id"}),
    "pos_transactions": ("transaction_id", {"loyalty_id": "loyalty_id", "phone": "phone"}),
    "crm_contacts": ("contact_id", {"email": "email", "phone": "phone", "customer_id": "customer_id",
                                    "loyalty_id": "loyalty_id"}),
    "loyalty_members": ("loyalty_id", {"loyalty_id": "loyalty_id", "phone": "phone", "email": "email"}),
    "email_events": ("event_id", {"email": "email"}),
    "zalo_events": ("event_id", {"zalo_user_id": "zalo_user_id", "phone": "phone"}),
    "support_tickets": ("ticket_id", {"customer_id": "customer_id", "email": "email", "phone": "phone"}),
}
STAGING_MODEL = {
    "web_events": "stg_web__events", "app_events": "stg_app__events",
    "ecommerce_orders": "stg_ecommerce__orders", "pos_transactions": "stg_pos__transactions",
    "crm_contacts": "stg_crm__contacts", "loyalty_members": "stg_loyalty__members",
    "email_events": "stg_email__events", "zalo_events": "stg_zalo__events",
    "support_tickets": "stg_support__tickets",
}


# ----------------------------------------------------------------- helpers
def _clean(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in MISSING else text


def _email(value: str) -> str:
    """Lower-case, no whitespace; Gmail ignores dots and +tags in the local part."""
    address = re.sub(r"\s", "", value).lower()
    local, _, domain = address.partition("@")
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.split("+")[0].replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _national_phone(value: str) -> str:
    """The 9 national digits of a Vietnamese mobile number, whatever the spelling."""
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 11 and digits.startswith("84"):
        digits = digits[2:]
    return digits[1:] if digits.startswith("0") else digits


def _normalised(identifier_type: str, value: str) -> str:
    if identifier_type == "email":
        return _email(value)
    if identifier_type == "phone":
        return "+84" + _national_phone(value)
    return value.strip()


def _hash(identifier_type: str, normalised: str) -> str:
    return hashlib.sha256(f"{DEMO_SALT}{identifier_type}:{normalised}".encode()).hexdigest()


def _rows(landing: Path, source: str):
    """Every readable landing row of a source."""
    return (row for _, row in landing_rows(landing, source) if row is not None)


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def con(built_warehouse):
    assert built_warehouse.build.returncode == 0, (
        built_warehouse.build.stdout[-6000:] + built_warehouse.build.stderr[-3000:])
    from orchestration.lib.dbt_secrets import apply_secrets

    connection = duckdb.connect(str(built_warehouse.db_path), read_only=True)
    apply_secrets(connection, str(built_warehouse.db_path))  # the views that hash with the secrets
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def requests(built_warehouse) -> list[dict[str, str]]:
    """Good erasure requests of the landing zone: request_id, type, raw and normalised value."""
    out = {}
    for row in _rows(built_warehouse.landing_dir, "erasure_requests"):
        request_id, value = _clean(row.get("request_id")), _clean(row.get("subject_value"))
        subject_type = (_clean(row.get("subject_type")) or "").lower()
        if request_id and value and subject_type in ("email", "phone", "customer_id", "zalo_user_id"):
            out[request_id] = {"request_id": request_id, "type": subject_type, "raw": value,
                               "normalised": _normalised(subject_type, value)}
    assert out, "the demo should hold erasure requests"
    return list(out.values())


@pytest.fixture(scope="module")
def truth(built_warehouse) -> dict[tuple[str, str], str]:
    with open(built_warehouse.landing_dir / "_truth" / "person_map.csv", newline="", encoding="utf-8") as f:
        return {(row["source"], row["record_key"]): row["person_id"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def erased_persons(truth, requests) -> set[str]:
    persons = {truth[("erasure_requests", request["request_id"])] for request in requests}
    assert len(persons) == len(requests)
    return persons


@pytest.fixture(scope="module")
def landing_identifiers(built_warehouse, truth):
    """Per landing record carrying identifiers: (source, key) -> person and {(type, normalised): raw spellings}."""
    records = {}
    for source, (key_column, columns) in IDENTIFIER_COLUMNS.items():
        for row in _rows(built_warehouse.landing_dir, source):
            key = _clean(row.get(key_column))
            person = truth.get((source, key))
            if key is None or person is None:
                continue
            record = records.setdefault((source, key), {"person": person, "identifiers": defaultdict(set)})
            for identifier_type, column in columns.items():
                value = _clean(row.get(column))
                if value is not None:
                    record["identifiers"][(identifier_type, _normalised(identifier_type, value))].add(value)
    return records


@pytest.fixture(scope="module")
def own_identifiers(landing_identifiers, erased_persons, built_warehouse):
    """Identifiers on erased persons' records that no other person ever used: theirs alone."""
    users = defaultdict(set)
    for record in landing_identifiers.values():
        for identifier in record["identifiers"]:
            users[identifier].add(record["person"])
    with open(built_warehouse.landing_dir / "_truth" / "shared_identifiers.csv", newline="", encoding="utf-8") as f:
        shared = {(row["identifier_type"], _normalised(row["identifier_type"], row["raw_value"]))
                  for row in csv.DictReader(f)}
    own = defaultdict(set)
    for record in landing_identifiers.values():
        if record["person"] in erased_persons:
            for identifier, spellings in record["identifiers"].items():
                if users[identifier] == {record["person"]} and identifier not in shared:
                    own[identifier] |= spellings
    return own


@pytest.fixture(scope="module")
def erased_records(landing_identifiers, erased_persons, own_identifiers, requests) -> set[tuple[str, str]]:
    """Records of erased persons carrying a subject or an identifier only they used (a record
    carrying nothing but a shared identifier, a kiosk tablet, cannot be told apart from others')."""
    theirs = set(own_identifiers) | {(request["type"], request["normalised"]) for request in requests}
    return {key for key, record in landing_identifiers.items()
            if record["person"] in erased_persons and theirs & set(record["identifiers"])}


# ------------------------------------------------------------------- tests
def test_demo_erases_persons_with_records_in_several_sources(landing_identifiers, erased_persons,
                                                             own_identifiers):
    """The test means something: an erased person has records beyond the request, under other ids."""
    sources = defaultdict(set)
    for (source, _), record in landing_identifiers.items():
        if record["person"] in erased_persons:
            sources[record["person"]].add(source)
    assert max(len(found) for found in sources.values()) >= 3, sources
    types = {identifier_type for identifier_type, _ in own_identifiers}
    assert {"email", "phone", "customer_id", "anonymous_id"} <= types, types


def _scan(con, needles: list[str], digit_needles: list[str], min_relations: int = 40) -> list[tuple[str, str, str]]:
    """(relation, column, needle) for every text match in every table and view of the warehouse:
    every column of every row as text, lower-cased; digit needles also against the text without
    the separators people type in phone numbers."""
    relations = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema not in ('information_schema', 'pg_catalog')"
    ).fetchall()
    assert len(relations) > min_relations, relations
    plain = re.compile("|".join(re.escape(needle) for needle in needles)) if needles else None
    digits = re.compile("|".join(re.escape(needle) for needle in digit_needles)) if digit_needles else None
    hits = set()
    for schema, table in relations:
        result = con.execute(f'select * from "{schema}"."{table}"')
        columns = [description[0] for description in result.description]
        for row in result.fetchall():
            for column, value in zip(columns, row):
                if value is None:
                    continue
                text = str(value).lower()
                for pattern, haystack in ((plain, text), (digits, re.sub(r"[ .()+-]", "", text))):
                    if pattern is not None:
                        hits |= {(f"{schema}.{table}", column, match.group(0))
                                 for match in pattern.finditer(haystack)}
    return sorted(hits)


def test_no_trace_of_an_erased_person_in_any_table_or_view(con, requests, own_identifiers):
    needles, digit_needles = _erased_needles(requests, own_identifiers)
    # The scan must be able to find things: a value of a person who was not erased is found.
    (kept,) = con.execute("select email from staging.stg_crm__contacts where email is not null limit 1").fetchone()
    assert _scan(con, [kept.lower()], []), "the scan should find a value that is in the warehouse"
    assert _scan(con, sorted(needles), sorted(digit_needles)) == []


def _erased_needles(requests, own_identifiers) -> tuple[set[str], set[str]]:
    needles, digit_needles = set(), set()
    for request in requests:
        needles |= {request["raw"].lower(), request["normalised"].lower()}
        if request["type"] == "phone":
            digit_needles.add(_national_phone(request["raw"]))
    for (identifier_type, normalised), spellings in own_identifiers.items():
        if identifier_type == "phone":
            digit_needles.add(_national_phone(normalised))
        needles |= {normalised.lower()} | {spelling.lower() for spelling in spellings}
    return needles, digit_needles


def test_no_trace_of_an_erased_person_in_serving_exports_target_or_logs(built_warehouse, requests,
                                                                        own_identifiers):
    """The serving warehouse (every column), the audience files, dbt's target/ and logs/ (the
    session build's, its log file at dbt's default debug level: every query's SQL)."""
    from orchestration.lib.project import PROJECT_DIR
    from orchestration.lib.serving import serving_db_path

    needles, digit_needles = _erased_needles(requests, own_identifiers)
    with duckdb.connect(str(serving_db_path(built_warehouse.db_path)), read_only=True) as serving:
        assert _scan(serving, sorted(needles), sorted(digit_needles), min_relations=8) == []
    plain = re.compile("|".join(re.escape(needle) for needle in sorted(needles)))
    folders = (built_warehouse.exports_dir, built_warehouse.target_dir, PROJECT_DIR / "target", PROJECT_DIR / "logs")
    files = [path for folder in folders
             for path in folder.rglob("*") if path.is_file() and path.suffix in (".csv", ".json", ".sql", ".log")]
    assert any(path.suffix == ".csv" for path in files)
    session_log = built_warehouse.target_dir / "logs" / "dbt.log"
    assert session_log in files and "[debug]" in session_log.read_text(errors="replace"), (
        "the session build's log holds its SQL")
    found = [(str(path), match.group(0)) for path in files
             for match in [plain.search(path.read_text(errors="replace").lower())] if match]
    assert found == []


def test_erasure_log_holds_salted_hashes_only(con, requests, own_identifiers):
    log = con.execute("select identifier_hash, identifier_type, request_id, erased_as "
                      "from staging.stg_landing__erasure_log").fetchall()
    assert all(re.fullmatch(r"[0-9a-f]{64}", identifier_hash) for identifier_hash, *_ in log)
    by_hash = {identifier_hash: (identifier_type, request_id, erased_as)
               for identifier_hash, identifier_type, request_id, erased_as in log}
    for request in requests:
        expected = _hash(request["type"], request["normalised"])
        assert by_hash.get(expected) == (request["type"], request["request_id"], "subject"), request
    # Every identifier the erased persons alone used is logged, by its hash.
    for identifier_type, normalised in own_identifiers:
        assert _hash(identifier_type, normalised) in by_hash, (identifier_type, "not in the erasure log")
    requests_table = con.execute("select request_id, subject_hash from staging.stg_privacy__erasure_requests").fetchall()
    assert {(r["request_id"], _hash(r["type"], r["normalised"])) for r in requests} == set(requests_table)


def test_no_record_of_an_erased_person_is_staged_or_profiled(con, erased_records):
    erased = erased_records
    assert len({source for source, _ in erased}) >= 3, erased
    profiled = set(con.execute("select source, record_key from identity.map_records_to_profiles").fetchall())
    assert erased & profiled == set()
    for source, model in STAGING_MODEL.items():
        key_column = IDENTIFIER_COLUMNS[source][0]
        staged = {key for (key,) in con.execute(f"select cast({key_column} as varchar) from staging.{model}").fetchall()}
        assert {key for s, key in erased if s == source} & staged == set(), source


def test_records_of_other_persons_are_untouched(built_warehouse, con, landing_identifiers, erased_persons):
    """Every landing record of a person not erased, less the broken ones, is still staged."""
    broken = {(row["source"], row["record_key"]) for row in built_warehouse.broken_rows()}
    for source, model in STAGING_MODEL.items():
        key_column = IDENTIFIER_COLUMNS[source][0]
        staged = {key for (key,) in con.execute(f"select cast({key_column} as varchar) from staging.{model}").fetchall()}
        expected = {key for (s, key), record in landing_identifiers.items()
                    if s == source and record["person"] not in erased_persons and (s, key) not in broken}
        assert expected, source
        assert expected - staged == set(), source


def test_suppression_is_counted_per_source(con, erased_records):
    counts = dict(con.execute("select source, count_records_suppressed "
                              "from staging.stg_landing__erasure_suppressions").fetchall())
    assert set(counts) == set(IDENTIFIER_COLUMNS)
    expected = defaultdict(int)
    for source, _ in erased_records:
        expected[source] += 1
    assert {source: count for source, count in counts.items() if count} == dict(expected)


def test_merge_split_log_of_earlier_builds_loses_erased_causes(built_warehouse, requests, tmp_path):
    """A row logged before the request named the erased identifier: the next build removes it."""
    import shutil

    from conftest import run_cli

    copy = tmp_path / built_warehouse.db_path.name
    shutil.copy(built_warehouse.db_path, copy)
    erased = f"{requests[0]['type']}:{requests[0]['normalised']}"
    kept = "email:someone.else@example.vn"
    writable = duckdb.connect(str(copy))
    try:
        writable.execute(
            "insert into identity.fct_profile_id_changes values "
            "('c_old', 'merge', 'p_old', 'p_new', timestamp '2020-01-01', date '2020-01-01', 3, ?, 2)",
            [f"{erased}, {kept}"])
    finally:
        writable.close()
    built = run_cli("build", "--select", "fct_profile_id_changes",
                    landing_dir=built_warehouse.landing_dir, db_path=copy)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    check = duckdb.connect(str(copy), read_only=True)
    try:
        row = check.execute("select cause_identifiers, count_cause_identifiers "
                            "from identity.fct_profile_id_changes where change_id = 'c_old'").fetchone()
    finally:
        check.close()
    assert row == (kept, 1)


# ------------------------------------------------- an erasure on a later day
# The erasure-day scenario runs in tests/python/test_blocked_drops.py, on the
# same day-by-day build as the blocked drop (one scenario, built once): days
# 1-5 are built first (a snapshot period, occurrences, segment spells exist for
# everyone); day 6 is the blocked drop's; day 7 brings an erasure request for
# the phone of a loyalty member seen on days 1-5, whose profile is in segments.
# The build of day 7 runs everything, tests included, and publishes. What it
# left is read there.


@dataclass(frozen=True)
class ErasureDay:
    db: Path
    landing: Path
    target: Path
    build: subprocess.CompletedProcess
    profile_id: str
    loyalty_id: str
    needles: set[str]
    digit_needles: set[str]
