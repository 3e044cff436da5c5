"""The Great Expectations suites of Profile360, declared as data.

One entry per warehouse table, keyed by ``"<schema>.<table>"``. Adding a suite
for a new table is adding an entry here: nothing else changes. Each enabled
suite becomes a Dagster asset check on the dbt asset named by ``asset`` (the
model name) and a suite of ``profile360 validate``.

An entry holds:

``asset``        the dbt model the suite checks (its Dagster asset).
``scope``        ``"drop"``: validate only the rows of the daily drop(s) being
                 built (``_source_file`` named after the day; the whole table
                 when no day is given); ``"table"``: the whole table.
``blocking``     a failure stops every downstream asset of ``asset`` (and
                 ``profile360 build`` exits 3).
``enabled``      False keeps a declared suite out of every run.
``expectations`` a list of dicts: ``type`` is a Great Expectations expectation
                 (snake case, e.g. ``expect_column_values_to_not_be_null``)
                 and the other keys are its arguments; or one of the
                 Profile360 checks below, turned into GE expectations by
                 ``orchestration.quality.runner`` when the run's window and
                 history are known:

  ``values_match_regex``         at least ``mostly`` of the non-null ``column``
                                 values match ``regex``, judged when at least
                                 ``min_values`` (default 1) are present (GE's regex
                                 expectations are not implemented for DuckDB).
  ``unexpected_rows``            ``query`` returning the offending rows; ``{batch}``
                                 is the table (GE's UnexpectedRowsExpectation).
  ``drop_row_counts_in_band``    landing rows of each validated drop (every
                                 source together, quarantined rows included)
                                 between ``min_ratio`` and ``max_ratio`` times the
                                 median of the ``lookback`` drops before it, give
                                 or take ``z`` times sqrt(median) (checked once
                                 ``min_history`` earlier drops exist).
  ``quarantine_share_below``     quarantined / landing rows of each validated
                                 drop at most ``max_share`` plus ``z`` binomial
                                 standard deviations, failing only from
                                 ``min_rows`` quarantined rows.
A failed band names each failing drop day and its sources (rows per source).
  ``distinct_count_not_collapsing`` distinct ``column`` values at least
                                 ``min_ratio`` times the count of the last
                                 successful validation (kept in the results folder).

Thresholds here are the quality rules: they live once, in this file.
"""

from __future__ import annotations

from typing import Any

# Spellings of the landing contract: +84 912 345 678, 0912345678, 84912345678,
# 0912.345.678, (+84) 912-345-678. Typed-in junk ("unknown") is tolerated by
# `mostly` (identity flags it); a drop where most phones break fails.
PHONE_REGEX = r"^\(?\+?[0-9][0-9 .()-]{7,18}[0-9]$"
EMAIL_REGEX = r"^[^@\s]+@[^@\s]+$"
# Timestamps of landing rows: not before the retailer's systems, not in the future.
TIMESTAMP_MIN = "2000-01-01"
TIMESTAMP_MAX = "{tomorrow}"  # filled in at run time (the day after the run)

# Identifier formats guard against a feed gone wrong (a column shifted, a
# system exporting placeholders), not against single typos: identity flags
# those. A drop fails when fewer than half of its present values have the
# format; drops with fewer than 5 values are not judged (one "unknown" of two).
IDENTIFIER_MOSTLY = 0.5
IDENTIFIER_MIN_VALUES = 5


def _required(*columns: str) -> dict[str, Any]:
    return {"type": "expect_table_columns_to_match_set", "column_set": list(columns), "exact_match": False}


def _not_null(column: str) -> dict[str, Any]:
    return {"type": "expect_column_values_to_not_be_null", "column": column}


def _unique(column: str) -> dict[str, Any]:
    return {"type": "expect_column_values_to_be_unique", "column": column}


def _phone(column: str = "phone") -> dict[str, Any]:
    return {"type": "values_match_regex", "column": column, "regex": PHONE_REGEX,
            "mostly": IDENTIFIER_MOSTLY, "min_values": IDENTIFIER_MIN_VALUES}


def _email(column: str = "email") -> dict[str, Any]:
    return {"type": "values_match_regex", "column": column, "regex": EMAIL_REGEX,
            "mostly": IDENTIFIER_MOSTLY, "min_values": IDENTIFIER_MIN_VALUES}


def _timestamp(column: str) -> dict[str, Any]:
    return {"type": "expect_column_values_to_be_between", "column": column,
            "min_value": TIMESTAMP_MIN, "max_value": TIMESTAMP_MAX}


SUITES: dict[str, dict[str, Any]] = {
    # ---------------------------------------------------------------- landing
    "staging.stg_landing__quarantined_rows": {
        "asset": "stg_landing__quarantined_rows",
        "scope": "drop",
        "blocking": True,
        "expectations": [
            _required("source", "source_file", "record_key", "reason_code", "reason", "raw_record", "occurrences"),
            # Per drop day. z widens both bands by the counting noise of
            # small drops (Poisson / binomial standard deviations), so that the
            # demo's own daily build passes at 300 persons (a few rows a source a
            # day) as at 100,000; min_rows: fewer quarantined rows never fail.
            # Volume: z = 2 (not 3): a drop cut to a tenth must still fail at
            # 300 persons (median ~95 rows a day: band from ~19; the demo's
            # quietest day has 49).
            {"type": "drop_row_counts_in_band", "lookback": 14, "min_history": 7,
             "min_ratio": 0.4, "max_ratio": 2.5, "z": 2},
            {"type": "quarantine_share_below", "max_share": 0.05, "z": 3, "min_rows": 5},
        ],
    },
    # ---------------------------------------------------------------- staging
    "staging.stg_crm__contacts": {
        "asset": "stg_crm__contacts",
        "scope": "drop",
        "blocking": True,
        "expectations": [
            _required("contact_id", "customer_id", "email", "phone", "created_at", "updated_at", "_source_file"),
            _not_null("contact_id"),
            _email(),
            _phone(),
            _timestamp("updated_at"),
        ],
    },
    "staging.stg_loyalty__members": {
        "asset": "stg_loyalty__members",
        "scope": "drop",
        "blocking": True,
        "expectations": [
            _required("loyalty_id", "phone", "email", "joined_at", "updated_at", "_source_file"),
            _not_null("loyalty_id"),
            _email(),
            _phone(),
            _timestamp("updated_at"),
        ],
    },
    "staging.stg_pos__transactions": {
        "asset": "stg_pos__transactions",
        "scope": "drop",
        "blocking": True,
        "expectations": [
            _required("transaction_id", "store_id", "loyalty_id", "phone", "transacted_at", "_source_file"),
            _not_null("transaction_id"),
            _phone(),
            _timestamp("transacted_at"),
        ],
    },
    "staging.stg_ecommerce__orders": {
        "asset": "stg_ecommerce__orders",
        "scope": "drop",
        "blocking": True,
        "expectations": [
            _required("order_id", "customer_id", "email", "phone", "ordered_at", "_source_file"),
            _not_null("order_id"),
            _email(),
            _phone(),
            _timestamp("ordered_at"),
        ],
    },
    "staging.stg_web__events": {
        "asset": "stg_web__events",
        "scope": "drop",
        "blocking": True,
        "expectations": [
            _required("event_id", "event_type", "anonymous_id", "event_at", "_source_file"),
            _not_null("event_id"),
            _not_null("anonymous_id"),
            _timestamp("event_at"),
        ],
    },
    # --------------------------------------------------------- public outputs
    "identity.map_records_to_profiles": {
        "asset": "map_records_to_profiles",
        "scope": "table",
        "blocking": True,
        "expectations": [
            _required("record_id", "source", "record_key", "profile_id"),
            _unique("record_id"),
            {"type": "expect_compound_columns_to_be_unique", "column_list": ["source", "record_key"]},
            _not_null("profile_id"),
            {"type": "distinct_count_not_collapsing", "column": "profile_id", "min_ratio": 0.8},
        ],
    },
    "identity.map_identifiers_to_profiles": {
        "asset": "map_identifiers_to_profiles",
        "scope": "table",
        "blocking": True,
        "expectations": [
            _required("identifier_id", "identifier_type", "identifier_value", "profile_id", "is_flagged"),
            _unique("identifier_id"),
            {"type": "expect_compound_columns_to_be_unique", "column_list": ["identifier_type", "identifier_value"]},
            {"type": "unexpected_rows",
             "description": "no profile holds two customer ids",
             "query": (
                 "select profile_id, count(distinct identifier_value) as customer_ids from {batch} "
                 "where identifier_type = 'customer_id' and profile_id is not null "
                 "group by profile_id having count(distinct identifier_value) > 1"
             )},
        ],
    },
    # ------------------------------------------------ profiles, traits, stages
    "profiles.dim_profiles": {
        "asset": "dim_profiles",
        "scope": "table",
        "blocking": True,
        "expectations": [
            _required("profile_id"),
            _unique("profile_id"),  # one row per profile
            _not_null("profile_id"),
            {"type": "distinct_count_not_collapsing", "column": "profile_id", "min_ratio": 0.8},
        ],
    },
    "traits.dim_profile_traits": {
        "asset": "dim_profile_traits",
        "scope": "table",
        "blocking": True,
        "expectations": [
            _unique("profile_id"),
            _not_null("profile_id"),
            {"type": "expect_column_values_to_be_between", "column": "behaviour_score",
             "min_value": 0, "max_value": 100},
            {"type": "expect_column_values_to_be_between", "column": "recency_days", "min_value": 0},
            {"type": "expect_column_values_to_be_between", "column": "lifetime_purchases", "min_value": 0},
            {"type": "expect_column_values_to_be_between", "column": "rfm_recency_score",
             "min_value": 1, "max_value": 5},
            {"type": "expect_column_values_to_be_between", "column": "rfm_monetary_score",
             "min_value": 1, "max_value": 5},
        ],
    },
    "segments.int_lifecycle_stages": {
        "asset": "int_lifecycle_stages",
        "scope": "table",
        "blocking": True,
        "expectations": [
            _unique("profile_id"),
            _not_null("lifecycle_stage"),
            {"type": "unexpected_rows",
             "description": "no lifecycle stage holds more than 80% of the profiles",
             "query": (
                 "select * from (select lifecycle_stage, count(*) * 1.0 / sum(count(*)) over () "
                 "as share from {batch} group by lifecycle_stage) as shares where share > 0.8"
             )},
        ],
    },
}


def enabled_suites(names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The enabled suites, all or those named (by table or by asset)."""
    chosen = {table: suite for table, suite in SUITES.items() if suite.get("enabled", True)}
    if names:
        unknown = [n for n in names if n not in chosen and n not in {s["asset"] for s in chosen.values()}]
        if unknown:
            raise KeyError(f"no enabled quality suite named {', '.join(unknown)}")
        chosen = {t: s for t, s in chosen.items() if t in names or s["asset"] in names}
    return chosen
