-- One row per Zalo event (event_id). Duplicates re-sent by the Zalo export
-- are dropped here: the first copy (earliest file) is kept.

with base as (

    select * from {{ ref('base_zalo__events') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'event_id', '_source_file, _raw_record') }}

),

final as (

    select
        ---------- ids
        event_id,
        zalo_user_id,
        ---------- strings
        event_type,
        phone,
        properties,
        ---------- timestamps
        event_at,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
