"""End-to-end build at several sizes: a full build, then one incremental day, per layer.

For each size (persons) it generates the demo landing zone (180 days by
default; an existing `<work>/p<persons>/landing` is reused unless
--regenerate), then in a fresh DuckDB file:
  1. full build: every drop but the last day's, layer by layer (one dbt child
     process per layer: staging, identity, profiles, traits, segments, marts);
  2. incremental day: the last day's drops are added to the landing zone and
     the same layers are built again (no --full-refresh): about 1/days of the
     data is new (0.6% at 180 days).
Per layer and phase it prints wall seconds, rows in the layer's relations,
peak memory (max RSS of that dbt child process, from os.wait4) and the DuckDB
file size after it; then the totals, the incremental day as a share of the
full build, and the slowest models of each phase (dbt's run_results.json).

The landing zone of a phase is a folder of symbolic links to the generated
files, so no drop is copied. dbt tests are not run (models, seeds and
snapshots only: `dbt build --exclude-resource-type test unit_test`); pass
--with-tests to time a `dbt test` step after each phase.

Usage:
    python benchmarks/e2e_benchmark.py --sizes 10000 100000 1000000 \
        --work /tmp/e2e_bench [--days 180] [--gzip] [--keep] [--json figures.jsonl]

Set PROFILE360_DUCKDB_MEMORY_LIMIT (e.g. 10GB) to bound DuckDB; it spills to
disk beyond it. This is a script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.identity_benchmark import _generate  # noqa: E402
from benchmarks.staging_benchmark import _parse_floor  # noqa: E402
from orchestration.lib.dbt import dbt_command  # noqa: E402
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR  # noqa: E402

# Layer -> dbt selection, in build order (docs/layers.md). Seeds are reference
# data read by staging and identity; the snapshot belongs to identity.
LAYERS: dict[str, str] = {
    "staging": "path:models/staging path:seeds",
    "identity": "path:models/identity path:snapshots",
    "profiles": "path:models/profiles",
    "traits": "path:models/traits",
    "segments": "path:models/segments",
    "marts": "path:models/marts",
}
EXCLUDE = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


def _drop_day(path: Path) -> str:
    """The day of a drop file (`2026-05-27.csv.gz` -> `2026-05-27`)."""
    return path.name.split(".", 1)[0]


def _link_landing(source: Path, target: Path, last_day: str, *, include_last: bool) -> int:
    """Fill `target` with links to the drops of `source` up to the last day; return files linked."""
    linked = 0
    for folder in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith("_")):
        (target / folder.name).mkdir(parents=True, exist_ok=True)
        for drop in sorted(folder.iterdir()):
            day = _drop_day(drop)
            if day > last_day or (day == last_day and not include_last):
                continue
            link = target / folder.name / drop.name
            if not link.exists():
                link.symlink_to(drop.resolve())
                linked += 1
    return linked


def _run_layer(selection: str, env: dict[str, str], work: Path, command: str = "build",
               extra: list[str] | None = None) -> tuple[float, float, dict[str, tuple[float, str]]]:
    """One dbt child process: (wall seconds, its peak RSS in GiB, {model: (seconds, relation)})."""
    target = work / "target"
    args = dbt_command(command, select=selection,
                       extra=[*(extra if extra is not None else EXCLUDE),
                              "--target-path", str(target), "--log-path", str(work / "logs")])
    log = work / "dbt_child.log"
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        child = subprocess.Popen(args, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        # wait4 gives this child's own resource usage (ru_maxrss in KiB on Linux).
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"dbt {command} --select {selection} failed ({code}):\n"
                           f"{log.read_text(encoding='utf-8')[-6000:]}")
    nodes = {}
    with open(target / "run_results.json", encoding="utf-8") as handle:
        for node in json.load(handle)["results"]:
            nodes[node["unique_id"].split(".")[-1]] = (node["execution_time"], node.get("relation_name"))
    return wall, usage.ru_maxrss / 2**20, nodes


def _rows(db: Path, relations: list[str]) -> int:
    """Rows in the tables among `relations` (views are skipped: a base_ view re-reads the files)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {f'"{catalog}"."{schema}"."{name}"'.lower() for catalog, schema, name in con.execute(
            "select database_name, schema_name, table_name from duckdb_tables()").fetchall()}
        total = 0
        for relation in relations:
            if relation.lower() in tables:
                (count,) = con.execute(f"select count(*) from {relation}").fetchone()
                total += count
        return total
    finally:
        con.close()


def _phase(name: str, env: dict[str, str], work: Path, db: Path, with_tests: bool) -> dict[str, object]:
    layers: dict[str, dict[str, object]] = {}
    models: dict[str, float] = {}
    for layer, selection in LAYERS.items():
        wall, peak, nodes = _run_layer(selection, env, work)
        relations = [relation for _, relation in nodes.values() if relation]
        layers[layer] = {"s": round(wall, 1), "rows": _rows(db, relations),
                         "peak_rss_gib": round(peak, 2), "db_gib": round(db.stat().st_size / 2**30, 2)}
        models.update({model: seconds for model, (seconds, _) in nodes.items()})
        print(f"  {name:<11} {layer:<9} {wall:8.1f} s  rows={layers[layer]['rows']:>12,}  "
              f"peak={peak:5.2f} GiB  db={layers[layer]['db_gib']:.2f} GiB", flush=True)
    if with_tests:
        wall, peak, _ = _run_layer("path:models path:snapshots path:seeds", env, work, command="test",
                                   extra=["--exclude-resource-type", "unit_test"])
        layers["tests"] = {"s": round(wall, 1), "rows": 0, "peak_rss_gib": round(peak, 2),
                           "db_gib": round(db.stat().st_size / 2**30, 2)}
        print(f"  {name:<11} {'tests':<9} {wall:8.1f} s  peak={peak:5.2f} GiB", flush=True)
    slowest = sorted(models.items(), key=lambda item: -item[1])[:5]
    return {"layers": layers, "total_s": round(sum(layer["s"] for layer in layers.values()), 1),
            "peak_rss_gib": max(layer["peak_rss_gib"] for layer in layers.values()),
            "slowest_models": [[model, round(seconds, 1)] for model, seconds in slowest]}


def run_size(persons: int, args: argparse.Namespace) -> dict[str, object]:
    work = Path(args.work) / f"p{persons}"
    generated_landing, db, run_landing = work / "landing", work / "wh.duckdb", work / "landing_run"
    work.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    # A target path left by a run from another checkout holds a partial-parse
    # manifest with that checkout's paths (dbt would load its seeds from there).
    shutil.rmtree(work / "target", ignore_errors=True)
    shutil.rmtree(run_landing, ignore_errors=True)
    generated: float | None = None
    if args.regenerate or not (generated_landing / "_truth" / "person_map.csv").exists():
        shutil.rmtree(generated_landing, ignore_errors=True)
        generated = _generate(generated_landing, persons, args.days, args.gzip)
    days = sorted({_drop_day(f) for f in (generated_landing / "web_events").iterdir()})
    last_day = days[-1]
    landing_gib = sum(f.stat().st_size for f in generated_landing.rglob("*")
                      if f.is_file() and "_truth" not in f.parts) / 2**30

    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_LANDING_DIR": str(run_landing),
           "PROFILE360_DB_PATH": str(db), "PROFILE360_EXPORTS_DIR": str(work / "exports")}
    env.pop("PROFILE360_AS_OF_DATE", None)  # as of the latest day in the data
    print(f"persons={persons:,} days={len(days)} landing={landing_gib:.2f} GiB "
          f"generate_s={'reused' if generated is None else round(generated, 1)}", flush=True)

    files_full = _link_landing(generated_landing, run_landing, last_day, include_last=False)
    full = _phase("full", env, work, db, args.with_tests)
    floor: dict[str, float] | None = None
    if args.floor:
        # The parse floor in the same run, right after the full build: DuckDB reading
        # every drop the build admitted once into a table (benchmarks/staging_benchmark.py).
        floor_s, floor_rows = _parse_floor(db, run_landing, work)
        staging_s = full["layers"]["staging"]["s"]
        floor = {"s": round(floor_s, 1), "rows": floor_rows,
                 "staging_over_floor": round(staging_s / floor_s, 2)}
        print(f"  parse floor {floor_s:.1f} s ({floor_rows:,} rows); full staging layer "
              f"{staging_s:.1f} s = {staging_s / floor_s:.1f}x the floor", flush=True)
    files_day = _link_landing(generated_landing, run_landing, last_day, include_last=True)
    incremental = _phase("incremental", env, work, db, args.with_tests)

    result = {
        "persons": persons, "days": len(days), "landing_gib": round(landing_gib, 2),
        "generate_s": None if generated is None else round(generated, 1),
        "files_full": files_full, "files_incremental_day": files_day,
        "full": full, "incremental": incremental, "parse_floor": floor,
        "incremental_over_full": round(incremental["total_s"] / full["total_s"], 3),
        "db_gib": round(db.stat().st_size / 2**30, 2),
        "memory_limit": os.environ.get("PROFILE360_DUCKDB_MEMORY_LIMIT", "16GB (profiles.yml default)"),
    }
    print(f"  full build {full['total_s']:.1f} s, incremental day {incremental['total_s']:.1f} s "
          f"({result['incremental_over_full']:.1%} of full); peak RSS {full['peak_rss_gib']} GiB; "
          f"slowest (full): {full['slowest_models']}; slowest (incremental): "
          f"{incremental['slowest_models']}", flush=True)
    if not args.keep:
        shutil.rmtree(work / "target", ignore_errors=True)
        shutil.rmtree(work / "exports", ignore_errors=True)
        db.unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--work", default="/tmp/e2e_bench")
    parser.add_argument("--gzip", action="store_true", help="write gzip drops (less disk)")
    parser.add_argument("--regenerate", action="store_true", help="regenerate even if the landing exists")
    parser.add_argument("--keep", action="store_true", help="keep the warehouse and exports")
    parser.add_argument("--with-tests", action="store_true", help="also time dbt's data tests per phase")
    parser.add_argument("--floor", action="store_true",
                        help="after the full build, time the parse floor (staging ÷ floor)")
    parser.add_argument("--json", help="append each size's figures as a JSON line to this file")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {platform.python_version()}, duckdb {duckdb.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    results = []
    for persons in args.sizes:
        result = run_size(persons, args)
        results.append(result)
        if args.json:
            with open(args.json, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(result) + "\n")
    for smaller, larger in zip(results, results[1:]):
        growth = larger["full"]["total_s"] / smaller["full"]["total_s"]
        size = larger["persons"] / smaller["persons"]
        print(f"full build {smaller['persons']:,} -> {larger['persons']:,} persons: x{growth:.1f} time "
              f"for x{size:.0f} persons (linear = x{size:.0f}; ratio {growth / size:.2f})", flush=True)


if __name__ == "__main__":
    main()
