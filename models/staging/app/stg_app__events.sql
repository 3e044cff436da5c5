-- One row per app event (event_id). Duplicates re-sent by the app SDK are
-- dropped here: the first copy (earliest file) is kept.

with base as (

    select * from {{ ref('base_app__events') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'event_id', '_source_file, _raw_record') }}

),

final as (

    select
        ---------- ids
        event_id,
        device_id,
        user_id,
        session_id,
        product_id,
        ---------- strings
        event_type,
        platform,
        app_version,
        screen_name,
        properties,
        ---------- numerics
        session_duration_s,
        ---------- timestamps
        event_at,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
