"""Can a landing file be read as the data contract says? (issue 13, landing admission)

One function, `check_landing_file`, reads one file once and returns its content
facts: the MD5 of its bytes as stored, its number of rows, and why it cannot
be read (None when it can). It knows nothing of dbt or DuckDB, so any engine's
admission step can call it: the dbt Python model
models/staging/_landing/stg_landing__file_checks.py does, on DuckDB.

A file cannot be read, as a whole, when:
  - it is gzip-compressed (`.gz`) and the stream is damaged or cut short
    (`damaged_gzip`);
  - its bytes are not UTF-8 (`not_utf8`);
  - a line is longer than `max_line_bytes`: DuckDB's CSV reader refuses one
    (`line_too_long`);
  - a CSV file has no header (`missing_header`), or its header lacks a column
    the contract requires (`missing_column`), or a record has more fields than
    its header or its quoting is broken (`unreadable`).
A broken row that can still be read (a JSON line cut in half, a bad timestamp)
is not the file's fault: staging quarantines that row alone.

Drops are daily files, so a file is read into memory whole.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass
from typing import Iterable, Optional

# DuckDB's read_csv refuses a line longer than its max_line_size (2,000,000 bytes).
DEFAULT_MAX_LINE_BYTES = 2_000_000


@dataclass(frozen=True)
class FileCheck:
    content_hash: str
    row_count: Optional[int]
    unreadable_reason: Optional[str]


class Unreadable(ValueError):
    """The reason a file cannot be read, `<code>: <file> ...`."""


def _text_of(data: bytes, label: str, is_gzip: bool, max_line_bytes: int) -> str:
    if is_gzip:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise Unreadable(f"damaged_gzip: {label} is not a readable gzip stream ({error})") from None
    longest = max((len(line) for line in data.split(b"\n")), default=0)
    if longest > max_line_bytes:
        line_number = next(n for n, line in enumerate(data.split(b"\n"), 1) if len(line) == longest)
        raise Unreadable(
            f"line_too_long: {label} line {line_number} has {longest} bytes (at most {max_line_bytes})"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_number = data.count(b"\n", 0, error.start) + 1
        raise Unreadable(
            f"not_utf8: {label} is not UTF-8 (byte 0x{data[error.start]:02x} on line {line_number})"
        ) from None


def _csv_rows(text: str, label: str, required_columns: Iterable[str]) -> int:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=",", quotechar='"',
                        doublequote=True, strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise Unreadable(f"missing_header: {label} has no header row")
        names = {name.strip().lstrip("\ufeff").strip().lower() for name in header}
        missing = [column for column in required_columns if column.lower() not in names]
        if missing:
            raise Unreadable(f"missing_column: {label} lacks the contract's column(s) {', '.join(missing)}")
        rows = 0
        for record in reader:
            if len(record) > len(header):
                raise Unreadable(
                    f"unreadable: {label} line {reader.line_num} has {len(record)} fields, "
                    f"its header {len(header)}"
                )
            if record:
                rows += 1
        return rows
    except csv.Error as error:
        raise Unreadable(f"unreadable: {label} is not valid CSV near line {reader.line_num} ({error})") from None


def check_landing_file(
    path: str,
    label: str,
    file_format: str,
    required_columns: Iterable[str] = (),
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> FileCheck:
    """Read `path` once: its MD5, row count and unreadable reason (naming the file as `label`).

    file_format is 'csv' (comma, `"` quoting, a header row holding every
    required column) or 'jsonl' (one object a line; lines are not parsed
    here: a broken line is a row's problem, quarantined in staging).
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return FileCheck("", None, f"unreadable: {label} cannot be opened ({error.strerror})")
    content_hash = hashlib.md5(data).hexdigest()
    try:
        text = _text_of(data, label, path.endswith(".gz"), max_line_bytes)
        if file_format == "csv":
            rows = _csv_rows(text, label, required_columns)
        else:
            rows = sum(1 for line in text.split("\n") if line.strip())
    except Unreadable as reason:
        return FileCheck(content_hash, None, str(reason))
    return FileCheck(content_hash, rows, None)


__all__ = ["DEFAULT_MAX_LINE_BYTES", "FileCheck", "Unreadable", "check_landing_file"]
