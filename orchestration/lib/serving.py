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

from orchestration.lib.comments import copy_comments

# The schemas BI may read. Everything else stays in the build warehouse.
SERVING_SCHEMAS = ("marts_masked",)
LOOKUP_TABLE = "marts_masked.profile_lookup"
_TEXT = "varchar"
# Row counts of the build (no personal data), for `profile360 summary`.
RELATION_ROWS_TABLE = "marts_masked.build_relation_rows"
QUARANTINE_ROWS_TABLE = "marts_masked.build_quarantine_rows"
# The build warehouse holds raw personal data: readable by its owner only.
# The serving warehouse is for BI tools: owner and group may read it.
BUILD_FILE_MODE, SERVING_FILE_MODE = 0o600, 0o640


def protect_build_warehouse(db_path: str | Path) -> None:
    """Make the files this process (and its children: dbt) creates owner-only,
    and set the build warehouse and its WAL, when they exist, to owner-only."""
    os.umask(0o077)
    build = Path(db_path).resolve()
    for path in (build, build.with_name(build.name + ".wal")):
        if path.exists():
            os.chmod(path, BUILD_FILE_MODE)


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
        # Written whole under a private name, then linked into place: two
        # processes publishing at once never read a half-written key, and the
        # first link wins.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def lookup_hash(key: str, identifier_type: str, normalized_value: str) -> str:
    """Keyed SHA-256 of one normalised identifier, as stored in the look-up table."""
    return hashlib.sha256(f"{key}|{identifier_type}|{normalized_value}".encode()).hexdigest()


def masked_record_key(key: str, source: str, record_key: str) -> str:
    """A record key as the masked schema shows it (macros/masking/record_keys.sql)."""
    return f"{source}:{hashlib.sha256(f'{key}|record|{record_key}'.encode()).hexdigest()[:16]}"


def publish(db_path: str | Path, serving_path: str | Path | None = None) -> Path:
    """Copy the BI-facing schemas of the build warehouse into the serving warehouse, atomically."""
    from orchestration.lib.dbt_secrets import apply_secrets
    from orchestration.lib.summary import read_summary

    build = Path(db_path).resolve()
    target = Path(serving_path).resolve() if serving_path else serving_db_path(build)
    key = lookup_key(build, create=True)
    counts = read_summary(build)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.publishing-{os.getpid()}")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(staging))
    try:
        # The masked views hash with the build's secrets (session variables, bound: no SQL text holds them).
        apply_secrets(con, str(build))
        # Attached under its own name: the views of the build warehouse name their catalog.
        catalog = build.stem
        con.execute(f"attach '{build}' as \"{catalog}\" (read_only)")
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = ? and table_schema in (select unnest(?)) order by 1, 2",
            [catalog, list(SERVING_SCHEMAS)],
        ).fetchall()
        for schema in sorted({schema for schema, _ in relations}):
            con.execute(f'create schema "{schema}"')
        for schema, name in relations:
            con.execute(f'create table "{schema}"."{name}" as select * from "{catalog}"."{schema}"."{name}"')
        # BI tools show the descriptions dbt persisted (persist_docs) on the copies too.
        copy_comments(con, catalog, SERVING_SCHEMAS)
        # The key is a bound parameter: it is written to no SQL text, log or artefact.
        con.execute(
            f"create table {LOOKUP_TABLE} as "
            "select identifier_type, sha256(? || '|' || identifier_type || '|' || identifier_value) as lookup_hash, "
            f'profile_id from "{catalog}".identity.map_identifiers_to_profiles where profile_id is not null',
            [key],
        )
        con.execute(f'detach "{catalog}"')
        con.execute(f"create table {RELATION_ROWS_TABLE} (relation {_TEXT}, row_count bigint)")
        if counts.relations:
            con.executemany(f"insert into {RELATION_ROWS_TABLE} values (?, ?)", list(counts.relations.items()))
        con.execute(f"create table {QUARANTINE_ROWS_TABLE} (source {_TEXT}, reason_code {_TEXT}, row_count bigint)")
        if counts.quarantined:
            con.executemany(f"insert into {QUARANTINE_ROWS_TABLE} values (?, ?, ?)",
                            [(*key_, rows) for key_, rows in counts.quarantined.items()])
        con.execute("checkpoint")
    finally:
        con.close()
    os.chmod(staging, SERVING_FILE_MODE)
    os.replace(staging, target)
    return target


def after_build(db_path: str | Path, *, complete: bool = True) -> list[str]:
    """What follows a build that passed every test: the audience files, then
    the serving warehouse. A partial build (a dbt selection) publishes
    nothing: its tests do not cover the whole warehouse. Lines to print."""
    from orchestration.lib.exports import write_exports

    if not complete:
        return ["partial build (a selection): no audience files written, the serving warehouse not republished"]
    lines = write_exports(db_path).lines()
    target = publish(db_path)
    return [*lines, f"published the serving warehouse {target}"]
