-- One row per consent record (consent_record_id = surrogate key of every
-- consent column): a subject granting or withdrawing one purpose at one time.
-- A record sent again is an exact duplicate and collapses to its first copy.

with base as (

    select * from {{ ref('base_privacy__consents') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'consent_record_id', '_source_file, _raw_record') }}

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
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
