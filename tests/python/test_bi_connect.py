"""A BI tool connecting through SQLAlchemy (duckdb-engine) lists the BI
schema's tables and columns with their descriptions (dbt persist_docs), with
the URL the README's "Connect a BI tool" gives; comments survive a copy."""

from __future__ import annotations

import re

import duckdb
import sqlalchemy as sa

from orchestration.lib.comments import copy_comments
from orchestration.lib.project import PROJECT_DIR

BI_SCHEMA = "marts_masked"


def _readme_url(db_path) -> str:
    section = (PROJECT_DIR / "README.md").read_text().split("## Connect a BI tool", 1)[1].split("\n## ", 1)[0]
    template = re.search(r"(duckdb:///\S*\?access_mode=read_only)", section).group(1)
    return template.replace("/path/to/warehouse.duckdb", str(db_path))


def test_sqlalchemy_lists_schemas_tables_and_columns_with_descriptions(built_warehouse):
    engine = sa.create_engine(_readme_url(built_warehouse.db_path))
    try:
        inspector = sa.inspect(engine)
        schemas = inspector.get_schema_names()
        schema = next(s for s in schemas if s.split(".")[-1] == BI_SCHEMA)
        relations = inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema)
        assert {"dim_profiles", "dim_profile_traits", "rpt_segment_comparison"} <= set(relations)
        missing = []
        for name in relations:
            assert inspector.get_table_comment(name, schema=schema)["text"], f"{name} has no description"
            for column in inspector.get_columns(name, schema=schema):
                if not column.get("comment"):
                    missing.append(f"{name}.{column['name']}")
        assert not missing, f"columns without a description: {missing[:10]}"
        with engine.connect() as connection:  # and the URL is read-only
            assert connection.execute(sa.text(f"select count(*) from {schema}.dim_profiles")).scalar() > 0
    finally:
        engine.dispose()


def test_copy_comments_carries_table_view_and_column_descriptions():
    con = duckdb.connect()
    con.execute("attach ':memory:' as build")
    con.execute("create schema build.bi; create table build.bi.t (a integer, b integer); "
                "create view build.bi.v as select 1 as x; create schema build.other; "
                "create table build.other.t (a integer)")
    con.execute("comment on table build.bi.t is 'the t''s table'; comment on column build.bi.t.a is 'column a'; "
                "comment on view build.bi.v is 'a view'; comment on column build.bi.v.x is 'column x'; "
                "comment on table build.other.t is 'not copied'")
    con.execute("create schema bi; create table bi.t as select * from build.bi.t; "
                "create table bi.v as select * from build.bi.v; create schema other; "
                "create table other.t as select * from build.other.t")
    assert copy_comments(con, "build", ["bi"]) == 4
    here = "database_name = current_database()"
    assert dict(con.execute(f"select schema_name || '.' || table_name, comment from duckdb_tables() "
                            f"where {here}").fetchall()) == {"bi.t": "the t's table", "bi.v": "a view",
                                                             "other.t": None}
    assert con.execute(f"select table_name, column_name, comment from duckdb_columns() "
                       f"where {here} and schema_name = 'bi' order by 1, 2").fetchall() == [
        ("t", "a", "column a"), ("t", "b", None), ("v", "x", "column x")]
