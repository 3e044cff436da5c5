"""Spark parity: the same demo built on DuckDB and on Spark, table by table.

Generates a small demo landing zone, builds it with `dbt build` on the
default DuckDB target (one full build) and on Spark (`--target spark`, a
local Spark session, docs/spark.md), then compares every table both engines
built: row counts, and contents (rows compared as whole, `EXCEPT ALL` both
ways, after leaving out the allowed differences of ALLOWED_DIFFERENCES;
numbers column by column within RELATIVE_TOLERANCE). The Spark tables are read
from their Parquet folders by DuckDB.

Spark builds incrementally by default (--spark-build incremental): a first
`dbt build` over the drops before the first erasure request (the later drops
moved aside, the landing file checks run on what remains), then, the drops
put back, an incremental `dbt build` with the tests: its incremental models
rewrite the partitions the new drops and the erasure touch
(macros/spark/incremental.sql). Its tables equal to DuckDB's full build is
"incremental = full refresh" on Spark. The catalog is Derby's (hive) there,
kept in the work folder between the two commands. --spark-build full: one
build with the in-memory catalog.

Prints, per layer, the build time on each engine, the nodes each built and
failed, and per table the row counts and the first differing columns; exit
code 0 only when every compared table matches and neither build failed
(with --allow-failures: only the compared tables count).

Usage:
    python benchmarks/spark_parity.py --work /tmp/spark_parity [--persons 200] [--days 10]
        [--spark-tests all|unit|none] [--spark-build incremental|full] [--split-day YYYY-MM-DD] [--duckdb-tests]
        [--allow-failures] [--json figures.json]

Needs the spark extra and Java 17 (docs/spark.md). A script, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR  # noqa: E402
from tests.python import incremental_rules as rules  # noqa: E402

# Allowed differences: (table or "*", column) -> why. Every other column of
# every table both engines built must hold the same rows.
ALLOWED_DIFFERENCES: dict[tuple[str, str], str] = {
    ("*", "_loaded_at"): "the build's load timestamp: each engine builds at its own time",
    ("*", "built_at"): "the build's timestamp",
    ("staging.stg_landing__files", "first_seen_at"): "the build's timestamp of a file's first listing",
    ("staging.stg_landing__files", "content_admitted_at"): "the build's timestamp of the contents' admission",
    ("staging.stg_landing__files", "modified_at"): "file time: Spark's binaryFile and DuckDB's read_blob differ in precision",
    ("staging.stg_landing__erasure_log", "erased_at"): "the build's timestamp of the erasure",
    ("*", "fingerprint"): "change-detection hash: DuckDB hash() vs Spark xxhash64() (fingerprint_sum), internal",
    ("*", "input_fingerprint"): "change-detection hash: DuckDB hash() vs Spark xxhash64(), internal",
    ("traits.int_purchase_model_fits", "fit_id"): "Spark: SQL stand-in of the Python fit (fit_status not_fitted)",
    ("traits.int_purchase_model_fits", "fitted_at"): "Spark: SQL stand-in of the Python fit",
    ("traits.int_purchase_model_fits", "fit_status"): "Spark: SQL stand-in of the Python fit (not_fitted)",
    ("traits.int_purchase_model_fits", "fit_seconds"): "Spark: SQL stand-in of the Python fit",
    ("marts_masked.dim_search_normalizers", "normalizer_sql"): "each engine's own SQL text of the normalisers",
}
# Rows DuckDB has and Spark cannot: table -> (the DuckDB rows compared, why).
ALLOWED_MISSING_ROWS: dict[str, tuple[str, str]] = {
    "staging.stg_landing__files": (
        "size_bytes > 0",
        "Spark's file readers (binaryFile too) skip zero-byte files: an empty daily drop is not listed on Spark",
    ),
}
# Numbers (float, double, decimal) are compared column by column, sorted, within
# this relative tolerance: Spark's decimal division rounds the 6th decimal of
# e.g. days_since_previous_touchpoint differently; the other columns exactly.
RELATIVE_TOLERANCE = 1e-5
LAYERS = ("staging", "identity", "profiles", "traits", "segments", "marts", "seeds")


def layer_of(node: dict) -> str:
    path = node.get("original_file_path", "")
    for layer in LAYERS:
        if path.startswith((f"models/{layer}/", f"snapshots/{layer}/", f"{layer}/")):
            return layer
    return "other"


def run(command: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> tuple[int, float]:
    started = time.monotonic()
    with log.open("w") as handle:
        result = subprocess.run(command, cwd=cwd or PROJECT_DIR, env=env, stdout=handle,
                                stderr=subprocess.STDOUT, check=False)
    return result.returncode, time.monotonic() - started


def drop_day(path: Path) -> str | None:
    """The day a landing drop is named after (<source>/<YYYY-MM-DD>.<ext>), None for other files."""
    stem = path.name.split(".")[0]
    return stem if len(stem) == 10 and stem[4] == "-" and stem[7] == "-" else None


def first_erasure_day(landing: Path) -> str:
    """The first day whose erasure_requests drop holds a request (a line beyond the header); the
    last day when none does."""
    days = sorted(d for p in landing.glob("*/*") if (d := drop_day(p)))
    for drop in sorted((landing / "erasure_requests").glob("*.csv*")):
        opener = __import__("gzip").open if drop.suffix == ".gz" else open
        with opener(drop, "rt") as handle:
            if sum(1 for _ in handle) > 1:
                return drop_day(drop)
    return days[-1]


def drops_from(landing: Path, day: str) -> list[Path]:
    """The landing drops of `day` and later, relative to the landing folder."""
    return sorted(p.relative_to(landing) for p in landing.glob("*/*") if (d := drop_day(p)) and d >= day)


def move_drops(drops: list[Path], source: Path, destination: Path) -> None:
    for drop in drops:
        (destination / drop).parent.mkdir(parents=True, exist_ok=True)
        (source / drop).rename(destination / drop)


def results(target_path: Path) -> tuple[dict, dict]:
    manifest = json.loads((target_path / "manifest.json").read_text())
    run_results = json.loads((target_path / "run_results.json").read_text())
    return manifest, {r["unique_id"]: r for r in run_results["results"]}


def summarise(engine: str, manifest: dict, by_id: dict) -> dict[str, dict]:
    layers: dict[str, dict] = defaultdict(lambda: {"seconds": 0.0, "status": Counter()})
    for unique_id, result in by_id.items():
        node = manifest["nodes"].get(unique_id) or {}
        kind = unique_id.split(".")[0]
        layer = layer_of(node) if kind in ("model", "seed", "snapshot") else "tests"
        layers[layer]["seconds"] += result.get("execution_time") or 0.0
        layers[layer]["status"][f"{kind}:{result['status']}"] += 1
    print(f"\n{engine}: time and status per layer (dbt execution time, seconds)")
    for layer, figures in sorted(layers.items()):
        print(f"  {layer:<10} {figures['seconds']:8.1f}  "
              + ", ".join(f"{k} {v}" for k, v in sorted(figures["status"].items())))
    return layers


def duck_columns(con, relation: str) -> dict[str, str]:
    return {name: kind for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()}


def is_number(kind: str) -> bool:
    kind = kind.upper()
    return kind in ("DOUBLE", "FLOAT", "REAL") or kind.startswith("DECIMAL")


def normalised(columns: dict[str, str], keep: list[str]) -> str:
    parts = []
    for name in keep:
        kind = columns[name].upper()
        quoted = f'"{name}"'
        if kind.startswith("TIMESTAMP"):
            parts.append(f"cast(cast({quoted} as timestamp) as varchar) as {quoted}")
        else:
            parts.append(f"cast({quoted} as varchar) as {quoted}")
    return ", ".join(parts)


def numbers_differ(con, column: str, duck_rel: str, spark_rel: str) -> int:
    """Values of one numeric column that differ by more than RELATIVE_TOLERANCE, the two
    columns sorted: Spark's and DuckDB's decimal arithmetic round the last digit apart."""
    quoted = f'"{column}"'
    return con.execute(f"""
        with a as (select cast({quoted} as double) as v, row_number() over (order by {quoted} nulls first) as n
                   from {duck_rel}),
             b as (select cast({quoted} as double) as v, row_number() over (order by {quoted} nulls first) as n
                   from {spark_rel})
        select count(*) from a full join b using (n)
        where (a.v is null) <> (b.v is null)
           or abs(a.v - b.v) > {RELATIVE_TOLERANCE} * greatest(1, abs(a.v))
    """).fetchone()[0]


def compare(duck_db: Path, spark_dir: Path, manifest: dict, duck_ok: set, spark_ok: set,
            incremental: bool = False) -> list[dict]:
    """Every table both engines built, DuckDB's against Spark's. incremental: Spark's tables come
    from an incremental build, DuckDB's from a full one; what an incremental build may differ
    from a one-shot build is tests/python/incremental_rules.py's (the suite's own rules): run
    state and logs of earlier builds left out, some tables compared on their current state,
    lineage columns ignored."""
    con = duckdb.connect(str(duck_db), read_only=True)
    rows = []
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] not in ("model", "seed") or unique_id not in duck_ok or unique_id not in spark_ok:
            continue
        if node["config"].get("materialized") in ("view", "ephemeral"):
            continue
        schema, name = node["schema"], node["alias"] or node["name"]
        folder = spark_dir / f"{schema}.db" / name
        if not any(folder.glob("*.parquet")) and not any(folder.glob("**/*.parquet")):
            rows.append({"table": f"{schema}.{name}", "status": "no parquet", "duckdb": None, "spark": None})
            continue
        table = f"{schema}.{name}"
        if incremental and (table in rules.EXCLUDED or table in rules.RUN_STATE):
            rows.append({"table": table, "status": "left out", "duckdb": None, "spark": None,
                         "why": rules.RUN_STATE.get(table, "incremental history (tests/python/incremental_rules.py)")})
            continue
        duck_rel = f'"{schema}"."{name}"'
        if table in ALLOWED_MISSING_ROWS:
            duck_rel = f"(select * from {duck_rel} where {ALLOWED_MISSING_ROWS[table][0]})"
        spark_rel = f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
        if incremental and table in rules.PARTIAL:
            duck_rel, spark_rel = (f"({rules.PARTIAL[table].format(t=rel)})" for rel in (duck_rel, spark_rel))
        duck_cols = duck_columns(con, duck_rel)
        spark_cols = {k.lower(): v for k, v in duck_columns(con, spark_rel).items()}
        allowed = {column for (where, column) in ALLOWED_DIFFERENCES if where in ("*", table)}
        if incremental:
            allowed |= rules.LINEAGE_COLUMNS | rules.IDENTITY_INNER.get(table, set())
        common = [c for c in duck_cols if c.lower() in spark_cols and c.lower() not in allowed]
        keep = [c for c in common if not is_number(duck_cols[c])]
        numbers = [c for c in common if is_number(duck_cols[c])]
        missing = sorted(set(c.lower() for c in duck_cols) ^ set(spark_cols))
        duck_n = con.execute(f"select count(*) from {duck_rel}").fetchone()[0]
        spark_n = con.execute(f"select count(*) from {spark_rel}").fetchone()[0]
        entry = {"table": f"{schema}.{name}", "duckdb": duck_n, "spark": spark_n, "columns_only_one_side": missing}
        differing = []
        if keep:
            left = f"select {normalised(duck_cols, keep)} from {duck_rel}"
            right = f"select {normalised({k: spark_cols[k.lower()] for k in keep}, keep)} from {spark_rel}"
            diff = con.execute(f"select (select count(*) from ({left} except all {right})), "
                               f"(select count(*) from ({right} except all {left}))").fetchone()
            if diff != (0, 0):
                for column in keep:
                    one = normalised(duck_cols, [column])
                    other = normalised({column: spark_cols[column.lower()]}, [column])
                    n = con.execute(f"select count(*) from (select {one} from {duck_rel} except all "
                                    f"select {other} from {spark_rel})").fetchone()[0]
                    if n:
                        differing.append(f"{column} ({n})")
            entry["rows_only_duckdb"], entry["rows_only_spark"] = diff
        for column in numbers:
            n = numbers_differ(con, column, duck_rel, spark_rel)
            if n:
                differing.append(f"{column} ({n}, beyond tolerance)")
        entry["differing_columns"] = differing
        entry["status"] = "match" if duck_n == spark_n and not differing and not missing and \
            entry.get("rows_only_duckdb", 0) == 0 and entry.get("rows_only_spark", 0) == 0 else "DIFFERS"
        rows.append(entry)
    con.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--persons", type=int, default=200)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--spark-tests", choices=("all", "unit", "none"), default="all",
                        help="tests run on Spark: all (data and unit tests, default); unit (the unit tests: "
                             "their edge cases run the spark__ macros; the data tests' tables are compared "
                             "with DuckDB's instead); none")
    parser.add_argument("--spark-build", choices=("incremental", "full"), default="incremental",
                        help="incremental (default): Spark builds the drops before the first erasure request, "
                             "then all of them incrementally; full: one build")
    parser.add_argument("--split-day", help="incremental: the first day of the drops the second Spark build "
                                            "adds (YYYY-MM-DD, or last: the last day alone; default: the first "
                                            "day with an erasure request)")
    parser.add_argument("--duckdb-tests", action="store_true",
                        help="run the data and unit tests on DuckDB too (the main suite runs them)")
    parser.add_argument("--allow-failures", action="store_true",
                        help="exit 0 when every compared table matches, even if some nodes failed")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--compare-only", action="store_true",
                        help="compare the builds already in --work (no generate, no build)")
    args = parser.parse_args()

    work = args.work.resolve()
    if work.exists() and not args.compare_only:
        shutil.rmtree(work)
    landing, duck_db, spark_dir = work / "landing", work / "duckdb" / "warehouse.duckdb", work / "spark-warehouse"
    duck_db.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_LANDING_DIR": str(landing),
           "PROFILE360_DB_PATH": str(duck_db), "PROFILE360_DBT_THREADS": os.environ.get("PROFILE360_DBT_THREADS", "1"),
           "PROFILE360_SPARK_WAREHOUSE_DIR": str(spark_dir), "PROFILE360_SPARK_CATALOG": "in-memory"}
    figures: dict = {"persons": args.persons, "days": args.days}

    started = time.monotonic()
    if args.compare_only:
        return report(args, work, duck_db, spark_dir, figures, started)
    generate = [sys.executable, "-m", "orchestration.cli", "generate", "--landing-dir", str(landing),
                "--persons", str(args.persons), "--days", str(args.days)]
    code, _ = run(generate, env, work / "generate.log")
    if code:
        print(f"generate failed: {work / 'generate.log'}")
        return 1
    # Spark: every data test and unit test by default (--spark-tests). DuckDB: the
    # tables to compare with (its tests are the main suite's; --duckdb-tests runs them).
    spark_exclude = {"all": [], "unit": ["--exclude-resource-type", "test"],
                     "none": ["--exclude-resource-type", "unit_test", "test"]}[args.spark_tests]
    duck_exclude = [] if args.duckdb_tests else ["--exclude-resource-type", "unit_test", "test"]
    # Probabilistic links (Splink, a Python model) are always off on Spark (dbt_project.yml):
    # the DuckDB side builds without them too, so both engines build the same graph.
    duck_exclude += ["--vars", "{profile360__identity_probabilistic: false}"]
    env["PROFILE360_SPARK_FILE_CHECKS"] = str(work / "landing_file_checks.parquet")
    spark = ["--target", "spark"]
    no_tests = ["--exclude-resource-type", "unit_test", "test"]
    builds = [("duckdb", duck_exclude, None)]
    if args.spark_build == "incremental":
        env["PROFILE360_SPARK_CATALOG"] = "hive"
        days = sorted({d for p in landing.glob("*/*") if (d := drop_day(p))})
        split = {None: first_erasure_day(landing), "last": days[-1]}.get(args.split_day, args.split_day)
        later = drops_from(landing, split)
        figures["spark_first_build_days_before"] = split
        # The first build only needs what the second finds stored: the incremental models,
        # the snapshot, and what they read.
        stored = ["--select", "+config.materialized:incremental", "+resource_type:snapshot"]
        builds += [("spark-first", [*spark, *no_tests, *stored], later), ("spark", [*spark, *spark_exclude], None)]
    else:
        builds += [("spark", [*spark, *spark_exclude], None)]
    aside = work / "landing-later"
    for engine, extra, moved in builds:
        target_path = work / f"target-{engine}"
        if engine.startswith("spark"):
            if moved:
                move_drops(moved, landing, aside)
            elif aside.exists():
                move_drops(sorted(p.relative_to(aside) for p in aside.rglob("*") if p.is_file()), aside, landing)
            # The masked record keys use the DuckDB build's look-up key, so they compare equal.
            from orchestration.lib.serving import lookup_key
            env["PROFILE360_RECORD_KEY_SECRET"] = lookup_key(duck_db, create=True)
            # The landing file checks (a Python model dbt-spark cannot run) run before dbt.
            checks = [sys.executable, "-m", "orchestration.lib.spark_file_checks", "--landing-dir", str(landing),
                      "--out", env["PROFILE360_SPARK_FILE_CHECKS"]]
            code, seconds = run(checks, env, work / f"file_checks-{engine}.log")
            figures[f"file_checks_seconds_{engine}"] = round(seconds, 1)
            print(f"landing file checks (before {engine}): exit code {code}, {seconds:.0f} s")
            if code:
                print(f"file checks failed: {work / f'file_checks-{engine}.log'}")
                return 1
        command = dbt_build_command(extra, target_path, work / f"logs-{engine}")
        # Spark's Derby metastore (metastore_db/, derby.log) goes to the work folder.
        code, seconds = run(command, env, work / f"{engine}.log", cwd=work if engine.startswith("spark") else None)
        manifest, by_id = results(target_path)
        figures[engine] = {"exit_code": code, "wall_seconds": round(seconds, 1),
                           "layers": {k: {"seconds": round(v["seconds"], 1), "status": dict(v["status"])}
                                      for k, v in summarise(engine, manifest, by_id).items()}}
        print(f"{engine}: dbt build exit code {code}, {seconds:.0f} s wall, load {os.getloadavg()[0]:.2f} "
              f"({work / f'{engine}.log'})")
        if engine == "spark-first":
            # The Parquet files of the first build, to count what the incremental one kept.
            (work / "spark-first-files.json").write_text(json.dumps(parquet_files(spark_dir)))
        if code and engine == "spark-first":
            failed = sorted(uid for uid, r in by_id.items() if r["status"] in ("error", "fail"))
            print(f"the first Spark build failed ({len(failed)} nodes: {', '.join(failed[:10])}): "
                  "no incremental build on top of it")
            return 1
    return report(args, work, duck_db, spark_dir, figures, started)


def parquet_files(spark_dir: Path) -> dict[str, int]:
    """Every Parquet file of the Spark warehouse, with its modification time (ns)."""
    return {str(p.relative_to(spark_dir)): p.stat().st_mtime_ns for p in spark_dir.rglob("*.parquet")}


def files_kept(work: Path, spark_dir: Path, manifest: dict) -> tuple[list[dict], bool]:
    """Per incremental model: the Parquet files of the first Spark build, and how many the
    incremental build left as they were (same path, same time). A drop-partitioned table keeps
    the files of the drops it did not touch; True when those tables kept any file at all (they
    were not rebuilt whole)."""
    before = json.loads((work / "spark-first-files.json").read_text())
    now = parquet_files(spark_dir)
    rows, partitioned_kept = [], 0
    for node in sorted(manifest["nodes"].values(), key=lambda n: n["unique_id"]):
        if node["resource_type"] != "model" or node["config"].get("materialized") != "incremental":
            continue
        prefix = f"{node['schema']}.db/{node['alias'] or node['name']}/"
        first = {path: mtime for path, mtime in before.items() if path.startswith(prefix)}
        kept = sum(1 for path, mtime in first.items() if now.get(path) == mtime)
        partition_by = node["config"].get("partition_by")
        rows.append({"table": prefix.rstrip("/").replace(".db/", "."), "partition_by": partition_by,
                     "first_build_files": len(first), "kept": kept,
                     "files_now": sum(1 for path in now if path.startswith(prefix))})
        partitioned_kept += kept if partition_by else 0
    print(f"\nincremental Spark build: Parquet files of the first build kept (not rewritten), per incremental model")
    for row in rows:
        print(f"  {row['table']:<56} {row['kept']:>4} of {row['first_build_files']:>4} kept, "
              f"{row['files_now']:>4} now" + (f"  (partitioned by {row['partition_by']})" if row["partition_by"] else ""))
    return rows, partitioned_kept > 0


def report(args, work: Path, duck_db: Path, spark_dir: Path, figures: dict, started: float) -> int:
    status = {engine: results(work / f"target-{engine}")[1] for engine in ("duckdb", "spark")}
    for engine, by_id in status.items():
        figures.setdefault(engine, {"exit_code": 0 if all(
            r["status"] not in ("error", "fail") for r in by_id.values()) else 1})
    ok = {engine: {uid for uid, r in by_id.items() if r["status"] in ("success", "pass")}
          for engine, by_id in status.items()}
    manifest, _ = results(work / "target-spark")
    incremental_build = (work / "spark-first-files.json").exists()
    everything = compare(duck_db, spark_dir, manifest, ok["duckdb"], ok["spark"], incremental=incremental_build)
    compared = [entry for entry in everything if entry["status"] != "left out"]
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    built = {engine: sum(1 for n in models if n["unique_id"] in ok[engine]) for engine in ok}
    print(f"\nmodels built: duckdb {built['duckdb']}/{len(models)}, spark {built['spark']}/{len(models)}")
    failed_spark = sorted(uid for uid, r in status["spark"].items() if r["status"] in ("error", "fail"))
    print(f"spark nodes failed: {len(failed_spark)}")
    for uid in failed_spark:
        message = (status["spark"][uid].get("message") or "").splitlines()
        print(f"  {uid}: {next((line.strip() for line in message if line.strip()), '')[:160]}")
    print(f"\n{'table':<58} {'duckdb':>8} {'spark':>8}  status")
    for entry in compared:
        print(f"{entry['table']:<58} {entry['duckdb'] if entry['duckdb'] is not None else '-':>8} "
              f"{entry['spark'] if entry['spark'] is not None else '-':>8}  {entry['status']}"
              + (f"  columns: {', '.join(entry['differing_columns'][:6])}" if entry.get("differing_columns") else "")
              + (f"  one side only: {', '.join(entry['columns_only_one_side'])}" if entry.get("columns_only_one_side") else ""))
    for entry in everything:
        if entry["status"] == "left out":
            print(f"{entry['table']:<58} {'-':>8} {'-':>8}  left out (incremental build): {entry['why']}")
    matching = sum(1 for e in compared if e["status"] == "match")
    print(f"\ntables compared: {len(compared)}, matching: {matching}; allowed differences: "
          + "; ".join(f"{table}.{column}: {why}" for (table, column), why in ALLOWED_DIFFERENCES.items())
          + "; rows: " + "; ".join(f"{table} where {rows}: {why}" for table, (rows, why) in ALLOWED_MISSING_ROWS.items()))
    print(f"total wall time {time.monotonic() - started:.0f} s")
    figures.update({"models": len(models), "built": built, "compared": compared, "failed_spark": failed_spark})
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    builds_ok = figures["duckdb"]["exit_code"] == 0 and figures["spark"]["exit_code"] == 0
    incremental = True
    if incremental_build:
        figures["files_kept"], incremental = files_kept(work, spark_dir, manifest)
        if not incremental:
            print("FAILED: the incremental Spark build rewrote every file of its drop-partitioned tables "
                  "(rebuilt whole, not incremental)")
    return 0 if matching == len(compared) and compared and incremental and (builds_ok or args.allow_failures) else 1


def dbt_build_command(extra: list[str], target_path: Path, log_path: Path) -> list[str]:
    return [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "build", "--project-dir", str(PROJECT_DIR),
            "--profiles-dir", str(PROJECT_DIR), *extra, "--target-path", str(target_path), "--log-path", str(log_path)]


if __name__ == "__main__":
    sys.exit(main())
