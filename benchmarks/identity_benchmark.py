"""Identity resolution at several sizes: accuracy, speed, memory, rounds, and SciPy as a reference.

For each size (persons) it generates the demo landing zone (180 days by
default), builds staging and the identity layer (models and snapshot, no
tests) into a fresh DuckDB file in a child process, and prints:
  - pairwise precision, recall, F1 against _truth/person_map.csv, and the
    evidence ceiling (benchmarks/identity_accuracy.py);
  - split persons (records in two or more profiles) and over-merged persons
    (sharing a profile with another person);
  - wall time of generation and of the build, the stitching models' own time
    (the dictionary, edges, components and split models and
    int_identity_components, from dbt's run_results.json), the build's peak
    memory (max RSS of the dbt child process) and the DuckDB file size;
  - stitching rounds (total, passes, most in one pass) against 2 * log2(nodes);
  - SciPy's connected_components on the same edges (the used links of the
    first pass), timed with and without reading the edges out of DuckDB, and
    the ratio of the stitching model's time to it.

Usage (SciPy is in the `bench` extra: pip install -e ".[bench]"):
    python benchmarks/identity_benchmark.py --sizes 10000 100000 1000000 \
        --work /tmp/identity_bench [--days 180] [--gzip] [--keep]

Set PROFILE360_DUCKDB_MEMORY_LIMIT (e.g. 12GB) to bound DuckDB; it spills to
disk beyond it. This is a script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.identity_accuracy import accuracy, evidence_ceiling  # noqa: E402
from orchestration.lib.dbt import dbt_command  # noqa: E402
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR  # noqa: E402

SELECTION = "+fct_profile_id_changes +fct_identity_links"


def _generate(landing: Path, persons: int, days: int, gzip: bool) -> float:
    from orchestration.demo import generate

    started = time.perf_counter()
    generate(landing, persons=persons, days=days, gzip=gzip)
    return time.perf_counter() - started


def _build(landing: Path, db: Path, work: Path) -> tuple[float, float, dict[str, float]]:
    """dbt build of the identity layer: wall seconds, peak RSS in GiB of the child, node timings."""
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_LANDING_DIR": str(landing),
           "PROFILE360_DB_PATH": str(db)}
    target = work / "target"
    command = dbt_command("build", select=SELECTION,
                          extra=["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
                                 "--target-path", str(target), "--log-path", str(work / "logs")])
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"dbt build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest child waited for so far (KiB on Linux).
    peak_gib = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 2**20
    timings = {}
    with open(target / "run_results.json", encoding="utf-8") as handle:
        for node in json.load(handle)["results"]:
            timings[node["unique_id"].split(".")[-1]] = node["execution_time"]
    return wall, peak_gib, timings


def _persons_split_and_overmerged(con: duckdb.DuckDBPyConnection, truth: Path) -> tuple[int, int]:
    split, overmerged = con.execute(f"""
        with joined as (
            select m.profile_id, t.person_id
            from identity.map_records_to_profiles as m
            inner join read_csv('{truth}', all_varchar = true) as t
                on m.source = t.source and m.record_key = t.record_key
        ),
        per_person as (
            select person_id, count(distinct profile_id) as profiles from joined group by person_id
        ),
        shared_profiles as (
            select profile_id from joined group by profile_id having count(distinct person_id) > 1
        )
        select
            (select count(*) from per_person where profiles > 1),
            (select count(distinct person_id) from joined
             where profile_id in (select profile_id from shared_profiles))
    """).fetchone()
    return split, overmerged


def _scipy_reference(con: duckdb.DuckDBPyConnection) -> tuple[float, float, int, int]:
    """(seconds incl. reading edges, seconds of connected_components alone, nodes, components)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    started = time.perf_counter()
    edges = con.execute("""
        with links as (
            select record_node_id, identifier_node_id from identity.int_identity_links where is_link
        ),
        nodes as (
            select node_id, row_number() over () - 1 as ix
            from (select record_node_id as node_id from links
                  union select identifier_node_id from links)
        )
        select r.ix as a, i.ix as b
        from links
        inner join nodes as r on links.record_node_id = r.node_id
        inner join nodes as i on links.identifier_node_id = i.node_id
    """).fetchnumpy()
    nodes = int(max(edges["a"].max(initial=-1), edges["b"].max(initial=-1)) + 1)
    graph = coo_matrix((np.ones(len(edges["a"]), dtype=np.int8), (edges["a"], edges["b"])),
                       shape=(nodes, nodes)).tocsr()
    computed = time.perf_counter()
    components, _ = connected_components(graph, directed=False)
    done = time.perf_counter()
    return done - started, done - computed, nodes, components


def run_size(persons: int, args: argparse.Namespace) -> dict[str, object]:
    work = Path(args.work) / f"p{persons}"
    landing, db = work / "landing", work / "wh.duckdb"
    if db.exists():
        db.unlink()
    work.mkdir(parents=True, exist_ok=True)
    generated = 0.0
    if not (landing / "_truth" / "person_map.csv").exists() or args.regenerate:
        generated = _generate(landing, persons, args.days, args.gzip)
    build_wall, peak_gib, timings = _build(landing, db, work)
    truth = landing / "_truth" / "person_map.csv"
    con = duckdb.connect(str(db), read_only=True)
    try:
        figures = accuracy(con, truth)
        ceiling = evidence_ceiling(con, truth) if not args.no_ceiling else float("nan")
        split, overmerged = _persons_split_and_overmerged(con, truth)
        (graph_nodes,) = con.execute("select count(*) from identity.int_identity_components").fetchone()
        scipy_total, scipy_cc, scipy_nodes, scipy_components = _scipy_reference(con)
        (links,) = con.execute("select count(*) from identity.int_identity_links where is_link").fetchone()
    finally:
        con.close()
    # The stitching step: from the used links to the components (the same
    # models as benchmarks/stitching_benchmark.py times, maps aside).
    stitching_models = ("int_identity_identifier_numbers", "int_identity_graph_edges",
                        "int_identity_merged_components", "int_identity_split_edges",
                        "int_identity_split_components", "int_identity_components")
    stitching = sum(timings.get(name, float("nan")) for name in stitching_models)
    identity_models = sum(t for name, t in timings.items()
                          if name.startswith(("int_identi", "int_event_identifiers", "int_record_identifiers",
                                              "map_", "fct_", "snp_")))
    result = {
        "persons": persons, "days": args.days, "records": figures.records, "profiles": figures.profiles,
        "true_persons": figures.persons, "precision": round(figures.precision, 4),
        "recall": round(figures.recall, 4), "f1": round(figures.f1, 4),
        "evidence_ceiling": round(ceiling, 4), "split_persons": split, "overmerged_persons": overmerged,
        "generate_s": round(generated, 1), "build_s": round(build_wall, 1),
        "identity_models_s": round(identity_models, 1), "stitching_s": round(stitching, 1),
        "peak_rss_gib": round(peak_gib, 2), "db_gib": round(db.stat().st_size / 2**30, 2),
        "graph_nodes": graph_nodes, "used_links": links,
        "rounds_total": figures.rounds_total, "passes": figures.passes,
        "max_rounds_per_pass": figures.max_rounds_per_pass,
        "round_limit_2log2n": round(2 * math.log2(max(graph_nodes, 2)), 1),
        "scipy_s": round(scipy_total, 2), "scipy_cc_only_s": round(scipy_cc, 3),
        "scipy_components": scipy_components,
        "stitching_over_scipy": round(stitching / scipy_total, 1) if scipy_total else None,
    }
    if not args.keep:
        shutil.rmtree(work / "target", ignore_errors=True)
        db.unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--work", default="/tmp/identity_bench")
    parser.add_argument("--gzip", action="store_true", help="write gzip drops (less disk)")
    parser.add_argument("--regenerate", action="store_true", help="regenerate even if the landing exists")
    parser.add_argument("--keep", action="store_true", help="keep the warehouse files")
    parser.add_argument("--no-ceiling", action="store_true",
                        help="skip the evidence ceiling (pure-Python union-find, slow at 1M)")
    parser.add_argument("--json", help="also append each size's figures as a JSON line to this file")
    args = parser.parse_args()
    for persons in args.sizes:
        result = run_size(persons, args)
        print(" ".join(f"{key}={value}" for key, value in result.items()), flush=True)
        if args.json:
            with open(args.json, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
