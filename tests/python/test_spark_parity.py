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


def test_spark_file_checks_run_the_python_models_rules(tmp_path):
    """The spark target's file checks (orchestration/lib/spark_file_checks.py, run before
    dbt) are the Python model's rows: the contract's CSV columns, gzip, the skipped
    underscore folders; no engine needed."""
    import hashlib

    from orchestration.lib.spark_file_checks import write_file_checks

    landing = tmp_path / "landing"
    good = ("contact_id,full_name,email,phone,gender,birth_date,occupation,address,city,province,"
            "country,customer_id,loyalty_id,created_at,updated_at\n" + "c1" + "," * 14 + "\n" + "c2" + "," * 14 + "\n")
    files = {
        "crm_contacts/2026-11-01.csv": good.encode(),
        "crm_contacts/2026-11-02.csv": b"contact_id,full_name\nc3,An\n",
        "web_events/2026-11-01.jsonl.gz": b"not gzip at all",
        "web_events/2026-11-02.jsonl": b'{"event_id":"e1"}\n{"event_id":"e2"}\n\n{"event_id":"e3"}\n',
        "_truth/persons.csv": b"person_id\np1\n",
    }
    for name, data in files.items():
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_bytes(data)
    out = tmp_path / "checks.parquet"

    assert write_file_checks(landing, out) == 4
    rows = duckdb.sql(f"select source_file, size_bytes, content_hash, row_count, unreadable_reason "
                      f"from '{out}' order by source_file").fetchall()
    by_file = {row[0]: row[1:] for row in rows}
    assert sorted(by_file) == ["crm_contacts/2026-11-01.csv", "crm_contacts/2026-11-02.csv",
                               "web_events/2026-11-01.jsonl.gz", "web_events/2026-11-02.jsonl"]
    assert by_file["crm_contacts/2026-11-01.csv"] == (len(good), hashlib.md5(good.encode()).hexdigest(), 2, None)
    assert by_file["crm_contacts/2026-11-02.csv"][3].startswith("missing_column: crm_contacts/2026-11-02.csv lacks")
    assert "email" in by_file["crm_contacts/2026-11-02.csv"][3]
    assert by_file["web_events/2026-11-01.jsonl.gz"][2] is None
    assert by_file["web_events/2026-11-01.jsonl.gz"][3].startswith("damaged_gzip: web_events/2026-11-01.jsonl.gz")
    assert by_file["web_events/2026-11-02.jsonl"][2:] == (3, None)


def test_spark_file_checks_name_a_missing_landing_dir(tmp_path):
    from orchestration.lib.spark_file_checks import write_file_checks

    with pytest.raises(FileNotFoundError, match="nowhere"):
        write_file_checks(tmp_path / "nowhere", tmp_path / "checks.parquet")
