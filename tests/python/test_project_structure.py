"""The dbt-project-evaluator's rules, as pytest over dbt's manifest.json.

Rules (style guide 1, 2, 10, 18, 20):
  - a model's name prefix matches its folder's layer;
  - `source()` is used only in staging;
  - every model has a description and a primary-key test (unique + not_null
    on one column);
  - every public model (marts, profiles, traits, segments, identity maps)
    has an enforced contract and every column described;
  - no model joins 7 or more relations;
  - no model reads a layer to its right (architecture.md, first rule: staging
    -> identity -> profiles -> traits -> segments -> marts), from each node's
    folder and the manifest's depends_on;
  - no relation dbt's DAG does not know (api.Relation.create,
    adapter.get_relation, load_relation in models, macros, snapshots, tests
    or dbt_project.yml) but where structure_exceptions.yml lists it.
Exceptions live in structure_exceptions.yml, each with a reason, none in the
code; an entry that no longer exempts anything fails too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from fnmatch import fnmatchcase
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
# The layers from left to right (architecture.md): a model reads only from its
# own layer or the layers to its left. Seeds are reference data, left of all.
LAYER_ORDER = ("staging", "identity", "profiles", "traits", "segments", "marts")
# Calls that name a relation dbt's DAG does not know.
RELATION_CALL = re.compile(r"\b(api\.Relation\.create|adapter\.get_relation|load_relation)\s*\(")
MACRO_START = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(")
MACRO_END = re.compile(r"\{%-?\s*endmacro\b")
DBT_FOLDERS = ("models", "macros", "snapshots", "tests", "analyses")
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
def exceptions() -> list[dict]:
    data = yaml.safe_load((Path(__file__).parent / "structure_exceptions.yml").read_text())
    entries = data.get("exceptions") or []
    for entry in entries:
        assert entry.get("reason"), f"structure exception without a reason: {entry}"
        assert entry.get("rule") and (entry.get("model") or entry.get("file")), f"incomplete: {entry}"
    return entries


def _exempt(exceptions: list[dict], rule: str, model_name: str) -> bool:
    return any(entry["rule"] == rule and entry.get("model") and fnmatchcase(model_name, entry["model"])
               for entry in exceptions)


def _models(manifest: dict) -> list[dict]:
    return [node for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["package_name"] == "profile360"]


def _layer(model: dict) -> str:
    return Path(model["original_file_path"]).parts[1]


def _violations(manifest, exceptions, rule, check) -> list[str]:
    """Every model breaking the rule and not exempt; an exception of the rule
    that exempts no model breaking it is reported too (stale)."""
    broken = [(model, message) for model in _models(manifest) for message in [check(model)] if message]
    stale = [f"exception {entry['model']!r} of {rule} exempts nothing" for entry in exceptions
             if entry["rule"] == rule and entry.get("model")
             and not any(fnmatchcase(model["name"], entry["model"]) for model, _ in broken)]
    return stale + [f"{model['name']} ({model['original_file_path']}): {message}"
                    for model, message in broken if not _exempt(exceptions, rule, model["name"])]


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
        if _layer(model) != "staging":
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
        if parents >= MAX_JOINED_RELATIONS:
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


def _node_layer(node: dict) -> str | None:
    """A model's or snapshot's layer: its first folder under models/ or snapshots/;
    None for seeds (reference data, left of every layer)."""
    if node["resource_type"] == "seed":
        return None
    return Path(node["original_file_path"]).parts[1]


def test_no_model_reads_a_layer_to_its_right(manifest, exceptions):
    nodes = manifest["nodes"]
    rank = {layer: position for position, layer in enumerate(LAYER_ORDER)}

    def check(model):
        layer = _node_layer(model)
        if layer not in rank:
            return f"folder {layer!r} is not a layer ({', '.join(LAYER_ORDER)})"
        problems = []
        for parent_id in model["depends_on"]["nodes"]:
            parent = nodes.get(parent_id)
            if parent is None or parent["resource_type"] not in ("model", "snapshot", "seed"):
                continue
            parent_layer = _node_layer(parent)
            if parent_layer is not None and rank.get(parent_layer, len(LAYER_ORDER)) > rank[layer]:
                problems.append(f"reads {parent['name']} ({parent_layer}), a layer to the right of {layer}")
        return "; ".join(problems) or None

    readers = [model for model in _models(manifest) if model["depends_on"]["nodes"]]
    assert len(readers) > 50 and {_node_layer(model) for model in readers} == set(LAYER_ORDER)
    assert _violations(manifest, exceptions, "no_read_to_the_right", check) == []


def _relation_calls() -> set[tuple[str, str]]:
    """(file, enclosing macro or '') of every call naming a relation outside the
    DAG in the project's dbt files and dbt_project.yml."""
    files = [PROJECT_DIR / "dbt_project.yml"] + sorted(
        path for folder in DBT_FOLDERS for path in (PROJECT_DIR / folder).rglob("*.sql"))
    found = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        for call in RELATION_CALL.finditer(text):
            before = text[:call.start()]
            starts = list(MACRO_START.finditer(before))
            inside = starts and not MACRO_END.search(before, starts[-1].end())
            found.add((path.relative_to(PROJECT_DIR).as_posix(), starts[-1].group(1) if inside else ""))
    return found


def test_relations_outside_the_dag_only_where_listed(exceptions):
    found = _relation_calls()
    assert found, "the project looks relations up in a few listed places: the scan should find them"
    listed = {(entry["file"], entry.get("macro") or "") for entry in exceptions
              if entry["rule"] == "relation_outside_the_dag"}
    assert {"unlisted": sorted(found - listed), "listed but not found": sorted(listed - found)} == {
        "unlisted": [], "listed but not found": []}

