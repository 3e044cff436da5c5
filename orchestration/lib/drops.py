"""Blocked drops: the gate's verdicts and the operator's acceptances (README
"Run it every day", docs/layers.md "Landing admission").

Both are external inputs of the build, kept as JSON Lines files in the landing
zone's reserved folder ``_control/`` (folders named with a leading underscore
are no source) and read by dbt through the landing listing
(``staging.stg_landing__files``: status ``blocked``; macros/staging/landing.sql):

``_control/drop_verdicts.jsonl``
    one line per drop that failed a blocking Great Expectations suite, written
    by the daily build when the gate fails: the file, its content hash (md5 of
    its bytes, as stg_landing__files hashes it), the failing check, the run and
    the time.
``_control/drop_acceptances.jsonl``
    one line per ``profile360 accept-drop <source> <day> --reason ...``: the
    file, the content hash accepted, who, when and why.

A drop is blocked while a verdict names its current content hash and no
acceptance does: replacing the file (new content, new hash) or accepting it
lifts the block. Files are only appended to, so the history of decisions stays.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

CONTROL_FOLDER = "_control"
VERDICTS = "drop_verdicts.jsonl"
ACCEPTANCES = "drop_acceptances.jsonl"
DROP_SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz")


def control_dir(landing_dir: str | Path) -> Path:
    return Path(landing_dir) / CONTROL_FOLDER


def content_hash(path: Path) -> str:
    """md5 hex of the file's bytes (stg_landing__files: md5(content))."""
    digest = hashlib.md5()  # noqa: S324 - a content fingerprint, not a secret
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_lines(path: Path) -> list[dict[str, Any]]:
    """The decisions of one control file; a line that is not a JSON object is an error naming it."""
    if not path.is_file():
        return []
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: line {number} is not JSON ({error.msg})") from None
        if not isinstance(record, dict) or not record.get("source_file") or not record.get("content_hash"):
            raise ValueError(f"{path}: line {number} has no source_file and content_hash")
        out.append(record)
    return out


def _append(path: Path, records: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def drop_file(landing_dir: str | Path, source: str, day: date) -> Path:
    """The landing file of one drop: ``<source>/<day>.<ext>``; an error naming what is missing."""
    folder = Path(landing_dir) / source
    if not folder.is_dir() or source.startswith("_"):
        raise ValueError(f"no landing source folder {folder}")
    found = [folder / f"{day.isoformat()}{suffix}" for suffix in DROP_SUFFIXES
             if (folder / f"{day.isoformat()}{suffix}").is_file()]
    if len(found) != 1:
        raise ValueError(f"no single drop {source}/{day.isoformat()}.* in {folder} (found {len(found)})")
    return found[0]


def blocked_in_force(landing_dir: str | Path) -> list[dict[str, Any]]:
    """Verdicts naming a drop's current content, not accepted (the rule of stg_landing__files)."""
    control = control_dir(landing_dir)
    accepted = {(r["source_file"], r["content_hash"]) for r in read_lines(control / ACCEPTANCES)}
    out: dict[str, dict[str, Any]] = {}
    for verdict in read_lines(control / VERDICTS):
        path = Path(landing_dir) / verdict["source_file"]
        if (verdict["source_file"], verdict["content_hash"]) in accepted or not path.is_file():
            continue
        if content_hash(path) == verdict["content_hash"]:
            out.setdefault(verdict["source_file"], verdict)
    return [out[key] for key in sorted(out)]


def suite_source(table: str) -> str | None:
    """The landing source a staging suite's table is staged from (``staging.stg_pos__transactions``
    -> ``pos_transactions``); None for a table that mixes sources (the quarantine) or is no
    staging table."""
    name = table.split(".")[-1]
    if not name.startswith("stg_") or "__" not in name or name.startswith("stg_landing__"):
        return None
    system, entity = name[len("stg_"):].split("__", 1)
    return f"{system}_{entity}"


def record_verdicts(landing_dir: str | Path, failed: dict[str, str], window: tuple[date, date],
                    run_id: str = "") -> list[str]:
    """Append a verdict for each drop of the window that a failed blocking suite validated.

    ``failed`` maps a suite's table (``staging.stg_pos__transactions``) to its check name;
    the drops are that source's landing files of the window's days, hashed here (md5 of
    the bytes, as stg_landing__files hashes them), so the gate needs no connection to the
    warehouse. A suite over a table that mixes sources (the quarantine) blocks no drop:
    its run still stops. Returns the drops blocked (``<source>/<file>``).
    """
    verdicts = []
    days = [window[0] + timedelta(days=i) for i in range((window[1] - window[0]).days + 1)]
    for table, check in sorted(failed.items()):
        source = suite_source(table)
        if source is None or not (Path(landing_dir) / source).is_dir():
            continue
        for day in days:
            for suffix in DROP_SUFFIXES:
                path = Path(landing_dir) / source / f"{day.isoformat()}{suffix}"
                if path.is_file():
                    verdicts.append({"source_file": f"{source}/{path.name}", "source": source,
                                     "drop_date": day.isoformat(), "content_hash": content_hash(path),
                                     "check": check, "run_id": run_id, "decided_at": _now()})
    if verdicts:
        _append(control_dir(landing_dir) / VERDICTS, verdicts)
    return sorted({verdict["source_file"] for verdict in verdicts})


def accept_drop(landing_dir: str | Path, source: str, day: date, reason: str, who: str | None = None) -> dict:
    """Record that the operator accepts a blocked drop as it is now: who, when, why."""
    if not reason or not reason.strip():
        raise ValueError("accept-drop needs --reason: why the drop may be built")
    path = drop_file(landing_dir, source, day)
    source_file = f"{source}/{path.name}"
    digest = content_hash(path)
    blocked = {verdict["source_file"] for verdict in blocked_in_force(landing_dir)}
    if source_file not in blocked:
        raise ValueError(f"{source_file} is not blocked (no verdict names its current content, or it was "
                         "accepted already)")
    record = {"source_file": source_file, "source": source, "drop_date": day.isoformat(),
              "content_hash": digest, "accepted_by": who or _user(), "accepted_at": _now(),
              "reason": reason.strip()}
    _append(control_dir(landing_dir) / ACCEPTANCES, [record])
    return record


def _user() -> str:
    try:
        return os.environ.get("PROFILE360_OPERATOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"




def blocked_at_last_build(db_path: str | Path) -> set[str]:
    """The drops stg_landing__files marked blocked at the last build of the warehouse."""
    import duckdb

    if not Path(db_path).is_file():
        return set()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        exists = con.execute("select count(*) from information_schema.tables "
                             "where table_schema = 'staging' and table_name = 'stg_landing__files'").fetchone()[0]
        if not exists:
            return set()
        return {row[0] for row in con.execute(
            "select source_file from staging.stg_landing__files where status = 'blocked'").fetchall()}
    finally:
        con.close()


def unblocked_since_last_build(db_path: str | Path, landing_dir: str | Path) -> list[str]:
    """Drops blocked at the last build and no longer (accepted, or replaced by new content):
    staging reads each file once, so only a full rebuild reads them now."""
    now = {verdict["source_file"] for verdict in blocked_in_force(landing_dir)}
    return sorted(blocked_at_last_build(db_path) - now)
