-- One row per web event (event_id). Duplicates re-sent by the tag manager
-- are dropped here: the first copy (earliest file) is kept.
{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook="{{ profile360.delete_erased_rows(profile360.not_erased('web_events')) }}",
) }}

with base as (

    select * from {{ ref('base_web__events') }}
    where
        _quarantine_reason_code is null
        and {{ profile360.new_landing_files() }}

),

candidates as (

    {{ profile360.with_stored_rows('base', 'event_id') }}

),

deduplicated as (

    {{ profile360.deduplicate('candidates', 'event_id', '_source_file, _raw_record') }}

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
        coalesce(_stored_loaded_at, {{ profile360.load_timestamp() }}) as _loaded_at
    from deduplicated

)

select * from final
