"""The probabilistic links (docs/identity.md, "Probabilistic links"): one row per pair
of records of known persons (int_identity_probabilistic_records) that the trained Splink
model (models/identity/probabilistic/identity_probabilistic_model.json, re-estimated by
`profile360 train-matcher`) scores at or above var
profile360__identity_probabilistic_threshold (a match weight), with the weight and
each field's comparison level and weight. Scored on an in-memory DuckDB through the
model's blocking rules; nothing is trained here. int_identity_graph_edges turns the
pairs into edges of the identifier graph; the per-type limits and splits apply.

Incremental (replace_scope 'all', config in the YAML): a build scores only the records
whose compared fields changed since this model's previous build (the records' own
_changed_at against the newest stored _loaded_at), against every record, through the
same blocking rules (orchestration.lib.probabilistic.score(changed=...)); it keeps the
stored pairs of two unchanged records still present, and writes the whole set again. A
pair's weight depends only on its two records and the model, so the pairs equal a full
refresh's. Everything is scored again when the threshold or the model changed
(_scoring_version), when nothing is stored, and on --full-refresh.

Off (no rows) when var profile360__identity_probabilistic is false. dbt-spark runs
Python models only on Databricks, so on the spark target this model is disabled and
the graph has no probabilistic edges (dbt_project.yml).
"""

import hashlib
import json

import pandas as pd

from orchestration.lib import probabilistic


def model(dbt, session):
    enabled = str(dbt.config.get("probabilistic_enabled")).strip().lower() in ("true", "1", "yes")
    threshold = float(dbt.config.get("probabilistic_threshold"))
    trained = probabilistic.load_model(dbt.config.get("probabilistic_model"))
    version = hashlib.md5(json.dumps([threshold, trained], sort_keys=True).encode()).hexdigest()
    records = dbt.ref("int_identity_probabilistic_records").df()
    if not enabled:
        records = records.iloc[0:0]
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)

    kept = None
    changed = None
    if dbt.is_incremental and enabled:
        stored = session.sql(f"select * from {dbt.this}").df()
        previous = stored["_loaded_at"].max() if len(stored) else None
        # A table written before these columns existed: everything is scored again, and dbt's
        # on_schema_change: fail then asks for a --full-refresh (the table gains the columns).
        current = "_scoring_version" in stored.columns and set(stored["_scoring_version"]) == {version}
        if previous is not None and not pd.isna(previous) and current:
            changed = records["_changed_at"] > previous
            unchanged = set(records.loc[~changed, "record_id"])
            kept = stored[stored["record_id_l"].isin(unchanged) & stored["record_id_r"].isin(unchanged)]

    pairs = probabilistic.score(records, trained, threshold, changed=changed)
    pairs["_scored_at"] = now
    pairs["_scoring_version"] = version
    if kept is not None and len(kept):
        pairs = pd.concat([kept[pairs.columns], pairs], ignore_index=True)
    pairs["_loaded_at"] = now
    return pairs.sort_values("pair_id").reset_index(drop=True)
