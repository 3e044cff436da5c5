"""Audience files, written from the build warehouse after a build (docs/activation.md).

The dbt models ``marts.exp_audience_<channel>`` (one row per segment and
profile exported) and ``marts.rpt_audience_export_manifest`` decide who is
exported and count who is left out; this module only writes them to disk,
into ``<exports dir>/<run date>/``:

* ``audience_<channel>.parquet`` (every segment) as the table holds it;
* ``audience_<channel>.csv`` and ``<channel>/<segment_key>.csv``, with every
  cell a spreadsheet would evaluate neutralised (``safe_cell``);
* ``manifest.csv`` / ``manifest.json``: the manifest rows plus
  ``neutralized_cells``, the cells of the segment's file that were neutralised.

Called by ``profile360 build`` and by the Dagster asset ``audience_exports``,
both after the models and their tests passed; never by dbt hooks.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.lib.project import PROJECT_DIR

CHANNELS = ("email", "sms", "zalo", "ads")
MANIFEST = "marts.rpt_audience_export_manifest"
# A spreadsheet evaluates a cell starting with one of these (OWASP, "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A phone in E.164 (`+84912345678`) starts with `+` but is a number: it cannot
# carry a formula, and an SMS platform needs it as it is.
E164 = re.compile(r"\+[0-9]{8,15}")


def exports_root() -> Path:
    """The exports folder: env PROFILE360_EXPORTS_DIR, else `exports` in the project."""
    configured = os.environ.get("PROFILE360_EXPORTS_DIR")
    return Path(configured).resolve() if configured else PROJECT_DIR / "exports"


def safe_cell(value: object) -> tuple[str, bool]:
    """A value as written into a CSV cell, and whether it was neutralised (a
    leading `'`, so that a spreadsheet shows the text instead of evaluating it)."""
    if value is None:
        return "", False
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_PREFIXES) and not E164.fullmatch(text):
        return "'" + text, True
    return text, False


@dataclass
class ExportReport:
    folder: Path
    rows: dict[str, int] = field(default_factory=dict)  # channel -> exported rows
    neutralized: int = 0

    def lines(self) -> list[str]:
        counts = ", ".join(f"{channel} {rows:,}" for channel, rows in self.rows.items())
        return [f"wrote the audience exports {self.folder} ({counts} rows; "
                f"{self.neutralized:,} cells neutralised)"]


def _write_csv(path: Path, columns: list[str], rows) -> int:
    """Write rows with a header; the number of cells neutralised."""
    neutralized = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            cells = [safe_cell(value) for value in row]
            neutralized += sum(flag for _, flag in cells)
            writer.writerow([text for text, _ in cells])
    return neutralized


def _json_value(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_exports(db_path: str | Path, root: str | Path | None = None) -> ExportReport:
    """Write the run's audience files and manifest from the build warehouse."""
    root = Path(root).resolve() if root else exports_root()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        cursor = con.execute(f"select * from {MANIFEST} order by segment_key, channel")
        names = [column[0] for column in cursor.description]
        manifest = [dict(zip(names, row)) for row in cursor.fetchall()]
        if manifest:
            run_date = str(manifest[0]["run_date"])
        else:
            (run_date,) = con.execute("select cast(max(as_of_date) as varchar) from traits.int_as_of_date").fetchone()
        folder = root / run_date
        folder.mkdir(parents=True, exist_ok=True)
        report = ExportReport(folder)
        neutralized: dict[tuple[str, str], int] = {}
        for channel in CHANNELS:
            relation = f"marts.exp_audience_{channel}"
            parquet = folder / f"audience_{channel}.parquet"
            con.execute(f"copy (select * from {relation} order by segment_key, profile_id) "
                        f"to '{str(parquet).replace(chr(39), chr(39) * 2)}' (format parquet)")
            cursor = con.execute(f"select * from {relation} order by segment_key, profile_id")
            columns = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
            report.rows[channel] = len(rows)
            report.neutralized += _write_csv(folder / f"audience_{channel}.csv", columns, rows)
            by_segment: dict[str, list[tuple]] = {}
            for row in rows:
                by_segment.setdefault(row[0], []).append(row)
            for entry in (m for m in manifest if m["channel"] == channel):
                key = entry["segment_key"]
                neutralized[(key, channel)] = _write_csv(folder / entry["segment_file"], columns,
                                                         by_segment.get(key, []))
    finally:
        con.close()
    for entry in manifest:
        entry["neutralized_cells"] = neutralized.get((entry["segment_key"], entry["channel"]), 0)
    columns = [*names, "neutralized_cells"]
    _write_csv(folder / "manifest.csv", columns, ([entry[c] for c in columns] for entry in manifest))
    (folder / "manifest.json").write_text(
        json.dumps([{c: _json_value(entry[c]) for c in columns} for entry in manifest], indent=1))
    return report
