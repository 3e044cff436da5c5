"""Shared fixtures: one demo landing zone and one warehouse built from it per
test session, in temporary folders (never the user's demo or warehouse)."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR

# The demo as the README builds it, shortened to keep the suite quick.
DEMO_PERSONS = 1000
DEMO_DAYS = 60


# Modules that run long builds of their own or start the session's one, in the
# order the suite starts them: with `pytest -n 2 --dist loadscope
# --no-loadscope-reorder` (make test) each xdist worker takes whole modules in
# this order first, so the long builds run side by side, not one after another.
# The session build (test_staging_build) starts at once beside the longest
# scenario (test_incremental): no worker waits for it later; then the other
# scenarios, then the longest single tests (sqlfluff, the partition runs, a
# build under a reader), so no long one is left for the end.
FIRST_MODULES = ("test_staging_build.py", "test_incremental.py", "test_blocked_drops.py",
                 "test_segments.py", "test_identity.py",
                 "test_probabilistic.py", "test_landing_admission.py",
                 "test_lint.py", "test_partition_drops.py", "test_publishing.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return FIRST_MODULES.index(name) if name in FIRST_MODULES else len(FIRST_MODULES)
    items.sort(key=rank)  # stable: the other modules keep their order


@dataclass(frozen=True)
class BuiltWarehouse:
    landing_dir: Path
    db_path: Path
    build: subprocess.CompletedProcess

    @property
    def exports_dir(self) -> Path:
        """Where the build writes audience exports (PROFILE360_EXPORTS_DIR, see run_cli)."""
        return exports_dir_for(self.db_path)

    @property
    def target_dir(self) -> Path:
        """The session build's dbt target folder (DBT_TARGET_PATH), its logs in logs/."""
        return self.db_path.parent / "target"

    def broken_rows(self) -> list[dict[str, str]]:
        """The generator's record of every broken row it injected."""
        with open(self.landing_dir / "_truth" / "broken_rows.csv", newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


def landing_rows(landing: Path, source: str, *, missing_ok: bool = False):
    """(relative file, row dict or None for an unreadable JSON line) for every row of a
    landing source, read straight from its drops (gzip or not) in file order. A missing
    source folder raises unless missing_ok."""
    folder = landing / source
    if missing_ok and not folder.exists():
        return
    for path in sorted(folder.iterdir()):
        opener = gzip.open if path.name.endswith(".gz") else open
        relative = f"{source}/{path.name}"
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            if ".jsonl" in path.name:
                for line in handle:
                    try:
                        yield relative, json.loads(line)
                    except json.JSONDecodeError:
                        yield relative, None
            else:
                yield from ((relative, row) for row in csv.DictReader(handle))


def exports_dir_for(db_path: Path) -> Path:
    """Audience exports of a test build go beside its warehouse file, never into the project."""
    return Path(db_path).parent / "exports"


def run_cli(*args: str, landing_dir: Path, db_path: Path, timeout: float | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the `profile360` command line in a child process, as a scheduler would.
    No time limit unless a caller asks for one: a slow machine is not a failure.
    env: variables to set (or, with the value None, remove) for this run only."""
    env = {key: value for key, value in {
        **os.environ, **OFFLINE_ENV,
        "PROFILE360_LANDING_DIR": str(landing_dir), "PROFILE360_DB_PATH": str(db_path),
        "PROFILE360_EXPORTS_DIR": str(exports_dir_for(db_path)), **(env or {})}.items() if value is not None}
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder of the whole test session: with pytest-xdist, the same one for every
    worker (under the workers' common base temp), else under the base temp."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def once_per_session(folder: Path, produce) -> dict:
    """Run produce() (returning a JSON-able dict) once per test session, whichever
    xdist worker asks first; the others wait on a file lock and read its result
    (pytest-xdist's documented pattern for session fixtures)."""
    result = folder / "result.json"
    with FileLock(str(folder) + ".lock"):
        if not result.exists():
            result.write_text(json.dumps(produce()), encoding="utf-8")
        return json.loads(result.read_text(encoding="utf-8"))


@pytest.fixture(scope="session", autouse=True)
def _dbt_target_per_worker(tmp_path_factory: pytest.TempPathFactory):
    """dbt runs that name no target folder of their own write to one folder per
    worker, never the project's target/: two xdist workers never write one
    folder at once, and a worker's runs share dbt's partial parse."""
    target = tmp_path_factory.getbasetemp() / "dbt_target"
    saved = {key: os.environ.get(key) for key in ("DBT_TARGET_PATH", "DBT_LOG_PATH")}
    os.environ.update({"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target / "logs")})
    yield target
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


EXCLUDE_RESOURCE_TYPES = "DBT_EXCLUDE_RESOURCE_TYPES"


@pytest.fixture(scope="session", autouse=True)
def _unit_tests_once():
    """dbt's unit tests check the models' SQL on fixed inputs, never the data: the
    session build runs all of them (test_staging_build checks each one passed), and
    every other build of the suite leaves them out, through dbt's own variable for
    `--exclude-resource-type` (dbt's advice for builds outside development and CI)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(EXCLUDE_RESOURCE_TYPES, "unit_test")
        yield


DBT_FILE_LOG_LEVEL = "DBT_LOG_LEVEL_FILE"


@pytest.fixture(scope="session", autouse=True)
def _dbt_file_logs_at_info():
    """dbt writes its log file at debug level by default: every query's SQL, a
    sixth of a small build's time. The suite's builds log at info (dbt's own
    variable for `--log-level-file`; what the tests read there, parse and
    landing-file messages, is info); the builds whose logs are scanned for
    erased personal data keep the default (the session build, the erasure day
    of test_blocked_drops): there the SQL text is what is checked."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DBT_FILE_LOG_LEVEL, "info")
        yield


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """Generate demo data and build it (`profile360 demo`) once for the whole session (once
    for all xdist workers), with every dbt test, data and unit, into its own dbt target
    folder (kept: test_staging_build reads its run results). Tests open it read-only or
    copy it before writing."""
    root = shared_folder(tmp_path_factory, "demo")
    landing, db = root / "landing", root / "warehouse.duckdb"

    def produce() -> dict:
        # The README's first command (`profile360 demo`: generate the landing zone,
        # build, publish, summarise), shortened; test_cli checks what it prints.
        target = BuiltWarehouse(landing, db, None).target_dir
        build = run_cli("demo", "--persons", str(DEMO_PERSONS), "--days", str(DEMO_DAYS),
                        landing_dir=landing, db_path=db,
                        env={EXCLUDE_RESOURCE_TYPES: None, DBT_FILE_LOG_LEVEL: None,
                             "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target / "logs")})
        return {"args": build.args, "returncode": build.returncode, "stdout": build.stdout,
                "stderr": build.stderr}

    build = once_per_session(root, produce)
    return BuiltWarehouse(landing, db, subprocess.CompletedProcess(**build))


# Helpers of the incremental scenarios (test_incremental_profiles.py,
# test_incremental_traits.py): build a landing zone day by day, pick profiles
# from the identity outputs, list the records a day's drops deliver first.

# The identifier-carrying landing sources and their record keys (data contract).
RECORD_KEYS = {
    "web_events": "event_id", "app_events": "event_id", "email_events": "event_id",
    "zalo_events": "event_id", "ecommerce_orders": "order_id",
    "pos_transactions": "transaction_id", "crm_contacts": "contact_id",
    "loyalty_members": "loyalty_id", "support_tickets": "ticket_id",
}


def generate_days(root: Path, persons: int, days: int) -> tuple[Path, list[str]]:
    """Generate the demo landing zone under root/generated; return it and its days in order."""
    generated = root / "generated"
    result = run_cli("generate", "--persons", str(persons), "--days", str(days),
                     landing_dir=generated, db_path=root / "unused.duckdb")
    assert result.returncode == 0, result.stderr
    found = sorted(path.name.split(".")[0] for path in (generated / "web_events").iterdir())
    assert len(found) == days
    return generated, found


def run_dbt(*args: str, landing: Path, db: Path, target: Path | None = None) -> None:
    """One dbt command in a child process (no time limit); fails the test unless it succeeded.
    Give one target folder to a sequence of runs with the same vars: dbt then parses
    only what changed since the last run. Without one, the worker's (DBT_TARGET_PATH)."""
    env = {**os.environ, **OFFLINE_ENV,
           "PROFILE360_LANDING_DIR": str(landing), "PROFILE360_DB_PATH": str(db),
           "PROFILE360_EXPORTS_DIR": str(db.parent / f"{db.stem}_exports")}
    result = subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args,
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         *(["--target-path", str(target), "--log-path", str(target / "logs")] if target else [])],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def land_day(generated: Path, landing: Path, day: str) -> None:
    for source in generated.iterdir():
        if source.is_dir() and not source.name.startswith("_"):
            for drop in source.glob(f"{day}.*"):
                (landing / source.name).mkdir(parents=True, exist_ok=True)
                shutil.copy(drop, landing / source.name / drop.name)


def day_values(generated: Path, day: str) -> tuple[set[str], set[str]]:
    """Every value of every row of the day's drops (lower case), and the last
    nine digits of those holding nine digits or more (phones in any spelling)."""
    values, digits = set(), set()
    for folder in generated.iterdir():
        if not folder.is_dir() or folder.name.startswith("_"):
            continue
        for relative, row in landing_rows(generated, folder.name):
            if row is None or not relative.split("/")[-1].startswith(day):
                continue
            for value in row.values():
                text = str(value).strip().lower()
                values.add(text)
                number = "".join(character for character in text if character.isdigit())
                if len(number) >= 9:
                    digits.add(number[-9:])
    return values, digits


def pick_profiles(db: Path, day_values: tuple[set[str], set[str]]) -> dict[str, str]:
    """From the warehouse of the first seven days (identity outputs only): a
    customer's profile A (one customer id, room for one more cookie), a
    cookie-only profile B (one unflagged cookie, nothing else), a third
    customer's profile C to erase, and a fourth customer's profile D none of
    whose identifiers is in the last day's drops."""
    values, digits = day_values
    with duckdb.connect(str(db), read_only=True) as con:
        linked = """
            select profile_id,
                   count(*) filter (where identifier_type = 'customer_id') as customers,
                   count(*) filter (where identifier_type = 'anonymous_id') as cookies,
                   count(*) as identifiers,
                   min(identifier_value) filter (where identifier_type = 'customer_id') as customer_id,
                   min(identifier_value) filter (where identifier_type = 'anonymous_id') as cookie
            from identity.map_identifiers_to_profiles
            where profile_id is not null
            group by profile_id
        """
        customers = con.execute(
            f"select profile_id, customer_id from ({linked}) "
            "where customers = 1 and cookies between 1 and 20 order by profile_id"
        ).fetchall()
        cookie_only = con.execute(
            f"select profile_id, cookie from ({linked}) "
            "where cookies = 1 and identifiers = 1 order by profile_id limit 1"
        ).fetchone()
        identifiers: dict[str, list[str]] = {}
        for profile_id, value in con.execute(
            "select profile_id, identifier_value from identity.map_identifiers_to_profiles "
            "where profile_id is not null"
        ).fetchall():
            identifiers.setdefault(profile_id, []).append(value.lower())
    assert len(customers) >= 3 and cookie_only is not None

    def quiet(profile_id: str) -> bool:
        return not any(value in values or (len(value) >= 9 and value[-9:] in digits)
                       for value in identifiers[profile_id])

    quiet_customer = next(row for row in customers[2:] if quiet(row[0]))
    return {"a": customers[0][0], "customer_a": customers[0][1], "b": cookie_only[0],
            "cookie_b": cookie_only[1], "c": customers[1][0], "customer_c": customers[1][1],
            "d": quiet_customer[0], "customer_d": quiet_customer[1]}


def first_delivered_records(landing: Path, last_day: str) -> set[tuple[str, str]]:
    """(source, record key) of the records first delivered on the last day."""
    seen_before, new = set(), set()
    for source, key in RECORD_KEYS.items():
        for relative, row in landing_rows(landing, source):
            if row is None or not row.get(key):
                continue
            record = (source, str(row[key]).strip())
            if relative.split("/")[-1].startswith(last_day):
                new.add(record)
            else:
                seen_before.add(record)
    return new - seen_before
