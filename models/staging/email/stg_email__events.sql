-- One row per email event (event_id). Events re-sent by the email service
-- provider are dropped here: the first copy (earliest file) is kept.
{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook="{{ profile360.delete_erased_rows(profile360.not_erased('email_events')) }}",
) }}

with base as (

    select * from {{ ref('base_email__events') }}
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
        campaign_id,
        ---------- strings
        event_type,
        email,
        link_url,
        ---------- timestamps
        event_at,
        ---------- lineage
        _source_file,
        coalesce(_stored_loaded_at, {{ profile360.load_timestamp() }}) as _loaded_at
    from deduplicated

)

select * from final
