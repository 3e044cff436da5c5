"""The serving warehouse: the file BI tools, the Profile 360 app and read-only
commands open, never the build warehouse a build writes.

A build writes ``PROFILE360_DB_PATH`` (everything, raw personal data
included). ``publish()`` copies the BI-facing schemas of it into a new file
and moves that file over ``PROFILE360_SERVING_DB_PATH`` in one rename, so a
reader sees either the previous published state or the new one, never a half
copy, and an open reader never stops a build (it holds the old file, which the
rename leaves alone).

Look-ups by identifier (the app's search) go through keyed hashes of the
normalised identifiers, ``lookup_hash()``. The key lives in its own file,
outside both warehouses (``PROFILE360_LOOKUP_KEY_FILE``, by default
``lookup.key`` beside the build warehouse, readable by its owner only).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import duckdb

# The schemas BI may read. Everything else stays in the build warehouse.
SERVING_SCHEMAS = ("marts_masked",)
LOOKUP_TABLE = "marts_masked.profile_lookup"


def serving_db_path(db_path: str | Path) -> Path:
    """The serving warehouse of a build warehouse: the environment, else a file beside it."""
    configured = os.environ.get("PROFILE360_SERVING_DB_PATH")
    if configured:
        return Path(configured).resolve()
    build = Path(db_path).resolve()
    return build.with_name(f"{build.stem}_serving{build.suffix or '.duckdb'}")


def lookup_key_path(db_path: str | Path) -> Path:
    configured = os.environ.get("PROFILE360_LOOKUP_KEY_FILE")
    return Path(configured).resolve() if configured else Path(db_path).resolve().parent / "lookup.key"


def lookup_key(db_path: str | Path, *, create: bool = False) -> str:
    """The secret key of the look-up hashes; created (owner-only) when asked and missing."""
    path = lookup_key_path(db_path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"no look-up key at {path}: publish a build first")
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def lookup_hash(key: str, identifier_type: str, normalized_value: str) -> str:
    """Keyed SHA-256 of one normalised identifier, as stored in the look-up table."""
    return hashlib.sha256(f"{key}|{identifier_type}|{normalized_value}".encode()).hexdigest()


def publish(db_path: str | Path, serving_path: str | Path | None = None) -> Path:
    """Copy the BI-facing schemas of the build warehouse into the serving warehouse, atomically."""
    build = Path(db_path).resolve()
    target = Path(serving_path).resolve() if serving_path else serving_db_path(build)
    key = lookup_key(build, create=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.publishing-{os.getpid()}")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(staging))
    try:
        con.execute(f"attach '{build}' as build (read_only)")
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'build' and table_schema in (select unnest(?)) order by 1, 2",
            [list(SERVING_SCHEMAS)],
        ).fetchall()
        for schema in sorted({schema for schema, _ in relations}):
            con.execute(f'create schema "{schema}"')
        for schema, name in relations:
            con.execute(f'create table "{schema}"."{name}" as select * from build."{schema}"."{name}"')
        # The key is a bound parameter: it is written to no SQL text, log or artefact.
        con.execute(
            f"create table {LOOKUP_TABLE} as "
            "select identifier_type, sha256(? || '|' || identifier_type || '|' || identifier_value) as lookup_hash, "
            "profile_id from build.identity.map_identifiers_to_profiles where profile_id is not null",
            [key],
        )
        con.execute("detach build")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(staging, target)
    return target
