"""The serving warehouse (orchestration/lib/serving.py): only the BI-facing
schemas are copied, look-ups go through keyed hashes, and the file is replaced
in one rename, so a reader holding the old file never blocks a publish."""

from __future__ import annotations

import hashlib
import stat

import duckdb
import pytest

from orchestration.lib import serving


@pytest.fixture()
def build_db(tmp_path, monkeypatch):
    monkeypatch.delenv("PROFILE360_SERVING_DB_PATH", raising=False)
    monkeypatch.delenv("PROFILE360_LOOKUP_KEY_FILE", raising=False)
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts_masked; create schema identity; create schema profiles")
        con.execute("create table marts_masked.dim_profiles as select 'p1' as profile_id, 'a***@x.vn' as email")
        con.execute("comment on table marts_masked.dim_profiles is 'One row per profile, masked.'")
        con.execute("comment on column marts_masked.dim_profiles.email is 'The best e-mail, masked.'")
        con.execute("create table profiles.dim_profiles as select 'p1' as profile_id, 'an@x.vn' as email")
        con.execute("create table identity.map_identifiers_to_profiles as "
                    "select * from (values ('email', 'an@x.vn', 'p1'), ('phone', '+84912345678', 'p1'), "
                    "('email', 'junk@x.vn', null)) t(identifier_type, identifier_value, profile_id)")
    return path


def test_publish_copies_only_bi_schemas_with_keyed_lookups(build_db):
    target = serving.publish(build_db)
    assert target == build_db.with_name("build_serving.duckdb")
    key_file = build_db.parent / "lookup.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    with duckdb.connect(str(target), read_only=True) as con:
        schemas = {row[0] for row in con.execute(
            "select distinct table_schema from information_schema.tables").fetchall()}
        assert schemas == {"marts_masked"}
        lookups = con.execute("select identifier_type, lookup_hash, profile_id from marts_masked.profile_lookup "
                              "order by 1").fetchall()
        text = str(con.execute("select * from marts_masked.profile_lookup").fetchall())
        # The descriptions dbt persisted reach BI tools reading the serving warehouse.
        assert con.execute("select comment from duckdb_tables() where table_name = 'dim_profiles'").fetchone() == (
            "One row per profile, masked.",)
        assert con.execute("select comment from duckdb_columns() where table_name = 'dim_profiles' "
                           "and column_name = 'email'").fetchone() == ("The best e-mail, masked.",)
    # Worked by hand: SHA-256 of "<key>|<type>|<normalised value>"; the unlinked identifier is left out.
    assert lookups == [
        ("email", hashlib.sha256(f"{key}|email|an@x.vn".encode()).hexdigest(), "p1"),
        ("phone", hashlib.sha256(f"{key}|phone|+84912345678".encode()).hexdigest(), "p1"),
    ]
    assert serving.lookup_hash(key, "email", "an@x.vn") == lookups[0][1]
    assert "an@x.vn" not in text and "912345678" not in text


def test_reader_keeps_old_state_while_publish_replaces_the_file(build_db):
    target = serving.publish(build_db)
    reader = duckdb.connect(str(target), read_only=True)
    try:
        with duckdb.connect(str(build_db)) as con:
            con.execute("insert into marts_masked.dim_profiles values ('p2', 'b***@x.vn')")
        serving.publish(build_db)  # must not fail on the open reader
        assert reader.execute("select count(*) from marts_masked.dim_profiles").fetchone()[0] == 1
    finally:
        reader.close()
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("select count(*) from marts_masked.dim_profiles").fetchone()[0] == 2
