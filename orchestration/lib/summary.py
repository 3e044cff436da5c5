"""A short printed account of what a build produced, read from the warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass
class BuildSummary:
    """Row counts of the built relations and quarantined rows by reason."""

    relations: dict[str, int] = field(default_factory=dict)  # "schema.name" -> rows
    quarantined: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, code) -> rows

    def render(self) -> str:
        lines = ["Built relations (rows):"]
        width = max((len(name) for name in self.relations), default=10)
        for name, rows in self.relations.items():
            lines.append(f"  {name:<{width}}  {rows:>12,}")
        total = sum(self.quarantined.values())
        lines.append(f"Quarantined landing rows: {total:,}")
        for (source, code), rows in sorted(self.quarantined.items()):
            lines.append(f"  {source:<24} {code:<18} {rows:>8,}")
        return "\n".join(lines)


def read_summary(db_path: Path) -> BuildSummary:
    """Count rows of every table of the warehouse and the quarantine by reason.

    A serving warehouse (orchestration/lib/serving.py) holds the counts of the
    build it was published from: those are read instead."""
    summary = BuildSummary()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        if _read_published_counts(con, summary):
            return summary
        tables = con.execute(
            """
            select table_schema, table_name
            from information_schema.tables
            where table_type = 'BASE TABLE'
            order by table_schema, table_name
            """
        ).fetchall()
        for schema, name in tables:
            (rows,) = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
            summary.relations[f"{schema}.{name}"] = rows
        if ("staging", "stg_landing__quarantined_rows") in tables:
            for source, code, rows in con.execute(
                """
                select source, reason_code, sum(occurrences)
                from staging.stg_landing__quarantined_rows
                group by source, reason_code
                """
            ).fetchall():
                summary.quarantined[(source, code)] = int(rows)
    finally:
        con.close()
    return summary


def _read_published_counts(con: duckdb.DuckDBPyConnection, summary: BuildSummary) -> bool:
    from orchestration.lib.serving import QUARANTINE_ROWS_TABLE, RELATION_ROWS_TABLE

    schema, name = RELATION_ROWS_TABLE.split(".")
    if not con.execute("select count(*) from information_schema.tables where table_schema = ? "
                       "and table_name = ?", [schema, name]).fetchone()[0]:
        return False
    for relation, rows in con.execute(f"select relation, row_count from {RELATION_ROWS_TABLE} "
                                      "order by relation").fetchall():
        summary.relations[relation] = rows
    for source, code, rows in con.execute(f"select * from {QUARANTINE_ROWS_TABLE}").fetchall():
        summary.quarantined[(source, code)] = rows
    return True
