"""Where the dbt project, the landing zone and the warehouse are, and the
environment every tool is run with.

The two environment variables of the landing contract decide the input and
the output: ``PROFILE360_LANDING_DIR`` (the landing zone) and
``PROFILE360_DB_PATH`` (the DuckDB file). Both default to folders inside the
project so that the demo works with no set-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_LANDING_DIR = PROJECT_DIR / "demo_data" / "landing"
DEFAULT_DB_PATH = PROJECT_DIR / "warehouse" / "profile360.duckdb"

# Offline by design: usage statistics of every tool off.
OFFLINE_ENV = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
}


@dataclass(frozen=True)
class Paths:
    """The landing zone read and the warehouse file written by one build."""

    landing_dir: Path
    db_path: Path

    @classmethod
    def from_env(cls, landing_dir: str | Path | None = None, db_path: str | Path | None = None) -> "Paths":
        """Explicit arguments win, then the environment, then the demo defaults."""
        landing = landing_dir or os.environ.get("PROFILE360_LANDING_DIR") or DEFAULT_LANDING_DIR
        db = db_path or os.environ.get("PROFILE360_DB_PATH") or DEFAULT_DB_PATH
        return cls(Path(landing).resolve(), Path(db).resolve())

    def environment(self) -> dict[str, str]:
        """Variables to set for dbt (and anything else) to use these paths."""
        return {
            **OFFLINE_ENV,
            "PROFILE360_LANDING_DIR": str(self.landing_dir),
            "PROFILE360_DB_PATH": str(self.db_path),
        }


def apply_environment(paths: Paths) -> None:
    """Set the paths and the offline switches in this process's environment."""
    os.environ.update(paths.environment())
