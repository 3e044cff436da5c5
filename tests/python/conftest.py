"""Shared fixtures: one demo landing zone and one warehouse built from it per
test session, in temporary folders (never the user's demo or warehouse)."""

from __future__ import annotations

import csv
import gzip
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR

# The demo as the README builds it, shortened to keep the suite quick.
DEMO_PERSONS = 1000
DEMO_DAYS = 60


@dataclass(frozen=True)
class BuiltWarehouse:
    landing_dir: Path
    db_path: Path
    build: subprocess.CompletedProcess

    @property
    def exports_dir(self) -> Path:
        """Where the build writes audience exports (PROFILE360_EXPORTS_DIR, see run_cli)."""
        return exports_dir_for(self.db_path)

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


def run_cli(*args: str, landing_dir: Path, db_path: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the `profile360` command line in a child process, as a scheduler would."""
    env = {**os.environ, **OFFLINE_ENV,
           "PROFILE360_LANDING_DIR": str(landing_dir), "PROFILE360_DB_PATH": str(db_path),
           "PROFILE360_EXPORTS_DIR": str(exports_dir_for(db_path))}
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """Generate demo data and `profile360 build` it once for the whole session."""
    root = tmp_path_factory.mktemp("demo")
    landing, db = root / "landing", root / "warehouse.duckdb"
    generated = run_cli("generate", "--persons", str(DEMO_PERSONS), "--days", str(DEMO_DAYS),
                        landing_dir=landing, db_path=db)
    assert generated.returncode == 0, generated.stderr
    build = run_cli("build", landing_dir=landing, db_path=db)
    return BuiltWarehouse(landing, db, build)
