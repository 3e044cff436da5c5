"""Staging cost against the parse floor (issue 13): one full staging build and the floor, same run.

In a fresh DuckDB file (under --work) it seeds the project and builds the staging
layer from --landing (`dbt run --select path:models/staging`, one dbt child
process, models only), then measures the parse floor: DuckDB reading every
admitted drop once into a table (one `create table ... as select * from
read_csv([the admitted files], <the source's reader options>)` per source, the
files stg_landing__files admitted). It prints both wall times, their ratio, the
slowest staging models (dbt's run_results.json) and the admission's own time
(the per-file check and listing), then, with --incremental, the same for a
second staging run with nothing new (the fixed cost of an incremental build).

Usage:
    python benchmarks/staging_benchmark.py --landing /work/bench/p100k/landing \
        --work /tmp/staging_bench [--threads 1]

Set PROFILE360_DUCKDB_MEMORY_LIMIT (e.g. 4GB) to bound DuckDB. Run it alone on
the machine (check `uptime`): this is a script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR  # noqa: E402

CSV_OPTIONS = ("header = true, all_varchar = true, filename = true, null_padding = true, "
               "delim = ',', quote = '\"', escape = '\"'")
JSONL_OPTIONS = ("header = false, columns = {'raw_line': 'varchar'}, delim = '\\x01', quote = '', "
                 "escape = '', filename = true, auto_detect = false")


def _dbt(args: list[str], env: dict[str, str], target: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args,
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(target), "--log-path", str(target / "logs")],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}")
    return elapsed


def _model_times(target: Path) -> dict[str, float]:
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {row["unique_id"].split(".")[-1]: row["execution_time"] for row in results}


def _parse_floor(db: Path, landing: Path, work: Path) -> tuple[float, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        admitted = con.execute(
            "select source, source_file from staging.stg_landing__files where status = 'admitted' "
            "order by source, source_file").fetchall()
    by_source: dict[str, list[str]] = {}
    for source, source_file in admitted:
        by_source.setdefault(source, []).append(str(landing / source_file))
    floor_db = work / "floor.duckdb"
    floor_db.unlink(missing_ok=True)
    limit = os.environ.get("PROFILE360_DUCKDB_MEMORY_LIMIT")
    rows = 0
    with duckdb.connect(str(floor_db), config={"memory_limit": limit} if limit else {}) as con:
        started = time.perf_counter()
        for source, files in sorted(by_source.items()):
            options = JSONL_OPTIONS if files[0].endswith((".jsonl", ".jsonl.gz")) else CSV_OPTIONS
            listed = ", ".join("'" + path.replace("'", "''") + "'" for path in files)
            con.execute(f"create table {source} as select * from read_csv([{listed}], {options})")
        elapsed = time.perf_counter() - started
        for source in by_source:
            rows += con.execute(f"select count(*) from {source}").fetchone()[0]
    floor_db.unlink(missing_ok=True)
    return elapsed, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", type=Path, default=Path("/work/bench/p100k/landing"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/staging_bench"))
    parser.add_argument("--threads", default="1")
    parser.add_argument("--incremental", action="store_true", help="also time a second run with nothing new")
    args = parser.parse_args()
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db, target = work / "warehouse.duckdb", work / "target"
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_LANDING_DIR": str(args.landing.resolve()),
           "PROFILE360_DB_PATH": str(db), "PROFILE360_DBT_THREADS": args.threads,
           "PROFILE360_EXPORTS_DIR": str(work / "exports")}
    print(f"landing {args.landing} · memory limit {os.environ.get('PROFILE360_DUCKDB_MEMORY_LIMIT', 'default')} · "
          f"dbt threads {args.threads} · load before {os.getloadavg()[0]:.2f}")
    _dbt(["seed"], env, target)
    staging = _dbt(["run", "--select", "path:models/staging"], env, target)
    times = _model_times(target)
    floor, rows = _parse_floor(db, args.landing.resolve(), work)
    admission = sum(seconds for name, seconds in times.items() if name.startswith("stg_landing__file"))
    print(f"staging full build (dbt run, wall): {staging:8.1f} s")
    print(f"  of which admission (file checks + listing): {admission:.1f} s")
    parse = sum(seconds for name, seconds in times.items() if name.startswith("base_"))
    print(f"  of which the one parse (base_* tables: read, type, check): {parse:.1f} s")
    print(f"parse floor (every admitted drop read once into a table, {rows:,} rows): {floor:8.1f} s")
    print(f"staging ÷ parse floor: {staging / floor:.1f}×   (models only, without dbt's start-up: "
          f"{sum(times.values()) / floor:.1f}×)")
    print("slowest staging models:")
    for name, seconds in sorted(times.items(), key=lambda item: -item[1])[:8]:
        print(f"  {name:45s} {seconds:7.1f} s")
    if args.incremental:
        again = _dbt(["run", "--select", "path:models/staging"], env, target)
        print(f"staging incremental run, nothing new (dbt run, wall): {again:.1f} s "
              f"(models: {sum(_model_times(target).values()):.1f} s)")
    print(f"DuckDB file: {db.stat().st_size / 2**30:.2f} GiB · load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
