"""Predictions (issue 20) on a built warehouse: lookalike lift, next-best hit rate, fit and
scoring time.

It copies a built warehouse (read-only source, e.g. the 100k-person demo) into --work,
builds the prediction models on the copy, then measures:

  1. Fit and scoring time: dbt's timing of every prediction model (run_results.json), and
     the fit's own seconds and sample from its log (int_purchase_model_fits).
  2. Lookalike lift, for three declared segments: half of a segment's members (those whose
     profile id ends in 0-7, a hash: a random half) seed a lookalike audience declared on the
     command line (var profile360__extra_segments); the other half is hidden among the
     profiles outside the seed, which int_lookalike_scores ranks. Lift of the top decile =
     (hidden members among the top 10% / top 10%) / (hidden members / profiles ranked);
     random ranking gives 1.
  3. Next-best products, hit rate at 3: each buyer's last purchase (latest purchase time,
     ties by purchase id) is held out; the rule (macro next_best_products_ctes, the SQL the
     trait uses, compiled by dbt) proposes 3 products from what came before it: the
     purchases before it and the products viewed or carted in the 30 days before it; a hit
     is a proposal found among the held-out purchase's products the buyer had not bought
     before. Compared with the same macro without the views (co-purchase and popularity)
     and with neither views nor co-purchase neighbours (popularity: the 3 most bought
     products the buyer does not have), the baseline. Buyers whose last purchase brought no
     new product are not counted.

Usage:
    python benchmarks/predictions_benchmark.py --source /work/bench/p100k/warehouse.duckdb \
        --landing /work/bench/p100k/landing --work /tmp/predictions_bench

This is a script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR  # noqa: E402

# The prediction models and the models whose SQL they changed (dim_profile_traits gains the
# predicted columns; the segment models add the churn and lookalike segments).
MODELS = [
    "int_engagement_events_as_of", "int_profile_product_state", "int_purchase_model_inputs", "int_purchase_model_fits",
    "trait_predicted_value", "trait_next_best_products", "dim_profile_traits",
    "int_lookalike_seeds", "int_lookalike_features", "int_lookalike_weights",
    "int_lookalike_scores", "int_segment_members", "dim_segments", "rpt_segment_comparison",
]
LOOKALIKE_MODELS = ["int_lookalike_seeds", "int_lookalike_weights", "int_lookalike_scores"]
SEGMENTS = ["champions", "omnichannel_shoppers", "high_intent_browsers"]
HALF = "substr(profile_id, length(profile_id), 1) in ('0', '1', '2', '3', '4', '5', '6', '7')"


def dbt(args: list[str], work: Path, landing: Path, db: Path) -> dict:
    """Run dbt on the copy; return its run_results.json."""
    target = work / "target"
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(db), "PROFILE360_LANDING_DIR": str(landing),
           "PROFILE360_EXPORTS_DIR": str(work / "exports"),
           "PROFILE360_DBT_THREADS": os.environ.get("PROFILE360_DBT_THREADS", "1")}
    result = subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args,
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(target), "--log-path", str(work / "logs")],
        capture_output=True, text=True, env=env, cwd=PROJECT_DIR, check=False,
    )
    if result.returncode != 0:
        sys.exit(f"dbt {' '.join(args[:3])} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    return json.loads((target / "run_results.json").read_text())


def model_seconds(run_results: dict) -> dict[str, float]:
    return {row["unique_id"].split(".")[-1]: row["execution_time"] for row in run_results["results"]}


def compile_inline(sql: str, work: Path, landing: Path, db: Path, variables: dict | None = None) -> str:
    args = ["compile", "--inline", sql, "--no-partial-parse"]
    if variables:
        args += ["--vars", json.dumps(variables)]
    results = dbt(args, work, landing, db)
    return results["results"][0]["compiled_code"]


def lookalike_lift(con: duckdb.DuckDBPyConnection, segment: str) -> dict:
    audience = f"bench_lookalike_{segment}"
    hidden = {row[0] for row in con.execute(
        f"select profile_id from segments.int_segment_members where segment_key = ? and not ({HALF})",
        [segment]).fetchall()}
    ranked = [row[0] for row in con.execute(
        "select profile_id from segments.int_lookalike_scores where segment_key = ? order by lookalike_rank",
        [audience]).fetchall()]
    top = ranked[: math.ceil(len(ranked) / 10)]
    found = sum(1 for profile_id in top if profile_id in hidden)
    return {
        "segment": segment, "seed": con.execute(
            "select count(*) from segments.int_lookalike_seeds where segment_key = ?", [audience]).fetchone()[0],
        "hidden": len(hidden), "ranked": len(ranked), "hidden_in_top_decile": found,
        "lift": (found / len(top)) / (len(hidden) / len(ranked)) if hidden and top else float("nan"),
    }


HOLD_OUT_SQL = """
create or replace table main.bench_purchases as
    select purchase_id, profile_id, purchased_at,
           row_number() over (partition by profile_id order by purchased_at desc, purchase_id desc) as recency_order
    from traits.int_purchases_as_of where is_purchase;
create or replace table main.bench_history as
    select distinct lines.profile_id, lines.product_id
    from traits.int_purchase_lines_as_of as lines
    inner join main.bench_purchases as purchases using (purchase_id)
    where purchases.recency_order > 1 and lines.product_id is not null;
create or replace table main.bench_held_out as
    select distinct lines.profile_id, lines.product_id
    from traits.int_purchase_lines_as_of as lines
    inner join main.bench_purchases as purchases using (purchase_id)
    where purchases.recency_order = 1 and lines.product_id is not null
      and not exists (select 1 from main.bench_history as history
                      where history.profile_id = lines.profile_id and history.product_id = lines.product_id);
create or replace table main.bench_profiles as
    select distinct profile_id from main.bench_held_out;
create or replace table main.bench_viewed as
    select events.profile_id, events.product_id,
           -1 * min(epoch(purchases.purchased_at) - epoch(events.event_at)) as interest_score
    from traits.int_engagement_events_as_of as events
    inner join main.bench_purchases as purchases
        on purchases.profile_id = events.profile_id and purchases.recency_order = 1
    where events.product_id is not null and events.event_type in ('product_view', 'add_to_cart')
      and events.event_at < purchases.purchased_at
      and events.event_at >= purchases.purchased_at - interval 30 day
    group by events.profile_id, events.product_id;
create or replace table main.bench_no_views as select * from main.bench_viewed where false;
"""


def hit_rate(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    con.execute(f"create or replace table main.bench_proposals as {sql}")
    row = con.execute("""
        with hits as (
            select profiles.profile_id,
                   max(case when held.product_id is not null then 1 else 0 end) as hit,
                   max(case when history.profile_id is not null then 1 else 0 end) as has_history
            from main.bench_profiles as profiles
            left join main.bench_proposals as proposals using (profile_id)
            left join main.bench_held_out as held
                on held.profile_id = proposals.profile_id and held.product_id = proposals.product_id
            left join (select distinct profile_id from main.bench_history) as history
                on history.profile_id = profiles.profile_id
            group by profiles.profile_id
        )
        select count(*), avg(hit), count(*) filter (where has_history = 1),
               avg(hit) filter (where has_history = 1)
        from hits""").fetchone()
    return {"buyers": row[0], "hit_rate": row[1], "buyers_with_history": row[2],
            "hit_rate_with_history": row[3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="built warehouse (read only)")
    parser.add_argument("--landing", type=Path, required=True, help="its landing zone")
    parser.add_argument("--work", type=Path, required=True, help="folder for the copy, target and logs")
    arguments = parser.parse_args()
    work, landing = arguments.work, arguments.landing
    work.mkdir(parents=True, exist_ok=True)
    db = work / "warehouse.duckdb"
    started = time.perf_counter()
    shutil.copyfile(arguments.source, db)
    print(f"copied {arguments.source} in {time.perf_counter() - started:.1f} s")

    # 1. Build the prediction models on the copy.
    started = time.perf_counter()
    seconds = model_seconds(dbt(["run", "--select", *MODELS], work, landing, db))
    print(f"\n## Build of the prediction models: {time.perf_counter() - started:.1f} s wall (dbt start-up included)")
    for name in MODELS:
        print(f"  {name:34s} {seconds.get(name, float('nan')):7.2f} s")
    with duckdb.connect(str(db), read_only=True) as con:
        fit = con.execute("""
            select sample_size, repeat_buyers, fit_seconds, bgnbd_r, bgnbd_alpha, bgnbd_a, bgnbd_b,
                   gamma_gamma_p, gamma_gamma_q, gamma_gamma_gamma, fit_status
            from traits.int_purchase_model_fits order by fitted_at desc limit 1""").fetchone()
        profiles = con.execute("select count(*) from traits.trait_predicted_value").fetchone()[0]
        churn = con.execute("select count(*) from traits.trait_predicted_value where is_churn_risk").fetchone()[0]
    print(f"  fit: {fit[10]} on {fit[0]:,} buyers ({fit[1]:,} repeat) in {fit[2]:.2f} s of optimisation; "
          f"r {fit[3]:.3f}, alpha {fit[4]:.2f} d, a {fit[5]:.3f}, b {fit[6]:.3f}; "
          f"p {fit[7]:.3f}, q {fit[8]:.3f}, gamma {fit[9]:,.0f} VND")
    print(f"  scored {profiles:,} profiles; churn_risk: {churn:,}")

    # 2. Lookalike lift: half of each segment seeds an audience ranked over everyone else.
    conditions = {segment["key"]: segment.get("condition") for segment in
                  yaml.safe_load((Path(PROJECT_DIR) / "dbt_project.yml").read_text())["vars"]["profile360__segments"]}
    extra = []
    for segment in SEGMENTS:
        extra.append({"key": f"bench_half_{segment}", "name": f"Half of {segment}", "description": "benchmark",
                      "owner": "benchmark", "condition": f"({conditions[segment]}) and {HALF}"})
        extra.append({"key": f"bench_lookalike_{segment}", "name": f"Lookalike of half of {segment}",
                      "description": "benchmark", "owner": "benchmark",
                      "lookalike_of": f"bench_half_{segment}", "size": 1})
    started = time.perf_counter()
    seconds = model_seconds(dbt(["run", "--select", *LOOKALIKE_MODELS, "--vars",
                                 json.dumps({"profile360__extra_segments": extra})], work, landing, db))
    print(f"\n## Lookalike lift of the top decile over random ({time.perf_counter() - started:.1f} s wall; "
          + ", ".join(f"{name} {seconds[name]:.2f} s" for name in LOOKALIKE_MODELS) + ")")
    with duckdb.connect(str(db), read_only=True) as con:
        for segment in SEGMENTS:
            figures = lookalike_lift(con, segment)
            print(f"  {segment:22s} seed {figures['seed']:6,}  hidden {figures['hidden']:6,} among "
                  f"{figures['ranked']:7,}  in top decile {figures['hidden_in_top_decile']:6,}  "
                  f"lift {figures['lift']:.2f}")

    # 3. Next-best products: hold out each buyer's last purchase.
    with duckdb.connect(str(db)) as con:
        con.execute(HOLD_OUT_SQL)
        covered = con.execute("select count(distinct profile_id) from main.bench_purchases").fetchone()[0]
        buyers = con.execute(
            "select count(*) from traits.int_purchase_state where lifetime_purchases > 0").fetchone()[0]
    if covered != buyers:
        sys.exit(f"int_purchases_as_of covers {covered} of {buyers} buyers: build the traits layer in full first")
    rule = "with {{ profile360.next_best_products_ctes('main.bench_history', 'main.%s', 'main.bench_profiles') }} " \
           "select profile_id, product_id from next_best_ranked"
    full_sql = compile_inline(rule % "bench_viewed", work, landing, db)
    co_purchase_sql = compile_inline(rule % "bench_no_views", work, landing, db)
    popularity_sql = compile_inline(rule % "bench_no_views", work, landing, db, {"profile360__next_best_neighbours": 0})
    with duckdb.connect(str(db)) as con:
        started = time.perf_counter()
        rule_figures = hit_rate(con, full_sql)
        rule_seconds = time.perf_counter() - started
        co_purchase = hit_rate(con, co_purchase_sql)
        baseline = hit_rate(con, popularity_sql)
        for table in ("purchases", "history", "held_out", "profiles", "viewed", "no_views", "proposals"):
            con.execute(f"drop table main.bench_{table}")
    print(f"\n## Next-best products, hit rate at 3 (last purchase held out; {rule_figures['buyers']:,} buyers "
          f"whose last purchase brought a new product, {rule_figures['buyers_with_history']:,} of them with "
          f"earlier purchases; rule computed in {rule_seconds:.1f} s)")
    for name, figures in (("viewed + co-purchase + pop.", rule_figures), ("co-purchase + popularity", co_purchase),
                          ("popularity only (baseline)", baseline)):
        print(f"  {name:26s} all buyers {figures['hit_rate']:.4f}   "
              f"buyers with history {figures['hit_rate_with_history']:.4f}")


if __name__ == "__main__":
    main()
