"""Safe publishing (issue 14): BI reads a published copy that holds no raw
identifier, the build warehouse is owner-only, the erasure salt is written
nowhere, and builds never overlap nor break a reader."""

from __future__ import annotations

import csv
import os
import re
import shutil
import stat
import subprocess
import sys
import time

import duckdb

from conftest import RECORD_KEYS, exports_dir_for, landing_rows
from orchestration.lib import serving
from orchestration.lib.locking import build_lock, lock_path
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR

DEMO_SALT = "profile360-demo-erasure-salt"
# Landing columns holding personal data or identifiers (docs/data-contract.md).
IDENTIFIER_COLUMNS = ("email", "phone", "customer_id", "user_id", "loyalty_id", "zalo_user_id",
                      "subject_value", "anonymous_id", "device_id")
WHOLE_VALUE_COLUMNS = ("full_name", "address", "birth_date")
TOKEN = re.compile(r"[^\w@.+\-]+")


def _raw_values(landing):
    """Every raw identifier of the landing zone, lower case (whole values, and
    the last 9 digits of every phone in any spelling), minus junk placeholders."""
    with open(PROJECT_DIR / "seeds" / "identifier_blocklist.csv", newline="", encoding="utf-8") as handle:
        junk = {row["identifier_value"].strip().lower() for row in csv.DictReader(handle)}
    tokens, whole, digits = set(), set(), set()
    sources = [folder.name for folder in landing.iterdir() if folder.is_dir() and not folder.name.startswith("_")]
    for source in sources:
        for _, row in landing_rows(landing, source):
            if row is None:
                continue
            for column in IDENTIFIER_COLUMNS + ((RECORD_KEYS[source],) if source in RECORD_KEYS else ()):
                value = str(row.get(column) or "").strip().lower()
                if len(value) >= 5 and value not in junk:
                    tokens.add(value)
                    number = re.sub(r"\D", "", value)
                    if column in ("phone", "subject_value") and len(number) >= 9:
                        digits.add(number[-9:])
            for column in WHOLE_VALUE_COLUMNS:
                value = str(row.get(column) or "").strip().lower()
                if len(value) >= 5 and not (column == "birth_date" and value >= "2020"):
                    whole.add(value)
    return tokens, whole, digits - {re.sub(r"\D", "", value)[-9:] for value in junk if len(value) >= 9}


def _every_value(db_path):
    """(table.column, value as text) of every non-null cell of every table and view."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        columns = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                              "order by all").fetchall()
        for schema, table, column in columns:
            for (value,) in con.execute(f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" '
                                        f'where "{column}" is not null').fetchall():
                yield f"{schema}.{table}.{column}", value


# The identity normalisers as SQL text, for the app's search: code, not data.
# Its literals are the contract's placeholder values (a cashier's 0123456789),
# which the demo landing zone also holds as junk identifiers of nobody.
CODE_COLUMN = "marts_masked.dim_search_normalizers.normalizer_sql"


def test_serving_warehouse_holds_no_raw_identifier(built_warehouse):
    """Every cell of the serving warehouse against every raw identifier, name,
    address and birth date of the demo landing zone (and every record key)."""
    assert built_warehouse.build.returncode == 0, built_warehouse.build.stderr[-3000:]
    target = serving.serving_db_path(built_warehouse.db_path)
    tokens, whole, digits = _raw_values(built_warehouse.landing_dir)
    assert len(tokens) > 1000 and len(whole) > 100 and len(digits) > 100  # the scan has something to find
    leaks = []
    for cell, value in _every_value(target):
        if cell == CODE_COLUMN:
            continue
        text = value.strip().lower()
        found = [text] if text in whole else []
        found += [token for token in TOKEN.split(text) if token in tokens]
        found += [run[-9:] for run in re.findall(r"\d{9,}", text) if run[-9:] in digits]
        if found:
            leaks.append((cell, found[0]))
    assert not leaks, f"{len(leaks)} raw identifiers in the serving warehouse, e.g. {leaks[:5]}"


def test_serving_warehouse_holds_only_bi_schemas_and_is_readable(built_warehouse):
    target = serving.serving_db_path(built_warehouse.db_path)
    with duckdb.connect(str(target), read_only=True) as con:
        schemas = {row[0] for row in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
        profiles = con.execute("select count(*) from marts_masked.dim_profiles").fetchone()[0]
        lookups = con.execute("select count(distinct profile_id) from marts_masked.profile_lookup").fetchone()[0]
    assert schemas == set(serving.SERVING_SCHEMAS)
    assert profiles > 500 and 0.8 * profiles < lookups <= profiles  # profiles with a linked identifier


def test_build_warehouse_is_owner_only(built_warehouse):
    assert stat.S_IMODE(built_warehouse.db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(serving.lookup_key_path(built_warehouse.db_path).stat().st_mode) == 0o600


def test_erasure_salt_is_in_no_view_target_or_log(built_warehouse):
    """The demo build runs with the default salt: it must be in no view
    definition of the build warehouse, nor anywhere under target/ or logs/."""
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        views = con.execute("select view_name from duckdb_views() where not internal and sql like ?",
                            [f"%{DEMO_SALT}%"]).fetchall()
        hashing = con.execute("select count(*) from duckdb_views() where sql like '%getvariable(''profile360_"
                              "erasure_salt'')%'").fetchone()[0]
    assert views == []
    assert hashing > 0  # the views that hash still do, through the session variable
    found = [str(path) for folder in ("target", "logs") for path in (PROJECT_DIR / folder).rglob("*")
             if path.is_file() and DEMO_SALT.encode() in path.read_bytes()]
    assert found == []


def test_build_lock_refuses_a_second_holder(tmp_path):
    db = tmp_path / "wh.duckdb"
    with build_lock(db):
        with build_lock(db):  # re-entrant in one process (the CLI around a Dagster run)
            pass
        child = subprocess.run(
            [sys.executable, "-c", "import sys; from orchestration.lib.locking import build_lock\n"
                                   f"with build_lock({str(db)!r}): pass"],
            cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
        assert child.returncode != 0 and "another build is running" in child.stderr
    with build_lock(db):  # released: free again
        assert lock_path(db).read_text() == str(os.getpid())


def _build_env(landing, db):
    # What is checked is the lock, the publishing and the reader: the data tests
    # of the models are the session build's (dbt's own variable leaves them out).
    return {**os.environ, **OFFLINE_ENV, "PROFILE360_LANDING_DIR": str(landing), "PROFILE360_DB_PATH": str(db),
            "PROFILE360_EXPORTS_DIR": str(exports_dir_for(db)), "PROFILE360_DBT_THREADS": "1",
            "DBT_EXCLUDE_RESOURCE_TYPES": "test unit_test"}


def test_two_builds_and_a_bi_reader(built_warehouse, tmp_path):
    """A copy of the demo warehouse is rebuilt while a BI connection holds its
    serving warehouse open: the build succeeds and publishes, the reader keeps
    the state it opened; a second build started meanwhile exits at once with
    one line and exit code 2."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    target = serving.publish(db)
    with duckdb.connect(str(target)) as con:  # a marker only the old published file has
        con.execute("create table marts_masked.reader_marker as select 1 as marker")
    reader = duckdb.connect(str(target), read_only=True)
    try:
        env = _build_env(built_warehouse.landing_dir, db)
        command = [sys.executable, "-m", "orchestration.cli", "build"]
        first = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            # Wait (no deadline) until the first build holds the lock, or has ended.
            while first.poll() is None and not (lock_path(db).exists() and lock_path(db).read_text()):
                time.sleep(0.1)
            second = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                                    check=False)
            out, err = first.communicate()
        finally:
            if first.poll() is None:
                os.killpg(first.pid, 9)
        assert second.returncode == 2, second.stderr
        assert "another build is running" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1 and "Traceback" not in second.stderr
        assert first.returncode == 0, out[-3000:] + err[-3000:]
        assert "published the serving warehouse" in out
        # The reader still reads the file it opened; a new reader sees the new one.
        assert reader.execute("select count(*) from marts_masked.reader_marker").fetchone() == (1,)
    finally:
        reader.close()
    with duckdb.connect(str(target), read_only=True) as con:
        tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
    assert "reader_marker" not in tables and "dim_profiles" in tables


def test_read_only_commands_read_the_serving_warehouse_while_a_build_holds_the_lock(built_warehouse):
    """`summary` and `explain` open the serving warehouse, never the build
    warehouse: they work while a writer holds the build warehouse open."""
    from conftest import run_cli

    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        first, second = con.execute("""
            select a.source || ':' || a.record_key, b.source || ':' || b.record_key
            from identity.map_records_to_profiles as a
            inner join identity.map_records_to_profiles as b
                on a.profile_id = b.profile_id and a.record_id < b.record_id
            where a.source = 'crm_contacts' and b.source = 'loyalty_members'
            order by all limit 1""").fetchone()
    writer = duckdb.connect(str(built_warehouse.db_path))  # as a running build would
    try:
        summary = run_cli("summary", "--tables", landing_dir=built_warehouse.landing_dir, db_path=built_warehouse.db_path)
        explained = run_cli("explain", first, second, landing_dir=built_warehouse.landing_dir,
                            db_path=built_warehouse.db_path)
    finally:
        writer.close()
    assert summary.returncode == 0, summary.stderr
    assert "staging.stg_web__events" in summary.stdout and "Quarantined landing rows:" in summary.stdout
    assert explained.returncode == 0, explained.stderr
    assert "one profile, joined by" in explained.stdout and first in explained.stdout
    # The chain shows masked keys: the loyalty member's key (its loyalty id) is not in it.
    chain = explained.stdout.split("joined by", 1)[1]
    assert second.split(":", 1)[1] not in chain and "loyalty_members:" in chain


def test_build_lock_error_is_one_line(tmp_path, capsys):
    from orchestration import cli

    db = tmp_path / "wh.duckdb"
    with build_lock(db):
        child = subprocess.run([sys.executable, "-m", "orchestration.cli", "build", "--db-path", str(db),
                                "--landing-dir", str(tmp_path)], cwd=PROJECT_DIR, capture_output=True,
                               text=True, check=False, env={**os.environ, **OFFLINE_ENV})
    assert child.returncode == cli.EXIT_USAGE
    assert child.stderr.strip().count("\n") == 0 and "another build is running" in child.stderr
