"""The Spark parity comparison (benchmarks/spark_parity.py) can fail: a table equal on
both engines matches, a changed value, a missing row or a number beyond the tolerance
does not. No Spark needed: the Spark side is a Parquet folder, as Spark writes it."""

from __future__ import annotations

import duckdb
import pytest

from benchmarks.spark_parity import compare


def _node(schema: str, name: str) -> dict:
    return {"resource_type": "model", "schema": schema, "alias": name, "name": name,
            "config": {"materialized": "table"}}


def _build(tmp_path, spark_rows: str) -> list[dict]:
    db, spark_dir = tmp_path / "w.duckdb", tmp_path / "spark"
    folder = spark_dir / "marts.db" / "t"
    folder.mkdir(parents=True)
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute("create table marts.t as select * from (values ('a', 1.000001::double, now()), "
                "('b', 2.0::double, now())) as v (k, x, _loaded_at)")
    con.execute(f"copy (select * from (values {spark_rows}) as v (k, x, _loaded_at)) "
                f"to '{folder}/part-0.parquet' (format parquet)")
    con.close()
    manifest = {"nodes": {"model.p.t": _node("marts", "t")}}
    return compare(db, spark_dir, manifest, {"model.p.t"}, {"model.p.t"})


@pytest.mark.parametrize(("spark_rows", "status"), [
    # Same rows, another load time (allowed) and a last-digit rounding (within tolerance).
    ("('b', 2.0::double, now() - interval 1 hour), ('a', 1.0000012::double, now())", "match"),
    ("('a', 1.000001::double, now()), ('c', 2.0::double, now())", "DIFFERS"),
    ("('a', 1.000001::double, now())", "DIFFERS"),
    ("('a', 1.1::double, now()), ('b', 2.0::double, now())", "DIFFERS"),
])
def test_compare_matches_only_equal_tables(tmp_path, spark_rows, status):
    (entry,) = _build(tmp_path, spark_rows)
    assert entry["status"] == status, entry
