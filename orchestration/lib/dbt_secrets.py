"""A dbt-duckdb plugin that hands the build its secrets as session variables,
so that no secret is ever written in SQL text (compiled SQL, view
definitions, dbt's logs, run artefacts).

profiles.yml names this module under ``plugins``; on every DuckDB cursor dbt
opens it sets, as bound parameters:

* ``profile360_erasure_salt``: the salt of the erasure hashes
  (macros/privacy/erasure.sql), env ``PROFILE360_ERASURE_SALT``, else a demo
  default (set your own in production);
* ``profile360_record_key_secret``: the key of the masked record keys
  (macros/masking/record_keys.sql), the serving warehouse's look-up key
  (orchestration/lib/serving.py: a file outside both warehouses).

SQL reads them with ``getvariable()``; a relation that needs one fails with a
clear error when read by a session that does not have it, instead of
hashing with an empty secret.
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

DEMO_ERASURE_SALT = "profile360-demo-erasure-salt"
ERASURE_SALT_VARIABLE = "profile360_erasure_salt"
RECORD_KEY_VARIABLE = "profile360_record_key_secret"


def secrets(db_path: str | None = None) -> dict[str, str]:
    from orchestration.lib.project import Paths
    from orchestration.lib.serving import lookup_key

    return {
        ERASURE_SALT_VARIABLE: os.environ.get("PROFILE360_ERASURE_SALT") or DEMO_ERASURE_SALT,
        RECORD_KEY_VARIABLE: lookup_key(db_path or Paths.from_env().db_path, create=True),
    }


def apply_secrets(con, db_path: str | None = None) -> None:
    """Set the secrets in a DuckDB session of one's own (publish, tests, a notebook of the
    warehouse owner), so that the build warehouse's views that need them can be read."""
    for name, value in secrets(db_path).items():
        con.execute(f"set variable {name} = ?", [value])


_sqlalchemy_listening = False


def secrets_on_sqlalchemy_connections() -> None:
    """Set the secrets (of PROFILE360_DB_PATH's warehouse) on every DuckDB
    connection SQLAlchemy opens in this process: Great Expectations reads the
    staging base_ views, which hash with the erasure salt."""
    global _sqlalchemy_listening
    if _sqlalchemy_listening:
        return
    import sqlalchemy as sa

    def _connect(dbapi_connection, _record) -> None:
        if "duckdb" in type(dbapi_connection).__module__:
            cursor = dbapi_connection.cursor()
            for name, value in secrets().items():
                cursor.execute(f"set variable {name} = ?", [value])

    sa.event.listen(sa.pool.Pool, "connect", _connect)
    _sqlalchemy_listening = True


class Plugin(BasePlugin):
    def initialize(self, plugin_config):  # noqa: D102 - nothing to configure
        path = getattr(self.creds, "path", None)
        self._secrets = secrets(path if path and path != ":memory:" else None)

    def _set(self, connection) -> None:
        for name, value in self._secrets.items():
            connection.execute(f"set variable {name} = ?", [value])

    def configure_connection(self, conn) -> None:
        self._set(conn)

    def configure_cursor(self, cursor) -> None:
        self._set(cursor)
