"""The dbt-project-evaluator's rules, as pytest over dbt's manifest.json.

Rules (style guide 1, 2, 10, 18, 20):
  - a model's name prefix matches its folder's layer;
  - `source()` is used only in staging;
  - every model has a description and a primary-key test (unique + not_null
    on one column);
  - every public model (marts, profiles, traits, segments, identity maps)
    has an enforced contract and every column described;
  - no model joins 7 or more relations.
Exceptions live in structure_exceptions.yml, each with a reason.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from orchestration.lib.dbt import dbt_command
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR

# Folder (first level under models/) -> allowed name prefixes.
LAYER_PREFIXES = {
    "staging": ("stg_", "base_"),
    "identity": ("int_", "map_", "fct_", "dim_"),
    "profiles": ("int_", "dim_"),
    "traits": ("int_", "trait_", "dim_"),
    "segments": ("int_", "dim_", "fct_", "rpt_"),
    "marts": ("dim_", "fct_", "rpt_", "exp_", "bdg_", "map_"),
}
# Public interfaces: names other tools rely on (architecture.md).
PUBLIC_PREFIXES = ("dim_", "fct_", "rpt_", "map_", "bdg_")
MAX_JOINED_RELATIONS = 7


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("manifest")
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(target / "parse.duckdb")}
    result = subprocess.run(
        dbt_command("parse", extra=["--target-path", str(target)]),
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((target / "manifest.json").read_text())


@pytest.fixture(scope="module")
def exceptions() -> set[tuple[str, str]]:
    data = yaml.safe_load((Path(__file__).parent / "structure_exceptions.yml").read_text())
    entries = data.get("exceptions") or []
    for entry in entries:
        assert entry.get("reason"), f"structure exception without a reason: {entry}"
    return {(entry["rule"], entry["model"]) for entry in entries}


def _models(manifest: dict) -> list[dict]:
    return [node for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["package_name"] == "profile360"]


def _layer(model: dict) -> str:
    return Path(model["original_file_path"]).parts[1]


def _violations(manifest, exceptions, rule, check) -> list[str]:
    return [f"{model['name']} ({model['original_file_path']}): {message}"
            for model in _models(manifest)
            if (rule, model["name"]) not in exceptions
            for message in [check(model)] if message]


def test_manifest_has_models(manifest):
    assert len(_models(manifest)) >= 33, "expected the staging layer (16 sources x base/stg + quarantine)"


def test_model_prefix_matches_layer(manifest, exceptions):
    def check(model):
        layer = _layer(model)
        if layer not in LAYER_PREFIXES:
            return f"folder {layer!r} is not a layer ({', '.join(LAYER_PREFIXES)})"
        if not model["name"].startswith(LAYER_PREFIXES[layer]):
            return f"prefix should be one of {LAYER_PREFIXES[layer]} in {layer}"
        return None
    assert _violations(manifest, exceptions, "prefix_matches_layer", check) == []


def test_sources_only_in_staging(manifest, exceptions):
    def check(model):
        if model["sources"] and _layer(model) != "staging":
            return f"uses source() outside staging: {model['sources']}"
        return None
    assert _violations(manifest, exceptions, "source_only_in_staging", check) == []


def test_staging_stg_models_read_one_source_or_their_base(manifest, exceptions):
    def check(model):
        if _layer(model) != "staging" or model["name"].startswith("stg_landing__"):
            return None
        if len(model["sources"]) > 1:
            return f"reads several sources: {model['sources']}"
        return None
    assert _violations(manifest, exceptions, "one_source_per_staging_model", check) == []


def test_every_model_has_a_description(manifest, exceptions):
    def check(model):
        return None if model["description"].strip() else "no description"
    assert _violations(manifest, exceptions, "description", check) == []


def _primary_key_columns(manifest: dict, model_id: str) -> set[str]:
    tests: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or model_id not in node["depends_on"]["nodes"]:
            continue
        meta = node.get("test_metadata") or {}
        column = node.get("column_name")
        if meta.get("name") in ("unique", "not_null") and column:
            tests.setdefault(column, set()).add(meta["name"])
        if meta.get("name") == "unique_combination_of_columns":
            tests.setdefault("+".join(meta["kwargs"]["combination_of_columns"]), set()).update(
                {"unique", "not_null"})
    return {column for column, kinds in tests.items() if {"unique", "not_null"} <= kinds}


def test_every_model_has_a_primary_key_test(manifest, exceptions):
    def check(model):
        if model["name"].startswith("base_"):
            return None  # base_* views hold every landing row, broken ones too: no key by design
        if not _primary_key_columns(manifest, model["unique_id"]):
            return "no column with both unique and not_null tests"
        return None
    assert _violations(manifest, exceptions, "primary_key_test", check) == []


def test_public_models_have_enforced_contracts_and_described_columns(manifest, exceptions):
    def check(model):
        if _layer(model) == "staging" or not model["name"].startswith(PUBLIC_PREFIXES):
            return None
        if not model["config"].get("contract", {}).get("enforced"):
            return "public model without an enforced contract"
        undescribed = [name for name, column in model["columns"].items() if not column["description"]]
        return f"columns without description: {undescribed}" if undescribed else None
    assert _violations(manifest, exceptions, "public_contract", check) == []


def test_no_model_joins_too_many_relations(manifest, exceptions):
    def check(model):
        parents = len(set(model["depends_on"]["nodes"]))
        if parents >= MAX_JOINED_RELATIONS and not model["name"].startswith(("stg_landing__", "dim_profile_traits")):
            return f"depends on {parents} relations"
        return None
    assert _violations(manifest, exceptions, "max_joins", check) == []


def test_staging_columns_all_described(manifest, exceptions):
    def check(model):
        if _layer(model) != "staging" or not model["name"].startswith("stg_"):
            return None
        undocumented = [name for name, column in model["columns"].items() if not column["description"]]
        return f"columns without description: {undocumented}" if undocumented else None
    assert _violations(manifest, exceptions, "staging_columns_described", check) == []
