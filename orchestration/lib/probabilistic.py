"""Probabilistic identity matching with Splink (docs/identity.md, "Probabilistic links").

The records compared are the rows of `int_identity_probabilistic_records` (one per CRM
contact and loyalty member, fields normalised in SQL). This module holds:

* `settings()`: the Splink model definition (comparisons, blocking rules);
* `train(records, path)`: estimate its parameters from the data itself (u by random
  sampling, m and the prior by expectation maximisation) and write the trained model
  JSON, versioned in the repo (`MODEL_PATH`), re-estimated by `profile360 train-matcher`,
  never at build time;
* `score(records, model, threshold)`: the pairs the trained model scores at or above
  a match weight, with the weight and each field's comparison level and weight; the
  dbt Python model `int_identity_probabilistic_pairs` calls it at build time, on an
  in-memory DuckDB (nothing of Splink's is left in the warehouse).
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.lib.project import PROJECT_DIR

MODEL_PATH = PROJECT_DIR / "models" / "identity" / "probabilistic" / "identity_probabilistic_model.json"

# The compared fields, in the order of the model's comparisons (output column names).
FIELDS = ("name_key", "birth_date", "address_key", "province_key", "email", "phone")

RECORD_COLUMNS = ("record_id", "source", "record_key", "name_key", "birth_date", "birth_date_key",
                  "address_key", "province_key", "email", "phone")

# The blocking rules: only records equal on one of these are compared.
BLOCKING_KEYS = ("name_key", "birth_date_key", "address_key")

PAIR_COLUMNS = ("pair_id", "record_id_l", "record_id_r", "source_l", "record_key_l", "source_r", "record_key_r",
                "match_weight", "match_probability",
                *(f"{field}_{part}" for field in FIELDS for part in ("level", "weight")))


def settings() -> Any:
    """The Splink settings: what is compared, how, and which pairs are compared at all."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    birth_date = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.CustomLevel("birth_date_key_l = birth_date_key_r", "day and month swapped"),
            cll.CustomLevel("substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)", "same year"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.JaroWinklerAtThresholds("name_key", [0.94, 0.85]),
            birth_date,
            cl.JaroWinklerAtThresholds("address_key", [0.9]),
            cl.ExactMatch("province_key"),
            cl.LevenshteinAtThresholds("email", [2]),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[block_on(key) for key in BLOCKING_KEYS],
        # Each field's weight in the predictions (mw_<field>): the audit and `explain` show them.
        retain_intermediate_calculation_columns=True,
    )


def _linker(con: duckdb.DuckDBPyConnection, records: pd.DataFrame, model: Any,
            extra: tuple[str, ...] = ()) -> Any:
    from splink import DuckDBAPI, Linker

    missing = [c for c in (*RECORD_COLUMNS, *extra) if c not in records.columns]
    if missing:
        raise ValueError(f"int_identity_probabilistic_records: missing columns {missing}")
    frame = records[[*RECORD_COLUMNS, *extra]].copy()
    db_api = DuckDBAPI(con)
    table = db_api.register(frame, table_name="profile360_records")
    return Linker(table, model, log_level=None)


def train(records: pd.DataFrame, out_path: Path = MODEL_PATH, *, seed: int = 42,
          max_pairs: float = 2e6) -> dict[str, Any]:
    """Estimate the model on `records` and write it to out_path; returns the model dict.

    The prior (probability that two random records match): from the pairs with the same
    name and birth date or e-mail, assumed to find 70% of the matches.
    u: random sampling (non-matches dominate random pairs); m: EM, once
    blocked on the name (estimates every comparison but the name) and once on the
    birth-date key (estimates the name)."""
    from splink import block_on

    if len(records) < 2:
        raise ValueError("train-matcher: fewer than 2 records to learn from")
    logging.getLogger("splink").setLevel(logging.WARNING)
    con = duckdb.connect()
    try:
        linker = _linker(con, records, settings())
        linker.training.estimate_probability_two_random_records_match(
            [block_on("name_key", "birth_date"), block_on("name_key", "email")], recall=0.7)
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("name_key"), record_sample_proportion=1.0)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("birth_date_key"), record_sample_proportion=1.0)
        model = linker.misc.save_model_to_json()
    finally:
        con.close()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(model, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return model


def load_model(path: Path | str = MODEL_PATH) -> dict[str, Any]:
    path = Path(path)
    if not path.is_absolute():
        path = PROJECT_DIR / path
    if not path.is_file():
        raise FileNotFoundError(f"probabilistic model {path} not found: run `profile360 train-matcher`")
    return json.loads(path.read_text(encoding="utf-8"))


def _level_weights(model: dict[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """Per comparison output column: (weight, label) of each level; the null level weighs 0."""
    levels: dict[str, list[tuple[float, str]]] = {}
    for comparison in model["comparisons"]:
        out: list[tuple[float, str]] = []
        for level in comparison["comparison_levels"]:
            label = level.get("label_for_charts") or level["sql_condition"]
            if level.get("is_null_level"):
                out.append((0.0, "null"))
            elif level.get("m_probability") and level.get("u_probability"):
                out.append((math.log2(level["m_probability"] / level["u_probability"]), label))
        levels[comparison["output_column_name"]] = out
    return levels


def _level_of(levels: list[tuple[float, str]], weight: float) -> str:
    """The level whose weight the pair's field weight is (Splink's output carries the
    weight, mw_<field>; each level's weight is log2(m/u))."""
    return min(levels, key=lambda level: abs(level[0] - weight))[1] if levels else ""


def only_changed(model: dict[str, Any]) -> dict[str, Any]:
    """The model with each blocking rule narrowed to pairs with at least one changed
    record (column `is_changed` of the records): the pairs the full blocking compares,
    minus those of two unchanged records. Splink compares a pair under its first
    matching rule only, which the narrowing keeps (every rule gets the same condition)."""
    narrowed = json.loads(json.dumps(model))
    for rule in narrowed["blocking_rules_to_generate_predictions"]:
        rule["blocking_rule"] = f"({rule['blocking_rule']}) and (l.is_changed or r.is_changed)"
    return narrowed


def empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c.startswith("match") or c.endswith("_weight")
                                      else "str") for c in PAIR_COLUMNS})


def score(records: pd.DataFrame, model: dict[str, Any], threshold: float, *,
          changed: pd.Series | None = None) -> pd.DataFrame:
    """Every pair of records the blocking rules compare whose match weight is at least
    `threshold`, one row per pair (record_id_l < record_id_r), with each field's
    comparison level (its label) and weight (log2 of its Bayes factor).

    With `changed` (a boolean per record): only the pairs with at least one changed
    record, the rest of the records taking part as the other side (an incremental
    build scores its new and changed records against the stored ones, through the same
    blocking rules; a pair of two unchanged records is not compared again)."""
    logging.getLogger("splink").setLevel(logging.WARNING)
    extra: tuple[str, ...] = ()
    if changed is not None:
        if not changed.any():
            return empty_pairs()
        records = records.assign(is_changed=changed.astype(bool).values)
        model, extra = only_changed(model), ("is_changed",)
    if len(records) < 2:
        return empty_pairs()
    con = duckdb.connect()
    try:
        linker = _linker(con, records, model, extra)
        predictions = linker.inference.predict(threshold_match_weight=threshold)
        frame = predictions.as_pandas_dataframe()
    finally:
        con.close()
    return _pairs_frame(frame, model, records)


def _pairs_frame(frame: pd.DataFrame, model: dict[str, Any], records: pd.DataFrame) -> pd.DataFrame:
    levels = _level_weights(model)
    out = pd.DataFrame({
        "record_id_l": frame["record_id_l"].astype("object"),
        "record_id_r": frame["record_id_r"].astype("object"),
        "match_weight": frame["match_weight"].astype("float64"),
        "match_probability": frame["match_probability"].astype("float64"),
    })
    for field in FIELDS:
        weight = frame[f"mw_{field}"].astype("float64").fillna(0.0)
        out[f"{field}_level"] = weight.map(lambda w, f=field: _level_of(levels[f], w)).astype("object")
        out[f"{field}_weight"] = weight
    swap = out["record_id_l"] > out["record_id_r"]
    out.loc[swap, ["record_id_l", "record_id_r"]] = out.loc[swap, ["record_id_r", "record_id_l"]].values
    out["pair_id"] = out["record_id_l"] + "|" + out["record_id_r"]
    source = dict(zip(records["record_id"], records["source"]))
    key = dict(zip(records["record_id"], records["record_key"]))
    for side in ("l", "r"):
        out[f"source_{side}"] = out[f"record_id_{side}"].map(source).astype("object")
        out[f"record_key_{side}"] = out[f"record_id_{side}"].map(key).astype("object")
    out = out[list(PAIR_COLUMNS)]
    for column in PAIR_COLUMNS:  # text columns typed as text even when empty (the contract)
        if not (column.startswith("match") or column.endswith("_weight")):
            out[column] = out[column].astype("str")
    return out.sort_values(["record_id_l", "record_id_r"]).reset_index(drop=True)
