-- One row per email event (event_id). Events re-sent by the email service
-- provider are dropped here: the first copy (earliest file) is kept.

with base as (

    select * from {{ ref('base_email__events') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'event_id', '_source_file, _raw_record') }}

),

final as (

    select
        ---------- ids
        event_id,
        campaign_id,
        ---------- strings
        event_type,
        email,
        link_url,
        ---------- timestamps
        event_at,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
