"""The probabilistic links (docs/identity.md, "Probabilistic links"): one row per pair
of records of known persons (int_identity_probabilistic_records) that the trained Splink
model (models/identity/probabilistic/identity_probabilistic_model.json, re-estimated by
`profile360 train-matcher`) scores at or above var
profile360__identity_probabilistic_threshold (a match weight), with the weight and
each field's comparison level and weight. Scored on an in-memory DuckDB through the
model's blocking rules; nothing is trained here. int_identity_graph_edges turns the
pairs into edges of the identifier graph; the per-type limits and splits apply.

Off (no rows) when var profile360__identity_probabilistic is false. dbt-spark runs
Python models only on Databricks, so on the spark target this model is disabled and
the graph has no probabilistic edges (dbt_project.yml).
"""

import pandas as pd

from orchestration.lib import probabilistic


def model(dbt, session):
    dbt.config(materialized="table")
    enabled = str(dbt.config.get("probabilistic_enabled")).strip().lower() in ("true", "1", "yes")
    threshold = float(dbt.config.get("probabilistic_threshold"))
    records = dbt.ref("int_identity_probabilistic_records").df()
    if not enabled:
        records = records.iloc[0:0]
    pairs = probabilistic.score(records, probabilistic.load_model(dbt.config.get("probabilistic_model")),
                                threshold)
    pairs["_loaded_at"] = pd.Timestamp.now(tz="UTC").tz_localize(None)
    return pairs
