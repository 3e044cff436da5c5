"""Descriptions (COMMENT ON) carried from one DuckDB catalog to another.

dbt writes every model's and column's description into the build warehouse
(``persist_docs`` in dbt_project.yml). A copy made with ``create table ... as
select`` (the serving warehouse: ``orchestration.lib.serving.publish``) keeps
the data and drops the comments; ``copy_comments`` puts them back, so a BI
tool on the copy lists the same descriptions.
"""

from __future__ import annotations

from collections.abc import Iterable


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_comments(con, source_catalog: str, schemas: Iterable[str], target_catalog: str | None = None) -> int:
    """Copy the relation and column comments of `schemas` from the attached
    `source_catalog` onto the relations of the same schema and name in
    `target_catalog` (default: the connection's current catalog). A source
    view copied as a table (or the other way round) keeps its comments.
    Returns the number of comments written."""
    target = target_catalog or con.execute("select current_database()").fetchone()[0]
    schemas = list(schemas)
    kinds = dict(((schema, name), kind) for schema, name, kind in con.execute(
        "select schema_name, table_name, 'TABLE' from duckdb_tables() where database_name = ? "
        "union all select schema_name, view_name, 'VIEW' from duckdb_views() where database_name = ?",
        [target, target]).fetchall())
    written = 0
    relations = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = ? and schema_name in (select unnest(?)) and comment is not null "
        "union all select schema_name, view_name, comment from duckdb_views() "
        "where database_name = ? and schema_name in (select unnest(?)) and comment is not null",
        [source_catalog, schemas, source_catalog, schemas]).fetchall()
    for schema, name, comment in relations:
        kind = kinds.get((schema, name))
        if kind:
            con.execute(f"comment on {kind} {_quote(target)}.{_quote(schema)}.{_quote(name)} "
                        f"is {_literal(comment)}")
            written += 1
    columns = con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = ? and schema_name in (select unnest(?)) and comment is not null",
        [source_catalog, schemas]).fetchall()
    for schema, name, column, comment in columns:
        if (schema, name) in kinds:
            con.execute(f"comment on column {_quote(target)}.{_quote(schema)}.{_quote(name)}.{_quote(column)} "
                        f"is {_literal(comment)}")
            written += 1
    return written
