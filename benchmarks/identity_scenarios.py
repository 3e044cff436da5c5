"""Stitching scenarios through the real iterative model (not a dbt unit test:
the component rounds run as queries against tables, which dbt unit tests
cannot feed with fixtures).

Copies a built warehouse, replaces int_identity_links with hand-worked
fixtures, re-runs int_identity_components and its children, and checks:
  - a chain of 40 web events linked cookie to cookie is one profile, in far
    fewer rounds than its length (pointer jumping);
  - a family e-mail (not flagged here) and a chain record -> phone -> event ->
    cookie -> record between customers A and B are split so that A and B stay
    two profiles; the dropped links are rejected as a conflict;
  - a flagged kiosk device does not join customers C and D.

Usage:
    python benchmarks/identity_scenarios.py --db /tmp/stitch/wh.duckdb \
        --landing /tmp/stitch_landing
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
COLUMNS = ("link_id, source, record_key, record_node_id, identifier_id, identifier_node_id, "
           "identifier_type, identifier_value, identifier_rank, first_seen_at, last_seen_at, "
           "is_flagged, flag_reason, is_link")
RANKS = {"customer_id": 1, "loyalty_id": 2, "email": 3, "phone": 4,
         "zalo_user_id": 5, "device_id": 6, "anonymous_id": 7}


def fixture_links() -> list[tuple]:
    rows = []

    def link(source, key, kind, value, flagged=False, seen="2026-01-01"):
        identifier = f"{kind}:{value}"
        rows.append((f"{source}|{key}|{identifier}", source, key, f"r|{source}|{key}", identifier,
                     f"i|{identifier}", kind, value, RANKS[kind], seen, seen, flagged,
                     "shared: 2 distinct customer ids > 1" if flagged else None, not flagged))

    for k in range(40):
        link("web_events", f"ch{k:02d}", "anonymous_id", f"c{k}")
        link("web_events", f"ch{k:02d}", "anonymous_id", f"c{k + 1}")
    link("crm_contacts", "f1", "customer_id", "A", seen="2025-01-01")
    link("crm_contacts", "f1", "email", "fam@x.vn")
    link("crm_contacts", "f2", "customer_id", "B", seen="2025-02-01")
    link("crm_contacts", "f2", "email", "fam@x.vn")
    link("ecommerce_orders", "o1", "customer_id", "A")
    link("ecommerce_orders", "o1", "phone", "+84900000001")
    link("web_events", "e1", "phone", "+84900000001")
    link("web_events", "e1", "anonymous_id", "kk")
    link("ecommerce_orders", "o2", "customer_id", "B")
    link("ecommerce_orders", "o2", "anonymous_id", "kk")
    link("app_events", "k1", "customer_id", "C")
    link("app_events", "k1", "device_id", "kiosk", flagged=True)
    link("app_events", "k2", "customer_id", "D")
    link("app_events", "k2", "device_id", "kiosk", flagged=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/stitch/wh.duckdb")
    parser.add_argument("--landing", default="/tmp/stitch_landing")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="identity_scenarios_"))
    db = work / "wh.duckdb"
    shutil.copy(args.db, db)
    con = duckdb.connect(str(db))
    con.execute("delete from identity.int_identity_links")
    con.executemany(f"insert into identity.int_identity_links ({COLUMNS}) values "
                    f"({', '.join(['?'] * 14)})", fixture_links())
    con.close()
    env = {**os.environ, "DO_NOT_TRACK": "1", "PROFILE360_DB_PATH": str(db),
           "PROFILE360_LANDING_DIR": args.landing}
    subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "run", "--profiles-dir", ".",
         "--target-path", str(work / "target"), "--log-path", str(work / "logs"), "-s",
         "int_identity_components int_identity_profile_anchors int_identity_links_rejected "
         "map_records_to_profiles"],
        cwd=PROJECT_DIR, env=env, check=True, capture_output=True)
    con = duckdb.connect(str(db), read_only=True)
    profile = dict(con.sql("select record_key, profile_id from identity.map_records_to_profiles")
                   .fetchall())
    chain = {profile[f"ch{k:02d}"] for k in range(40)}
    rounds = con.sql("select max(stitch_rounds), max(stitch_passes), max(stitch_max_pass_rounds) "
                     "from identity.int_identity_components").fetchall()[0]
    rejected = con.sql("select record_key, identifier_value, reject_reason "
                       "from identity.int_identity_links_rejected order by all").fetchall()
    checks = {
        "chain of 40 records is one profile": len(chain) == 1,
        "chain needs far fewer rounds than its length": rounds[2] <= 10,
        "family: A and B stay two profiles": profile["f1"] != profile["f2"],
        "A's records together": profile["f1"] == profile["o1"],
        "B's records together": profile["f2"] == profile["o2"],
        "ambiguous event joins neither": profile["e1"] not in (profile["f1"], profile["f2"]),
        "kiosk: C and D stay two profiles": profile["k1"] != profile["k2"],
        "family e-mail rejected as a conflict": (
            "f1", "fam@x.vn", "conflict: joins customer ids A and B") in rejected,
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    print(f"rounds_total={rounds[0]} passes={rounds[1]} max_rounds_per_pass={rounds[2]}")
    shutil.rmtree(work)
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
