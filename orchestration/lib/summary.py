"""A short printed account of what a build produced, read from the warehouse.

It opens with a headline for the people who use the profiles (how many, how
many known, the segments that bring the revenue, where the exports and the
UIs are); the row counts of every internal table follow only on request
(`profile360 summary --tables`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

TOP_SEGMENTS = 3


@dataclass
class Headline:
    """The figures a marketer asks for first (None: that layer is not built)."""

    profiles: int | None = None
    known: int | None = None
    as_of: str | None = None
    top_segments: list[tuple[str, int, float, float | None]] = field(default_factory=list)  # name, size, revenue, share
    exports_dir: Path | None = None
    export_files: int = 0
    quality_docs: Path | None = None

    def render(self, db_path: Path) -> list[str]:
        lines = [f"Profile360 warehouse {db_path}" + (f", as of {self.as_of}" if self.as_of else "")]
        if self.profiles is None:
            lines.append("  No profiles yet: build every layer with `profile360 build`.")
        else:
            share = f" ({self.known / self.profiles:.1%})" if self.profiles else ""
            lines.append(f"  Profiles: {self.profiles:,}; known (an e-mail, phone, customer, loyalty or Zalo id): "
                         f"{self.known:,}{share}")
        if self.top_segments:
            lines.append("  Top segments by revenue:")
            width = max(len(name) for name, *_ in self.top_segments)
            for rank, (name, size, revenue, revenue_share) in enumerate(self.top_segments, start=1):
                of_total = f" ({revenue_share:.0%} of revenue)" if revenue_share is not None else ""
                lines.append(f"    {rank}. {name:<{width}}  {size:>8,} profiles  {revenue:>16,.0f} VND{of_total}")
        if self.exports_dir is not None:
            lines.append(f"  Audience exports: {self.exports_dir} ({self.export_files} segment x channel "
                         f"files; manifest.csv says who was left out)")
        lines.append("  Look around: `profile360 ui` (Dagster, http://127.0.0.1:3000), `make docs` (dbt docs), "
                     "BI tools on schema marts_masked (README: Connect a BI tool)")
        if self.quality_docs is not None:
            lines.append(f"  Quality checks: {self.quality_docs}")
        lines.append("  Row counts of every table: `profile360 summary --tables`")
        return lines


@dataclass
class BuildSummary:
    """Row counts of the built relations and quarantined rows by reason."""

    relations: dict[str, int] = field(default_factory=dict)  # "schema.name" -> rows
    quarantined: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, code) -> rows
    headline: Headline = field(default_factory=Headline)
    db_path: Path = Path()

    def render(self, tables: bool = False) -> str:
        lines = self.headline.render(self.db_path)
        total = sum(self.quarantined.values())
        lines.append(f"Quarantined landing rows: {total:,}" + (" (by source and reason: --tables)" if total else ""))
        if not tables:
            return "\n".join(lines)
        lines.append("Built relations (rows):")
        width = max((len(name) for name in self.relations), default=10)
        for name, rows in self.relations.items():
            lines.append(f"  {name:<{width}}  {rows:>12,}")
        for (source, code), rows in sorted(self.quarantined.items()):
            lines.append(f"  {source:<24} {code:<18} {rows:>8,}")
        return "\n".join(lines)


def read_summary(db_path: Path) -> BuildSummary:
    """Count rows of every table of the warehouse and the quarantine by reason.

    A serving warehouse (orchestration/lib/serving.py) holds the counts of the
    build it was published from: those are read instead, and the headline
    comes from its masked copies of the public tables."""
    summary = BuildSummary(db_path=Path(db_path))
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        every_relation = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
        if _read_published_counts(con, summary):
            summary.headline = _headline(con, every_relation, Path(db_path))
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
        summary.headline = _headline(con, every_relation, Path(db_path))
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


def _headline(con, tables: set[tuple[str, str]], db_path: Path) -> Headline:
    headline = Headline()

    def relation(name: str, schema: str) -> str | None:
        """The masked copy in a serving warehouse, else the build warehouse's table."""
        for candidate in ("marts_masked", schema):
            if (candidate, name) in tables:
                return f"{candidate}.{name}"
        return None

    traits = relation("dim_profile_traits", "traits")
    if traits:
        headline.profiles, headline.known, as_of = con.execute(
            "select count(*), count(*) filter (where is_known), cast(max(as_of_date) as varchar) "
            f"from {traits}").fetchone()
        headline.as_of = as_of
    comparison = relation("rpt_segment_comparison", "segments")
    if comparison:
        headline.top_segments = [
            (name, int(size), float(revenue or 0), share) for name, size, revenue, share in con.execute(
                f"select segment_name, audience_size, revenue, share_of_revenue from {comparison} "
                "where segment_kind = 'declared' and revenue > 0 order by revenue desc, segment_key limit ?",
                [TOP_SEGMENTS]).fetchall()]
    manifest = relation("rpt_audience_export_manifest", "marts")
    if manifest:
        run_date, files = con.execute(
            "select cast(max(run_date) as varchar), count(*) filter (where segment_file is not null) "
            f"from {manifest}").fetchone()
        if run_date:
            from orchestration.lib.project import PROJECT_DIR

            root = Path(os.environ.get("PROFILE360_EXPORTS_DIR") or PROJECT_DIR / "exports").resolve()
            headline.exports_dir, headline.export_files = root / run_date, int(files)
    from orchestration.quality.runner import quality_dir

    docs = quality_dir(db_path) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    headline.quality_docs = docs if docs.exists() else None
    return headline
