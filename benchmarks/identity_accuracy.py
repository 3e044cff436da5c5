"""Pairwise precision / recall / F1 of identity stitching against the demo truth.

Usage:
    python benchmarks/identity_accuracy.py --db /tmp/stitch/wh.duckdb \
        --truth /tmp/stitch_landing/_truth/person_map.csv

A pair is two records of map_records_to_profiles. Precision: of the pairs put
in one profile, the share that are one person; recall: of the pairs that are
one person, the share put in one profile. Records missing from either side are
left out (the truth may hold records with no valid identifier).
"""

from __future__ import annotations

import argparse

import duckdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/stitch/wh.duckdb")
    parser.add_argument("--truth", default="/tmp/stitch_landing/_truth/person_map.csv")
    args = parser.parse_args()
    con = duckdb.connect(args.db, read_only=True)
    schema = con.sql(
        "select table_schema from information_schema.tables "
        "where table_name = 'map_records_to_profiles'").fetchall()[0][0]
    con.sql(f"""
        create temp table joined as
        select m.profile_id, cast(t.person_id as varchar) as person_id
        from "{schema}".map_records_to_profiles as m
        inner join read_csv('{args.truth}', all_varchar = true) as t
            on m.source = t.source and m.record_key = t.record_key
    """)
    pairs = """select sum(n * (n - 1) / 2) from
               (select count(*) as n from joined group by {})"""
    predicted = con.sql(pairs.format("profile_id")).fetchall()[0][0] or 0
    actual = con.sql(pairs.format("person_id")).fetchall()[0][0] or 0
    both = con.sql(pairs.format("profile_id, person_id")).fetchall()[0][0] or 0
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    records, profiles, persons = con.sql(
        "select count(*), count(distinct profile_id), count(distinct person_id) from joined").fetchall()[0]
    rounds = con.sql(
        f'select max(stitch_rounds), max(stitch_passes), max(stitch_max_pass_rounds) '
        f'from "{schema}".int_identity_components').fetchall()[0]
    print(f"records={records} profiles={profiles} persons={persons}")
    print(f"precision={precision:.4f} recall={recall:.4f} f1={f1:.4f}")
    print(f"rounds_total={rounds[0]} passes={rounds[1]} max_rounds_per_pass={rounds[2]}")


if __name__ == "__main__":
    main()
