{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook=[
        "{{ profile360.delete_erased_rows(profile360.parsed_row_not_erased('app_events', this)) }}",
        "{{ profile360.forget_erased_quarantined_lines() }}",
    ],
) }}

-- One row per line of every app_events drop: parsed, cleaned and checked.
-- Good and broken lines alike; stg_app__events keeps the good ones,
-- stg_landing__quarantined_rows the others.
{%- set accepted = var('profile360__accepted_values') %}
{%- set text_fields = [
    'event_id', 'event_type', 'device_id', 'user_id', 'platform', 'app_version',
    'screen_name', 'product_id', 'session_id', 'session_duration_s', 'event_at'
] %}

with source as (

    select * from {{ profile360.landing_reader(
        'app', 'app_events', profile360.landing_files_to_parse('app_events')
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
            numbers=['session_duration_s'],
            enums={
                'event_type': accepted['app_event_type'],
                'platform': accepted['app_platform']
            }
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        event_id,
        device_id,
        user_id,
        session_id,
        product_id,
        ---------- strings
        lower(event_type) as event_type,
        lower(platform) as platform,
        app_version,
        screen_name,
        properties,
        ---------- numerics
        {{ profile360.try_cast('session_duration_s', dbt.type_int()) }} as session_duration_s,
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
    where {{ profile360.not_erased('app_events') }}

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from not_erased

)

select * from final
