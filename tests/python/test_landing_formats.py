"""Gzip-compressed drops (`.csv.gz`, `.jsonl.gz`) are read like plain ones."""

from __future__ import annotations

import csv

import duckdb

from conftest import run_cli
from test_staging_build import _clean, _landing_rows, erased_record_keys


def test_gzip_drops_are_staged(tmp_path):
    landing, db = tmp_path / "landing", tmp_path / "wh.duckdb"
    generated = run_cli("generate", "--persons", "120", "--days", "5", "--gzip",
                        landing_dir=landing, db_path=db)
    assert generated.returncode == 0, generated.stderr
    assert all(path.name.endswith(".gz") for path in (landing / "web_events").iterdir())

    # With their parents: base_* models read the erasure log (docs/privacy.md).
    built = run_cli("build", "--select", "+stg_crm__contacts +stg_web__events",
                    landing_dir=landing, db_path=db)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]

    with open(landing / "_truth" / "broken_rows.csv", newline="", encoding="utf-8") as handle:
        broken = {(row["file"], row["record_key"]) for row in csv.DictReader(handle)}
    erased = erased_record_keys(landing)
    con = duckdb.connect(str(db), read_only=True)
    try:
        for source, model, key in (("crm_contacts", "stg_crm__contacts", "contact_id"),
                                   ("web_events", "stg_web__events", "event_id")):
            expected = {_clean(row.get(key)) for file, row in _landing_rows(landing, source)
                        if row is not None and _clean(row.get(key))
                        and (file, _clean(row.get(key))) not in broken
                        and (source, _clean(row.get(key))) not in erased}
            staged = {value for (value,) in con.execute(f"select {key} from staging.{model}").fetchall()
                      if (source, value) not in erased}
            assert staged == expected and staged, source
    finally:
        con.close()
