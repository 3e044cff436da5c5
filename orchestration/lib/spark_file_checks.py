"""Landing file checks for the spark target, written before `dbt build --target spark`.

The file checks are the dbt Python model
models/staging/_landing/stg_landing__file_checks.py (calling
orchestration.lib.landing_check): the one place that says which landing file
can be read as the data contract says. dbt-spark runs Python models only on
Databricks, so on the spark target the orchestration layer runs that same
model function here, before dbt, on an in-memory DuckDB session over the
landing root (exactly the relation dbt-duckdb gives it: read_blob of every
file), and writes its rows as one Parquet file. The spark target registers
that file as the source `landing_checks.file_checks` (on-run-start,
macros/spark/landing_sources.sql) and the stand-in model
models/staging/_landing/spark/stg_landing__file_checks.sql selects it: the
admission rules are not written a second time.

Usage:
    python -m orchestration.lib.spark_file_checks [--landing-dir DIR] [--out FILE]

Defaults: PROFILE360_LANDING_DIR (demo_data/landing) and
PROFILE360_SPARK_FILE_CHECKS (<PROFILE360_SPARK_WAREHOUSE_DIR or
warehouse/spark>/landing_file_checks.parquet), the path the spark target reads.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

import duckdb
import yaml

from orchestration.lib.project import PROJECT_DIR

MODEL_PATH = Path("models/staging/_landing/stg_landing__file_checks.py")
CSV_COLUMNS_VAR = "profile360__landing_csv_columns"


def default_out() -> Path:
    explicit = os.environ.get("PROFILE360_SPARK_FILE_CHECKS")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("PROFILE360_SPARK_WAREHOUSE_DIR", "warehouse/spark")) / "landing_file_checks.parquet"


class _Config:
    """dbt.config of a Python model: callable (ignored here) and .get (the model's config)."""

    def __init__(self, values: dict):
        self._values = values

    def __call__(self, **_kwargs) -> None:
        return None

    def get(self, key: str, default=None):
        return self._values.get(key, default)


class _Dbt:
    """The part of dbt's Python-model object the file-checks model uses: a full build."""

    is_incremental = False
    this = None

    def __init__(self, con: duckdb.DuckDBPyConnection, landing_dir: Path, csv_columns: dict):
        self._con = con
        self._landing_dir = landing_dir
        self.config = _Config({"csv_columns": csv_columns})

    def source(self, source_name: str, table_name: str):
        if (source_name, table_name) != ("landing", "files"):
            raise KeyError(f"spark_file_checks: the file-checks model asked for source {source_name}.{table_name}, "
                           "only landing.files is provided here")
        glob = str(self._landing_dir / "*" / "*").replace("'", "''")
        return self._con.sql(f"select * from read_blob('{glob}')")


def load_model(project_dir: Path = PROJECT_DIR):
    path = project_dir / MODEL_PATH
    spec = importlib.util.spec_from_file_location("stg_landing__file_checks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def csv_columns(project_dir: Path = PROJECT_DIR) -> dict:
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return project["vars"][CSV_COLUMNS_VAR]


def write_file_checks(landing_dir: Path, out: Path, project_dir: Path = PROJECT_DIR) -> int:
    """Run the file-checks model over `landing_dir`, write its rows to `out` (Parquet); the row count."""
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"spark_file_checks: landing directory {landing_dir} does not exist")
    con = duckdb.connect()
    frame = load_model(project_dir).model(_Dbt(con, landing_dir.resolve(), csv_columns(project_dir)), con)
    out.parent.mkdir(parents=True, exist_ok=True)
    con.register("file_checks", frame)
    target = str(out).replace("'", "''")
    con.execute(f"copy (select * from file_checks order by source_file) to '{target}' (format parquet)")
    con.close()
    return len(frame)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing-dir", type=Path,
                        default=Path(os.environ.get("PROFILE360_LANDING_DIR", "demo_data/landing")))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or default_out()
    rows = write_file_checks(args.landing_dir, out)
    print(f"landing file checks: {rows} files of {args.landing_dir} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
