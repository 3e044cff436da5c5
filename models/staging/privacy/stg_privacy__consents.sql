-- One row per consent record (consent_record_id = surrogate key of every
-- consent column): a subject granting or withdrawing one purpose at one time.
-- A record sent again is an exact duplicate and collapses to its first copy.
{{ config(
    materialized='incremental',
    unique_key='consent_record_id',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook="{{ profile360.delete_erased_rows(profile360.not_erased_subject('subject_type', 'subject_value')) }}",
) }}

with base as (

    select * from {{ ref('base_privacy__consents') }}
    where
        _quarantine_reason_code is null
        and {{ profile360.new_landing_files() }}

),

candidates as (

    {{ profile360.with_stored_rows('base', 'consent_record_id') }}

),

deduplicated as (

    {{ profile360.deduplicate('candidates', 'consent_record_id', '_source_file, _raw_record') }}

),

final as (

    select
        ---------- ids
        consent_record_id,
        ---------- strings
        subject_type,
        subject_value,
        purpose,
        status,
        source,
        ---------- timestamps
        recorded_at,
        ---------- lineage
        _source_file,
        coalesce(_stored_loaded_at, {{ profile360.load_timestamp() }}) as _loaded_at
    from deduplicated

)

select * from final
