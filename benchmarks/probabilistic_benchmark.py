"""Probabilistic identity links (Splink): accuracy with and without them, pairs
compared, time added to the identity layer.

Usage:
    python benchmarks/probabilistic_benchmark.py --sizes 10000 [100000] \
        [--days 30] [--fuzzy 0.1] [--work /tmp/probabilistic_bench]

Per size: a demo landing zone with fuzzy duplicate contacts (the generator's
--fuzzy-duplicates share; listed in _truth/fuzzy_duplicates.csv), built once up
to the identity layer with probabilistic links on, then the identity layer
rebuilt with them off (var profile360__identity_probabilistic false). Prints,
for each: pairwise precision, recall, F1 (benchmarks/identity_accuracy.py),
the recall of the fuzzy duplicates (share of fuzzy contacts in one profile with
the person's first contact), the identity layer's model time (dbt
run_results.json), and for "on" the candidate pairs the blocking rules compare,
the pairs kept (at or above the threshold) and the scoring model's time.
The trained model is the versioned one (train it first with
`profile360 train-matcher` if the settings changed).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from identity_accuracy import accuracy  # noqa: E402

from orchestration.lib.project import OFFLINE_ENV  # noqa: E402


def dbt(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args,
                             "--project-dir", str(ROOT), "--profiles-dir", str(ROOT)],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(result.stdout[-4000:] + result.stderr[-2000:])


def model_seconds(target: Path, prefix: str = "model.profile360.") -> dict[str, float]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"][len(prefix):]: r["execution_time"] for r in results
            if r["unique_id"].startswith(prefix)}


def identity_seconds(seconds: dict[str, float], con: duckdb.DuckDBPyConnection) -> float:
    identity = {row[0] for row in con.sql(
        "select table_name from information_schema.tables where table_schema = 'identity'").fetchall()}
    return sum(s for name, s in seconds.items() if name in identity)


def fuzzy_recall(con: duckdb.DuckDBPyConnection, landing: Path) -> tuple[int, int]:
    path = landing / "_truth" / "fuzzy_duplicates.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    profiles = dict(con.sql("select record_key, profile_id from identity.map_records_to_profiles "
                            "where source = 'crm_contacts'").fetchall())
    found = sum(1 for r in rows if r["contact_id"] in profiles and r["original_contact_id"] in profiles
                and profiles[r["contact_id"]] == profiles[r["original_contact_id"]])
    known = sum(1 for r in rows if r["contact_id"] in profiles and r["original_contact_id"] in profiles)
    return found, known


def candidate_pairs(con: duckdb.DuckDBPyConnection) -> int:
    from orchestration.lib.probabilistic import BLOCKING_KEYS

    unions = " union ".join(
        f"select l.record_id as a, r.record_id as b from identity.int_identity_probabilistic_records l "
        f"join identity.int_identity_probabilistic_records r on l.{key} = r.{key} "
        f"and l.record_id < r.record_id" for key in BLOCKING_KEYS)
    return con.sql(f"select count(*) from ({unions})").fetchall()[0][0]


def run(size: int, days: int, fuzzy: float, work: Path) -> None:
    from orchestration.demo import generate

    folder = work / f"p{size}"
    landing, db, target = folder / "landing", folder / "warehouse.duckdb", folder / "target"
    if not (landing / "_truth" / "fuzzy_duplicates.csv").is_file():  # generated once per size
        shutil.rmtree(folder, ignore_errors=True)
        generate(landing, persons=size, days=days, fuzzy_duplicates=fuzzy, workers=1)
    db.unlink(missing_ok=True)
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_LANDING_DIR": str(landing), "PROFILE360_DB_PATH": str(db),
           "PROFILE360_EXPORTS_DIR": str(folder / "exports"), "DBT_TARGET_PATH": str(target),
           "DBT_LOG_PATH": str(target / "logs"), "PROFILE360_DBT_THREADS": "1",
           "PROFILE360_DUCKDB_MEMORY_LIMIT": os.environ.get("PROFILE360_DUCKDB_MEMORY_LIMIT", "4GB")}
    truth = landing / "_truth" / "person_map.csv"
    dbt(["seed"], env)
    dbt(["run", "--select", "+path:models/identity", "--exclude", "fct_profile_id_changes"], env)
    on_seconds = model_seconds(target)
    con = duckdb.connect(str(db), read_only=True)
    on = accuracy(con.cursor(), truth)
    on_fuzzy = fuzzy_recall(con.cursor(), landing)
    pairs = candidate_pairs(con.cursor())
    kept = con.cursor().sql("select count(*) from identity.int_identity_probabilistic_pairs").fetchall()[0][0]
    on_identity = identity_seconds(on_seconds, con.cursor())
    con.close()
    dbt(["run", "--select", "path:models/identity", "--exclude", "fct_profile_id_changes", "--full-refresh",
         "--vars", "{profile360__identity_probabilistic: false}"], env)
    off_seconds = model_seconds(target)
    con = duckdb.connect(str(db), read_only=True)
    off = accuracy(con.cursor(), truth)
    off_fuzzy = fuzzy_recall(con.cursor(), landing)
    off_identity = identity_seconds(off_seconds, con.cursor())
    con.close()
    scoring = on_seconds.get("int_identity_probabilistic_pairs", 0.0) + on_seconds.get(
        "int_identity_probabilistic_records", 0.0)
    print(f"persons={size:,} days={days} fuzzy_share={fuzzy}")
    for name, acc, fz, secs in (("off", off, off_fuzzy, off_identity), ("on", on, on_fuzzy, on_identity)):
        print(f"  probabilistic {name:3}: precision={acc.precision:.4f} recall={acc.recall:.4f} f1={acc.f1:.4f} "
              f"fuzzy_duplicates_linked={fz[0]}/{fz[1]} ({fz[0] / max(fz[1], 1):.1%}) identity_models={secs:.1f}s")
    print(f"  candidate pairs compared={pairs:,} pairs kept={kept:,} "
          f"records+scoring models={scoring:.1f}s ({scoring / max(off_identity, 1e-9):.1%} of the identity layer off)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--fuzzy", type=float, default=0.1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/probabilistic_bench"))
    args = parser.parse_args()
    for size in args.sizes:
        run(size, args.days, args.fuzzy, args.work)


if __name__ == "__main__":
    main()
