"""What an incremental build may differ from a one-shot build of the same drops, and why:
one place for test_incremental (DuckDB, day by day) and benchmarks/spark_parity.py (Spark's
incremental build against DuckDB's full one)."""

from __future__ import annotations

# Lineage load times: when a row was loaded, which differs by construction.
LOAD_TIME_COLUMNS = {"_loaded_at"}

# The identity layer's inner tables, incremental too (docs/identity.md,
# "Incremental builds"): compared like the public ones, without the stitching
# statistics of the build that last stitched a group (rounds and passes).
IDENTITY_INNER = {
    "identity.int_identifier_occurrences": set(),
    "identity.int_identifiers_flagged": set(),
    "identity.int_identity_links": set(),
    "identity.int_identity_components": {"stitch_rounds", "stitch_passes", "stitch_max_pass_rounds"},
    "identity.int_identity_profile_anchors": set(),
    "identity.int_identity_links_rejected": set(),
}

# Tables compared on part of their columns or state, and why.
PARTIAL = {
    # Append-only log: erased_at is the build that first logged the hash
    # (a load time), request_id and erased_as the request that reached it
    # first; the set of erased identifiers must be the same.
    "staging.stg_landing__erasure_log": "select identifier_hash, identifier_type from {t}",
    # Landing admission: when a build first listed a file is a load time; the
    # files, their contents and verdicts must be the same.
    "staging.stg_landing__files":
        "select source_file, source, file_name, drop_date, size_bytes, content_hash, status, reason, "
        "row_count, changed_after_admission from {t}",
    # The per-file contents check: a file's modification time is the landing
    # copy's (the one-shot build reads the generated folder itself).
    "staging.stg_landing__file_checks":
        "select source_file, size_bytes, content_hash, row_count, unreadable_reason from {t}",
    # Membership history: a day-by-day build records spells opened on
    # earlier days, a one-shot build only the last day. The current state,
    # the open spells, must be the same.
    "segments.fct_segment_membership_changes":
        "select profile_id, segment_key from {t} where exited_at is null",
    # Snapshot of the record map: its validity periods are the times of the
    # builds. The current rows must be the same.
    "identity.snp_identity__record_profiles":
        "select record_id, source, record_key, profile_id from {t} where dbt_valid_to is null",
}
# Tables left out, and why.
EXCLUDED = {
    # Weekly counts of moves between lifecycle stages, read from the
    # membership history: a one-shot build has one as-of day, so every
    # profile moves from `none`. Its current state is the open spells of
    # fct_segment_membership_changes, compared above.
    "segments.rpt_lifecycle_transitions",
    # The merge/split log records how profile ids changed between builds: a
    # one-shot build has no earlier build, so it is empty by construction.
    # Its current state is map_records_to_profiles and
    # map_identifiers_to_profiles, compared in full.
    "identity.fct_profile_id_changes",
}

# Build lineage: when a state row was computed, and as of which day (a
# profile not recomputed keeps an earlier day by design).
LINEAGE_COLUMNS = {"_loaded_at", "computed_as_of_date"}

# Tables that describe one build's own work (which profiles, records and groups it
# recomputed), not the data: an incremental build and a one-shot build differ there by
# design. Compared by test_incremental through what they drive (the state and public
# tables); left out of an engine-to-engine comparison of an incremental build.
RUN_STATE = {
    "profiles.int_profiles_to_refresh": "the profiles this build recomputed, and why",
    "traits.int_traits_to_refresh": "the profiles whose traits this build recomputed, and why",
    "traits.int_trait_records_to_refresh": "the records this build's traits read again",
    "traits.int_touched_event_records": "the event records this build's drops touched",
    "traits.int_touched_transaction_records": "the transaction records this build's drops touched",
    "identity.int_identity_graph_edges": "edges between identifier numbers: a record's star hangs on its "
                                         "smallest number, so other numbers give other edges (internal)",
    "identity.int_identity_identifier_numbers": "identifier numbers: given once, when an identifier "
                                                "first links (internal; ids are named after text ids)",
    "identity.int_identity_merged_components": "components over identifier numbers (internal, as above)",
    "marts_masked.fct_profile_id_changes": "the masked copy of identity.fct_profile_id_changes (EXCLUDED)",
}
