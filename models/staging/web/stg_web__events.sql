-- One row per web event (event_id). Duplicates re-sent by the tag manager
-- are dropped here: the first copy (earliest file) is kept.

with base as (

    select * from {{ ref('base_web__events') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'event_id', '_source_file, _raw_record') }}

),

final as (

    select
        ---------- ids
        event_id,
        anonymous_id,
        user_id,
        session_id,
        product_id,
        ---------- strings
        event_type,
        email,
        phone,
        page_url,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        search_query,
        device_type,
        properties,
        ---------- timestamps
        event_at,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
