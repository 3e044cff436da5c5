{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook=[
        "{{ profile360.delete_erased_rows(profile360.parsed_row_not_erased('web_events', this)) }}",
        "{{ profile360.forget_erased_quarantined_lines() }}",
    ],
) }}

-- One row per line of every web_events drop: parsed, cleaned and checked.
-- Good and broken lines alike; stg_web__events keeps the good ones,
-- stg_landing__quarantined_rows the others.
{%- set accepted = var('profile360__accepted_values') %}
{%- set text_fields = [
    'event_id', 'event_type', 'anonymous_id', 'user_id', 'email', 'phone',
    'session_id', 'page_url', 'referrer', 'utm_source', 'utm_medium',
    'utm_campaign', 'search_query', 'product_id', 'device_type', 'event_at'
] %}

with source as (

    select * from {{ profile360.landing_reader(
        'web', 'web_events', profile360.landing_files_to_parse('web_events')
    ) }}
    where {{ profile360.admitted_landing_file('filename') }}

),

parsed as (

    select
        {{ profile360.landing_file('filename') }} as _source_file,
        raw_line as _raw_record,
        {{ profile360.try_parse_json('raw_line') }} as doc
    from source

),

cleaned as (

    select {{ profile360.landing_json_fields(text_fields) }}
    from parsed

),

checked as (

    select
        *,
        {{ profile360.quarantine_checks(
            json_doc='doc',
            key=['event_id'],
            timestamps=['event_at'],
            enums={'event_type': accepted['web_event_type']}
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        event_id,
        anonymous_id,
        user_id,
        session_id,
        product_id,
        ---------- strings
        lower(event_type) as event_type,
        email,
        phone,
        page_url,
        referrer,
        lower(utm_source) as utm_source,
        lower(utm_medium) as utm_medium,
        utm_campaign,
        search_query,
        lower(device_type) as device_type,
        properties,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('event_at') }} as event_at,
        ---------- lineage and quarantine
        _source_file,
        _raw_record,
        _quarantine_reason_code,
        _quarantine_reason,
        _invalid_optional_fields
    from checked

),

-- Rows of erased persons stop here, at the first model that reads them
-- (docs/privacy.md): a documented exception to "no joins in staging".
not_erased as (

    select * from typed
    where {{ profile360.not_erased('web_events') }}

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from not_erased

)

select * from final
