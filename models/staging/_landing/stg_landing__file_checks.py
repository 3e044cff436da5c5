"""Content facts of each landing file: MD5, rows, and why it cannot be read.

One row per file under a folder of the landing root (folders named with a
leading underscore are not sources). A file is read here, once, only when it
is new or changed in size or modification time since this model's previous
build (incremental, delete+insert on source_file): its bytes are hashed and
checked by orchestration.lib.landing_check.check_landing_file, the one place
that says whether a file can be read as the data contract says (gzip, UTF-8,
line length, CSV header and quoting). stg_landing__files turns these facts
into the admission verdict (macros/staging/landing.sql); the staging readers
never open a rejected file, so it stops no other file or source.

A Python model because a per-file check cannot be one SQL query: a query over
a damaged file fails as a whole instead of saying which file is bad.
"""

from __future__ import annotations

import re

import pandas as pd

from orchestration.lib.landing_check import check_landing_file

FORMAT = re.compile(r"\.(csv|jsonl)(\.gz)?$")


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="source_file", on_schema_change="fail")
    csv_columns = dbt.config.get("csv_columns") or {}
    if isinstance(csv_columns, str):  # rendered from a var in the properties file
        import ast

        csv_columns = ast.literal_eval(csv_columns)

    listed = dbt.source("landing", "files").project(
        "filename, size, cast(last_modified as timestamp) as modified_at"
    ).fetchall()
    stored = {}
    if dbt.is_incremental:
        stored = {
            row[0]: (row[1], row[2])
            for row in session.sql(f"select source_file, size_bytes, modified_at from {dbt.this}").fetchall()
        }

    records = []
    for path, size, modified_at in sorted(listed):
        parts = re.split(r"[/\\]", path)
        folder, name = parts[-2], parts[-1]
        source_file = f"{folder}/{name}"
        if folder.startswith("_") or stored.get(source_file) == (size, modified_at):
            continue
        found = FORMAT.search(name)
        file_format = found.group(1) if found else "unknown"
        check = check_landing_file(
            path, source_file, file_format, required_columns=csv_columns.get(folder, ()) if found else ()
        )
        records.append((source_file, size, modified_at, check.content_hash, check.row_count,
                        check.unreadable_reason))

    frame = pd.DataFrame.from_records(
        records,
        columns=["source_file", "size_bytes", "modified_at", "content_hash", "row_count", "unreadable_reason"],
    )
    return frame.astype({
        "source_file": "string",
        "size_bytes": "int64",
        "modified_at": "datetime64[us]",
        "content_hash": "string",
        "row_count": "Int64",
        "unreadable_reason": "string",
    })
