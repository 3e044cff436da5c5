-- One row per erasure request (request_id), its subject as a salted hash only
-- (the raw value never reaches a table). A request re-sent in a later drop
-- replaces the earlier copy: the latest file wins.

with base as (

    select * from {{ ref('base_privacy__erasure_requests') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'request_id', '_source_file desc, _raw_record') }}

),

final as (

    select
        ---------- ids
        request_id,
        ---------- strings
        subject_type,
        subject_hash,
        ---------- timestamps
        requested_at,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
