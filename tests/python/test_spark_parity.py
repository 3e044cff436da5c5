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


def test_incremental_leg_splits_the_drops_at_the_first_erasure_request(tmp_path):
    """The first Spark build stops before the first drop holding an erasure request, so the
    incremental build has rows to erase; the drops moved aside are that day's and later."""
    from benchmarks.spark_parity import drops_from, first_erasure_day, move_drops

    landing, aside = tmp_path / "landing", tmp_path / "later"
    files = {
        "erasure_requests/2026-11-01.csv": "request_id,email\n",
        "erasure_requests/2026-11-02.csv": "request_id,email\n",
        "erasure_requests/2026-11-03.csv": "request_id,email\nr1,a@example.com\n",
        "web_events/2026-11-02.jsonl": "{}\n",
        "web_events/2026-11-03.jsonl": "{}\n",
        "web_events/2026-11-04.jsonl": "{}\n",
        "_truth/person_map.csv": "person_id\n",
    }
    for name, text in files.items():
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_text(text)

    day = first_erasure_day(landing)
    assert day == "2026-11-03"
    later = drops_from(landing, day)
    assert [str(p) for p in later] == ["erasure_requests/2026-11-03.csv", "web_events/2026-11-03.jsonl",
                                       "web_events/2026-11-04.jsonl"]
    move_drops(later, landing, aside)
    assert sorted(str(p.relative_to(landing)) for p in landing.rglob("*.*")) == [
        "_truth/person_map.csv", "erasure_requests/2026-11-01.csv", "erasure_requests/2026-11-02.csv",
        "web_events/2026-11-02.jsonl"]
    assert (aside / "web_events/2026-11-04.jsonl").read_text() == "{}\n"


def test_files_kept_fails_a_drop_partitioned_table_rewritten_whole(tmp_path):
    """The incremental check: a drop-partitioned table whose first-build files all changed
    was rebuilt whole (fails); one that kept an untouched drop's file passes."""
    import json
    import os

    from benchmarks.spark_parity import files_kept, parquet_files

    spark_dir = tmp_path / "spark-warehouse"
    parts = {drop: spark_dir / "staging.db" / "t" / f"_source_file={drop}" / "part-0.parquet" for drop in "ab"}
    for path in parts.values():
        path.parent.mkdir(parents=True)
        duckdb.sql(f"copy (select 1 as x) to '{path}' (format parquet)")
    (tmp_path / "spark-first-files.json").write_text(json.dumps(parquet_files(spark_dir)))
    manifest = {"nodes": {"model.p.t": {"resource_type": "model", "schema": "staging", "alias": "t", "name": "t",
                                        "unique_id": "model.p.t",
                                        "config": {"materialized": "incremental", "partition_by": "_source_file"}}}}

    # Drop b rewritten (a new file), drop a untouched: incremental.
    parts["b"].unlink()
    duckdb.sql(f"copy (select 2 as x) to '{parts['b'].with_name('part-1.parquet')}' (format parquet)")
    rows, incremental = files_kept(tmp_path, spark_dir, manifest)
    assert incremental and rows[0]["kept"] == 1 and rows[0]["first_build_files"] == 2

    # Drop a rewritten in place too (same name, new time): rebuilt whole.
    stat = parts["a"].stat()
    os.utime(parts["a"], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    rows, incremental = files_kept(tmp_path, spark_dir, manifest)
    assert not incremental and rows[0]["kept"] == 0
