"""Stitching step on a built warehouse: the dbt models vs SciPy vs Splink, same used links.

Copies a built warehouse (default: the 100k-person bench warehouse), re-derives
the identity layer on the copy (occurrences, flags, links; not timed), then
prints, in one run:
  - the stitching step: the dbt models from the used links in the warehouse to
    the record and identifier profile ids (number dictionary, identifier-graph
    edges, components, limit split, node labels, profile anchors, both maps),
    as a `dbt run --full-refresh` of those models: dbt's own per-model times
    (run_results.json) and their sum, and the wall time of the dbt process;
  - the SciPy reference: read the same used links (int_identity_links where
    is_link) out of the warehouse, number the nodes, run
    scipy.sparse.csgraph.connected_components, write the labels back into a
    table; and connected_components alone on the links already in memory;
  - Splink's cluster_pairwise_predictions_at_threshold on the same links
    (record and identifier nodes, one edge per used link), in the same
    DuckDB file, when splink is installed (it is not a project dependency:
    pip install splink);
  - the ratios of the stitching step to each, graph sizes, rounds.

Usage:
    python benchmarks/stitching_benchmark.py [--source /work/bench/p100k/warehouse.duckdb] \
        [--landing /work/bench/p100k/landing] [--work /tmp/stitching_bench] [--reuse]

--reuse skips the copy and the identity re-derivation (a copy prepared by an
earlier run). Set PROFILE360_DUCKDB_MEMORY_LIMIT to bound DuckDB. Run it alone
on the machine: this is a script that prints figures, never a test.
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

from orchestration.lib.dbt import dbt_command  # noqa: E402
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR  # noqa: E402

PREPARE = "int_identifier_occurrences int_identifiers_flagged int_identity_links"
STITCHING = ("int_identity_identifier_numbers int_identity_graph_edges int_identity_merged_components "
             "int_identity_split_edges int_identity_split_components int_identity_components "
             "int_identity_profile_anchors map_records_to_profiles map_identifiers_to_profiles")


def _dbt(select: str, db: Path, landing: Path, work: Path) -> tuple[float, dict[str, float]]:
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(db),
           "PROFILE360_LANDING_DIR": str(landing), "PROFILE360_DBT_THREADS": "1",
           "PROFILE360_EXPORTS_DIR": str(work / "exports")}
    target = work / "target"
    started = time.perf_counter()
    result = subprocess.run(
        dbt_command("run", select=select, extra=["--full-refresh", "--target-path", str(target),
                                                 "--log-path", str(work / "logs")]),
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"dbt run failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return wall, {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results}


USED_LINKS = "select record_node_id, identifier_node_id from identity.int_identity_links where is_link"


def _scipy(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    started = time.perf_counter()
    # Node numbers by DuckDB, then the edges as numbers (two joins on text, as the
    # reference always did).
    con.execute(f"""
        create or replace table main.bench_nodes as
        with links as ({USED_LINKS})
        select node_id, row_number() over () - 1 as ix
        from (select record_node_id as node_id from links union select identifier_node_id from links)
    """)
    con.execute(f"""
        create or replace table main.bench_links as
        select r.ix as a, i.ix as b from ({USED_LINKS}) as links
        inner join bench_nodes as r on links.record_node_id = r.node_id
        inner join bench_nodes as i on links.identifier_node_id = i.node_id
    """)
    edges = con.execute("select a, b from bench_links").fetchnumpy()
    nodes = con.execute("select count(*) from bench_nodes").fetchone()[0]
    read = time.perf_counter()
    graph = coo_matrix((np.ones(len(edges["a"]), dtype=np.int8), (edges["a"], edges["b"])),
                       shape=(nodes, nodes)).tocsr()
    cc_started = time.perf_counter()
    count, labels = connected_components(graph, directed=False)
    cc_done = time.perf_counter()
    import pandas as pd
    frame = pd.DataFrame({"ix": np.arange(nodes, dtype=np.int64), "component": labels})
    writer = con.cursor()
    writer.register("bench_labels_frame", frame)
    writer.execute("""
        create or replace table main.bench_scipy_labels as
        select bench_nodes.node_id, bench_labels_frame.component
        from main.bench_nodes as bench_nodes inner join bench_labels_frame on bench_nodes.ix = bench_labels_frame.ix
    """)
    writer.unregister("bench_labels_frame")
    writer.close()
    done = time.perf_counter()
    return {"total": done - started, "read": read - started, "cc_only": cc_done - cc_started,
            "csr_build": cc_started - read, "write_back": done - cc_done,
            "nodes": nodes, "edges": len(edges["a"]), "components": count}


def _splink(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    try:
        from splink import DuckDBAPI
        from splink.clustering import cluster_pairwise_predictions_at_threshold
    except ImportError as error:
        return {"error": f"splink not installed: {error}"}
    con.execute(f"""
        create or replace table main.bench_splink_edges as
        select record_node_id as node_id_l, identifier_node_id as node_id_r from ({USED_LINKS})
    """)
    con.execute("""
        create or replace table main.bench_splink_nodes as
        select node_id_l as node_id from main.bench_splink_edges
        union select node_id_r from main.bench_splink_edges
    """)
    db_api = DuckDBAPI(connection=con)
    started = time.perf_counter()
    clusters = cluster_pairwise_predictions_at_threshold(
        "bench_splink_nodes", "bench_splink_edges", db_api=db_api, node_id_column_name="node_id")
    (count,) = con.execute(f"select count(distinct cluster_id) from {clusters.physical_name}").fetchone()
    return {"total": time.perf_counter() - started, "components": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="/work/bench/p100k/warehouse.duckdb")
    parser.add_argument("--landing", default="/work/bench/p100k/landing")
    parser.add_argument("--work", default="/tmp/stitching_bench")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    db = work / "warehouse.duckdb"
    landing = Path(args.landing)
    if not args.reuse:
        started = time.perf_counter()
        shutil.copy(args.source, db)
        print(f"copied {args.source} in {time.perf_counter() - started:.1f} s", flush=True)
        wall, _ = _dbt(PREPARE, db, landing, work)
        print(f"identity links re-derived (not timed as stitching) in {wall:.1f} s", flush=True)

    wall, times = _dbt(STITCHING, db, landing, work)
    step = sum(times.values())
    print("stitching step (dbt run --full-refresh, per model, s):")
    for name, seconds in times.items():
        print(f"  {name:40s} {seconds:7.2f}")
    print(f"  {'sum of models':40s} {step:7.2f}   (dbt process wall {wall:.1f} s)", flush=True)

    con = duckdb.connect(str(db))
    try:
        memory = os.environ.get("PROFILE360_DUCKDB_MEMORY_LIMIT")
        if memory:
            con.execute(f"set memory_limit = '{memory}'")
        graph = con.execute("""
            select (select count(*) from identity.int_identity_identifier_numbers),
                   (select count(*) from identity.int_identity_graph_edges),
                   (select count(*) from identity.int_identity_split_edges),
                   (select max(stitch_rounds) from identity.int_identity_merged_components),
                   (select max(stitch_rounds) from identity.int_identity_split_components),
                   (select count(*) from identity.int_identity_links where is_link),
                   (select count(distinct record_node_id) from identity.int_identity_links),
                   (select count(*) from identity.int_identity_profile_anchors)
        """).fetchone()
        print(f"identifier graph: {graph[0]:,} nodes, {graph[1]:,} edges; split layers: {graph[2]:,} edges; "
              f"rounds: merged {graph[3]}, split {graph[4]}; used links {graph[5]:,}; "
              f"records {graph[6]:,}; profiles {graph[7]:,}", flush=True)
        scipy = _scipy(con)
        print(f"scipy reference (read + csr + connected_components + write back): {scipy['total']:.2f} s "
              f"(read {scipy['read']:.2f}, csr {scipy['csr_build']:.2f}, cc {scipy['cc_only']:.2f}, "
              f"write {scipy['write_back']:.2f}); record-identifier graph {scipy['nodes']:,} nodes, "
              f"{scipy['edges']:,} edges, {scipy['components']:,} components", flush=True)
        splink = _splink(con)
        if "error" in splink:
            print(f"splink: {splink['error']}")
        else:
            print(f"splink cluster_pairwise_predictions_at_threshold: {splink['total']:.2f} s, "
                  f"{splink['components']:,} components", flush=True)
    finally:
        con.close()
    print(f"ratio stitching step / scipy reference: {step / scipy['total']:.2f}")
    print(f"ratio stitching step / scipy connected_components alone: {step / scipy['cc_only']:.1f}")
    if "total" in splink:
        print(f"ratio stitching step / splink clustering: {step / splink['total']:.2f}")


if __name__ == "__main__":
    main()
