"""Pairwise precision / recall / F1 of identity stitching against the demo truth.

Usage:
    python benchmarks/identity_accuracy.py --db /tmp/stitch/wh.duckdb \
        --truth /tmp/stitch_landing/_truth/person_map.csv

A pair is two records of map_records_to_profiles. Precision: of the pairs put
in one profile, the share that are one person; recall: of the pairs that are
one person, the share put in one profile. Records missing from either side are
left out (the truth may hold records with no valid identifier).

Pairs are counted per group, never enumerated: a group of n records holds
n * (n - 1) / 2 pairs, so predicted pairs sum over profiles, true pairs over
persons and true positives over (profile, person) groups.

Evidence ceiling: the recall a resolver would reach if it linked every two
records of one true person that share, directly or through a chain, an
identifier value used by that person only (per the truth file). Pairs
without such evidence (a cookie never seen beside anything else, an e-mail
shared by a family) cannot be joined by any deterministic rule; the ceiling
shows how much of the missing recall is the data's and how much the
resolver's. It reads the normalised (record, identifier) links of
int_identity_links, flagged ones included, and never the resolver's output.

Importable: accuracy(con, truth_csv) returns the figures as an Accuracy,
evidence_ceiling(con, truth_csv) the ceiling (tests/python/test_identity.py
uses both).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class Accuracy:
    records: int
    profiles: int
    persons: int
    predicted_pairs: int
    true_pairs: int
    true_positive_pairs: int
    rounds_total: int
    passes: int
    max_rounds_per_pass: int

    @property
    def precision(self) -> float:
        return self.true_positive_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def report(self) -> str:
        return (f"records={self.records} profiles={self.profiles} persons={self.persons}\n"
                f"precision={self.precision:.4f} recall={self.recall:.4f} f1={self.f1:.4f}\n"
                f"rounds_total={self.rounds_total} passes={self.passes} "
                f"max_rounds_per_pass={self.max_rounds_per_pass}")


def identity_schema(con: duckdb.DuckDBPyConnection) -> str:
    """The schema holding map_records_to_profiles (its name depends on the target)."""
    return con.execute(
        "select table_schema from information_schema.tables "
        "where table_name = 'map_records_to_profiles'").fetchall()[0][0]


def accuracy(con: duckdb.DuckDBPyConnection, truth_csv: str | Path) -> Accuracy:
    """Pairwise accuracy of map_records_to_profiles against a person_map.csv."""
    schema = identity_schema(con)
    joined = f"""
        select m.profile_id, cast(t.person_id as varchar) as person_id
        from "{schema}".map_records_to_profiles as m
        inner join read_csv('{truth_csv}', all_varchar = true) as t
            on m.source = t.source and m.record_key = t.record_key
    """

    def pairs(group_by: str) -> int:
        (value,) = con.execute(
            f"select coalesce(sum(n * (n - 1) // 2), 0) from "
            f"(select count(*) as n from ({joined}) group by {group_by})").fetchone()
        return int(value)

    records, profiles, persons = con.execute(
        f"select count(*), count(distinct profile_id), count(distinct person_id) from ({joined})"
    ).fetchone()
    rounds = con.execute(
        f'select max(stitch_rounds), max(stitch_passes), max(stitch_max_pass_rounds) '
        f'from "{schema}".int_identity_components').fetchone()
    return Accuracy(
        records=records, profiles=profiles, persons=persons,
        predicted_pairs=pairs("profile_id"), true_pairs=pairs("person_id"),
        true_positive_pairs=pairs("profile_id, person_id"),
        rounds_total=rounds[0] or 0, passes=rounds[1] or 0, max_rounds_per_pass=rounds[2] or 0,
    )


def evidence_ceiling(con: duckdb.DuckDBPyConnection, truth_csv: str | Path) -> float:
    """Recall reachable through identifiers owned by one true person (see the module doc)."""
    schema = identity_schema(con)
    links = con.execute(f"""
        with truth as (
            select source, record_key, cast(person_id as varchar) as person_id
            from read_csv('{truth_csv}', all_varchar = true)
        ),
        linked as (
            select l.record_node_id, l.identifier_node_id, truth.person_id
            from "{schema}".int_identity_links as l
            inner join truth on l.source = truth.source and l.record_key = truth.record_key
        ),
        owned as (
            select identifier_node_id from linked group by identifier_node_id
            having count(distinct person_id) = 1
        )
        select linked.record_node_id, linked.identifier_node_id, linked.person_id
        from linked left join owned using (identifier_node_id)
        where owned.identifier_node_id is not null
        union all
        -- every record, so that one without owned identifiers still counts
        select distinct record_node_id, null, person_id from linked
    """).fetchall()
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    person_of: dict[str, str] = {}
    for record, identifier, person in links:
        person_of[record] = person
        find(record)
        if identifier is not None:
            parent[find("i" + identifier)] = find(record)
    groups: dict[tuple[str, str], int] = {}
    people: dict[str, int] = {}
    for record, person in person_of.items():
        groups[(find(record), person)] = groups.get((find(record), person), 0) + 1
        people[person] = people.get(person, 0) + 1
    reachable = sum(n * (n - 1) // 2 for n in groups.values())
    true_pairs = sum(n * (n - 1) // 2 for n in people.values())
    return reachable / true_pairs if true_pairs else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/stitch/wh.duckdb")
    parser.add_argument("--truth", default="/tmp/stitch_landing/_truth/person_map.csv")
    args = parser.parse_args()
    con = duckdb.connect(args.db, read_only=True)
    try:
        figures = accuracy(con, args.truth)
        ceiling = evidence_ceiling(con, args.truth)
        print(figures.report())
        print(f"evidence_ceiling_recall={ceiling:.4f} "
              f"recall_of_ceiling={figures.recall / ceiling if ceiling else 1.0:.4f}")
    finally:
        con.close()


if __name__ == "__main__":
    main()
