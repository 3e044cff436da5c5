"""dbt metadata outside tools read: source freshness on the landing sources
(the day of each source's newest drop), exposures of the BI schema, the app and
the audience files, and groups with owners and public access on the public
models."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date

import pytest

from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR

# architecture.md: the interfaces outside tools rely on.
PUBLIC = {"map_records_to_profiles", "map_identifiers_to_profiles", "fct_profile_id_changes", "dim_profiles",
          "dim_profile_traits", "fct_segment_membership_changes", "rpt_segment_comparison",
          "rpt_lifecycle_transitions", "fct_customer_touchpoints", "rpt_channel_performance"}


@pytest.fixture(scope="module")
def freshness(built_warehouse, tmp_path_factory):
    root = tmp_path_factory.mktemp("freshness")
    db = root / "wh.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(db),
           "PROFILE360_LANDING_DIR": str(built_warehouse.landing_dir)}
    result = subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "source", "freshness",
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
         "--output", str(root / "sources.json")],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
    return (json.loads((root / "sources.json").read_text()),
            json.loads((root / "target" / "manifest.json").read_text()), built_warehouse.landing_dir)


def _data_lines(path) -> int:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - (1 if ".csv" in path.name else 0)


def test_every_landing_source_is_as_fresh_as_its_newest_drop(freshness):
    results, _, landing = freshness
    by_table = {r["unique_id"].split(".")[-1]: r for r in results["results"]}
    folders = [f for f in landing.iterdir() if f.is_dir() and not f.name.startswith("_")]
    assert folders and set(by_table) >= {f.name for f in folders}
    for folder in folders:
        # The newest drop with rows (a drop of only a header holds no row to be read).
        newest = max(re.match(r"\d{4}-\d{2}-\d{2}", f.name).group(0) for f in folder.iterdir()
                     if _data_lines(f) > 0)
        result = by_table[folder.name]
        assert result["status"] in ("pass", "warn"), result
        assert date.fromisoformat(result["max_loaded_at"][:10]) == date.fromisoformat(newest), folder.name


def test_exposures_cover_the_bi_schema_the_app_and_the_audience_files(freshness):
    _, manifest, _ = freshness
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {"bi_marts_masked", "profile360_app", "audience_files"}
    masked = {n["unique_id"] for n in manifest["nodes"].values()
              if n["resource_type"] == "model" and n["schema"].endswith("marts_masked")}
    assert masked and set(exposures["bi_marts_masked"]["depends_on"]["nodes"]) == masked
    audience = {n["unique_id"] for n in manifest["nodes"].values() if n["name"].startswith("exp_audience_")}
    assert audience <= set(exposures["audience_files"]["depends_on"]["nodes"])
    assert exposures["profile360_app"]["type"] == "application"


def test_public_models_are_public_in_a_group_with_an_owner(freshness):
    _, manifest, _ = freshness
    groups = {g["name"]: g for g in manifest["groups"].values()}
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for name in PUBLIC:
        model = models[name]
        assert model["access"] == "public", name
        assert groups[model["group"]]["owner"].get("email"), name
    assert models["int_identifier_occurrences"]["access"] == "protected"
