"""Stitching scenarios through the real models on a built warehouse (a path
too long for a dbt unit test, and the merge/split log across two build days).

The chain, family, kiosk and limit scenarios are dbt unit tests now
(models/identity/_identity__unit_tests.yml, "stitching"). This script copies
a built warehouse, replaces int_identity_links with hand-worked fixtures,
re-runs the stitching models and their children, and checks:
  - history (history_links(1), then history_links(2) on the same copy): the
    merge/split log: a merge keeps the older id, a split leaves the id with
    the anchor, both are logged with their cause identifiers;
  - with --chain N, in a second copy, one path of N identifiers (record -
    identifier - record - ...) is one profile in at most 2 * log2(nodes)
    rounds; that copy lifts the per-profile limits (LIFT_LIMITS), which a
    path of N cookies would otherwise break.

Usage:
    python benchmarks/identity_scenarios.py --db /tmp/stitch/wh.duckdb \
        --landing /tmp/stitch_landing [--chain 10000]

Importable: history_links(), chain_links(), restitch(), read_outcome(),
read_changes() and the *_checks() functions are what
tests/python/test_identity.py runs.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.dbt import dbt_command
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR

COLUMNS = ("link_id, source, record_key, record_node_id, identifier_id, identifier_node_id, "
           "identifier_type, identifier_value, identifier_rank, first_seen_at, last_seen_at, "
           "is_flagged, flag_reason, is_link")
RANKS = {"customer_id": 1, "loyalty_id": 2, "email": 3, "phone": 4,
         "zalo_user_id": 5, "device_id": 6, "anonymous_id": 7}
RESTITCH_SELECTION = ("int_identity_identifier_numbers int_identity_graph_edges "
                      "int_identity_merged_components int_identity_split_edges "
                      "int_identity_split_components "
                      "int_identity_components int_identity_profile_anchors "
                      "int_identity_links_rejected map_records_to_profiles "
                      "snp_identity__record_profiles fct_profile_id_changes")
# Only the limits a long chain of cookies cannot break.
LIFT_LIMITS = '{"profile360__identity_max_per_profile": {"customer_id": 1, "loyalty_id": 1}}'


class _Links(list):
    """int_identity_links rows built one (record, identifier) link at a time."""

    def link(self, source, key, kind, value, flagged=False, seen="2026-01-01"):
        identifier = f"{kind}:{value}"
        self.append((f"{source}|{key}|{identifier}", source, key, f"r|{source}|{key}", identifier,
                     f"i|{identifier}", kind, value, RANKS[kind], seen, seen, flagged,
                     "shared: 2 distinct customer ids > 1" if flagged else None, not flagged))


def history_links(day: int) -> list[tuple]:
    """Two build days of one small graph (day 1, then day 2 = day 1 + new records).

    Day 1: A (cookie hk1 + e-mail ha@, seen 2025-01-01), B (customer HB +
    e-mail hb@, 2026-01-01), S (customer HS1 + phone P, 2025-05-01, and a web
    event with P and cookie hsk, 2025-06-01), U (cookie hu, unaffected).
    Day 2 adds an order carrying both e-mails (A and B merge; A is older, so
    B's records take A's id) and a contact of customer HS3 with phone P, which
    flags P (now shared by two customers): the web event splits off S.
    """
    rows = _Links()
    shared_phone_flagged = day >= 2
    rows.link("web_events", "h_a1", "anonymous_id", "hk1", seen="2025-01-01")
    rows.link("web_events", "h_a1", "email", "ha@x.vn", seen="2025-01-01")
    rows.link("crm_contacts", "h_b1", "customer_id", "HB", seen="2026-01-01")
    rows.link("crm_contacts", "h_b1", "email", "hb@x.vn", seen="2026-01-01")
    rows.link("crm_contacts", "h_s1", "customer_id", "HS1", seen="2025-05-01")
    rows.link("crm_contacts", "h_s1", "phone", "+84900000009", shared_phone_flagged, seen="2025-05-01")
    rows.link("web_events", "h_s2", "phone", "+84900000009", shared_phone_flagged, seen="2025-06-01")
    rows.link("web_events", "h_s2", "anonymous_id", "hsk", seen="2025-06-01")
    rows.link("web_events", "h_u", "anonymous_id", "hu", seen="2025-03-01")
    if day >= 2:
        rows.link("ecommerce_orders", "h_m", "email", "ha@x.vn", seen="2026-02-01")
        rows.link("ecommerce_orders", "h_m", "email", "hb@x.vn", seen="2026-02-01")
        rows.link("crm_contacts", "h_s3", "customer_id", "HS3", seen="2026-02-01")
        rows.link("crm_contacts", "h_s3", "phone", "+84900000009", True, seen="2026-02-01")
    return list(rows)


def history_checks(before: dict[str, str], after: dict[str, str],
                   changes: list[tuple[str, str, str, int, str | None]]) -> dict[str, bool]:
    """Checks of the history_links() days: profiles before/after (record_key ->
    profile_id) and the log rows (change_type, old, new, records_moved, causes)."""
    log = {(old, new): (kind, moved, causes or "") for kind, old, new, moved, causes in changes}
    merge = log.get(("customer_id:HB", "email:ha@x.vn"))
    split = log.get(("customer_id:HS1", "anonymous_id:hsk"))
    return {
        "history: day 1 named after the earliest identifiers": (
            before.get("h_a1"), before.get("h_b1"), before.get("h_s2"), before.get("h_u")) == (
            "email:ha@x.vn", "customer_id:HB", "customer_id:HS1", "anonymous_id:hu"),
        "history: a merge keeps the older profile's id": after.get("h_b1") == after.get("h_a1")
        == after.get("h_m") == "email:ha@x.vn",
        "history: the merge is logged with the e-mail that caused it": merge is not None
        and merge[0] == "merge" and merge[1] == 1 and "email:hb@x.vn" in merge[2],
        "history: a split leaves the id with the part holding the anchor": (
            after.get("h_s1"), after.get("h_s2")) == ("customer_id:HS1", "anonymous_id:hsk"),
        "history: the split is logged with the identifier that held it": split is not None
        and split[0] == "split" and split[1] == 1 and "phone:+84900000009" in split[2],
        "history: untouched profiles keep their ids": after.get("h_u") == before.get("h_u"),
        "history: nothing else is logged": len(log) == 2,
    }


def chain_links(identifiers: int) -> list[tuple]:
    """One path r0 - c0 - r1 - c1 - ... - c(n-1) - rn: n identifiers, n + 1 records.

    Keys are zero-padded so node ids sort along the path: the smallest label
    sits at one end, the worst case for plain min-label propagation.
    """
    width = len(str(identifiers))
    rows = _Links()
    for k in range(identifiers + 1):
        key = f"lc{k:0{width}d}"
        if k > 0:
            rows.link("web_events", key, "anonymous_id", f"lc{k - 1:0{width}d}")
        if k < identifiers:
            rows.link("web_events", key, "anonymous_id", f"lc{k:0{width}d}")
    return list(rows)


def restitch(source_db: str | Path, links: list[tuple], work: str | Path,
             landing: str | Path, dbt_vars: str | None = None, in_place: bool = False) -> Path:
    """Copy source_db into work, replace its int_identity_links with `links` and
    re-run the stitching models on the copy, down to the snapshot and the
    merge/split log (with `dbt_vars`, a YAML/JSON dict for --vars, if given).
    source_db is only read; with in_place the copy made by an earlier call in
    the same work folder is stitched again (a second build day). Returns the
    copy's path; raises CalledProcessError (with dbt's output) on failure."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    db = work / "wh.duckdb"
    if not in_place:
        shutil.copy(source_db, db)
    # Through a CSV file: executemany() inserts row by row, far too slow for long chains.
    links_csv = work / "int_identity_links.csv"
    with open(links_csv, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(links)
    names = ", ".join(f"'{name.strip()}'" for name in COLUMNS.split(","))
    con = duckdb.connect(str(db))
    try:
        con.execute("delete from identity.int_identity_links")
        con.execute(f"insert into identity.int_identity_links ({COLUMNS}) select * from read_csv("
                    f"'{links_csv}', header = false, all_varchar = true, names = [{names}])")
        (inserted,) = con.execute("select count(*) from identity.int_identity_links").fetchone()
        # The stitching describes identifiers by their flag rows: keep those
        # consistent with the fixture links (columns it does not read stay NULL).
        con.execute("delete from identity.int_identifiers_flagged")
        con.execute("""
            insert into identity.int_identifiers_flagged (identifier_id, identifier_type, identifier_value,
                first_seen_at, last_seen_at, is_flagged, flag_reason)
            select identifier_id, identifier_type, identifier_value, min(first_seen_at), max(last_seen_at),
                bool_or(is_flagged), max(flag_reason)
            from identity.int_identity_links
            group by identifier_id, identifier_type, identifier_value
        """)
        # The fixtures replace the links outside the change log, so the stored
        # components say nothing about them: with none stored, the incremental
        # model stitches the whole graph (docs/identity.md, "Incremental builds").
        con.execute("delete from identity.int_identity_components")
    finally:
        con.close()
    if inserted != len(links):
        raise RuntimeError(f"inserted {inserted} fixture links of {len(links)}")
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(db),
           "PROFILE360_LANDING_DIR": str(landing)}
    try:
        subprocess.run(
            dbt_command("build", select=RESTITCH_SELECTION,
                        extra=["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
                               "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
                               *(["--vars", dbt_vars] if dbt_vars else [])]),
            cwd=PROJECT_DIR, env=env, check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as error:
        raise subprocess.CalledProcessError(
            error.returncode, error.cmd, error.stdout[-6000:], error.stderr[-3000:]) from None
    return db


@dataclass(frozen=True)
class Outcome:
    """What a re-stitched warehouse says about the fixture records."""

    profile: dict[str, str]           # record_key -> profile_id
    rejected: list[tuple[str, str, str]]  # (record_key, identifier_value, reject_reason)
    rounds_total: int
    passes: int
    max_rounds_per_pass: int
    nodes: int


def read_outcome(db: str | Path) -> Outcome:
    con = duckdb.connect(str(db), read_only=True)
    try:
        profile = dict(con.execute(
            "select record_key, profile_id from identity.map_records_to_profiles").fetchall())
        rejected = con.execute("select record_key, identifier_value, reject_reason "
                               "from identity.int_identity_links_rejected order by all").fetchall()
        rounds = con.execute(
            "select max(stitch_rounds), max(stitch_passes), max(stitch_max_pass_rounds), count(*) "
            "from identity.int_identity_components").fetchone()
    finally:
        con.close()
    return Outcome(profile, rejected, *rounds)


def read_changes(db: str | Path) -> list[tuple[str, str, str, int, str | None]]:
    """The merge/split log: (change_type, old_profile_id, new_profile_id, records_moved, causes)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select change_type, old_profile_id, new_profile_id, records_moved, "
                           "cause_identifiers from identity.fct_profile_id_changes "
                           "order by all").fetchall()
    finally:
        con.close()


def chain_checks(outcome: Outcome, identifiers: int) -> dict[str, bool]:
    """Checks of one chain_links(identifiers) path."""
    records = {key: profile for key, profile in outcome.profile.items() if key.startswith("lc")}
    limit = 2 * math.log2(outcome.nodes) if outcome.nodes > 1 else 1
    return {
        f"long chain: all {identifiers + 1} records stitched": len(records) == identifiers + 1,
        "long chain: one profile": len(set(records.values())) == 1,
        f"long chain: one pass of at most 2*log2(nodes)={limit:.1f} rounds": (
            outcome.passes == 1 and outcome.rounds_total <= limit),
    }


def _print(checks: dict[str, bool], outcome: Outcome) -> None:
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    print(f"nodes={outcome.nodes} rounds_total={outcome.rounds_total} passes={outcome.passes} "
          f"max_rounds_per_pass={outcome.max_rounds_per_pass}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/stitch/wh.duckdb")
    parser.add_argument("--landing", default="/tmp/stitch_landing")
    parser.add_argument("--chain", type=int, default=0,
                        help="also stitch one path of this many identifiers (e.g. 10000)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="identity_scenarios_"))
    try:
        day1 = read_outcome(restitch(args.db, history_links(1), work / "history", args.landing))
        db = restitch(args.db, history_links(2), work / "history", args.landing, in_place=True)
        history = history_checks(day1.profile, read_outcome(db).profile, read_changes(db))
        _print(history, day1)
        checks = dict(history)
        if args.chain:
            outcome = read_outcome(restitch(args.db, chain_links(args.chain), work / "chain",
                                            args.landing, LIFT_LIMITS))
            chain = chain_checks(outcome, args.chain)
            _print(chain, outcome)
            checks.update(chain)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
