{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook=[
        "{{ profile360.delete_erased_rows(profile360.parsed_row_not_erased('email_events', this)) }}",
        "{{ profile360.forget_erased_quarantined_lines() }}",
    ],
) }}

-- One row per row of every email_events drop: cleaned and checked, good and
-- broken alike (see stg_email__events and stg_landing__quarantined_rows).
{%- set columns = ['event_id', 'campaign_id', 'email', 'event_type', 'link_url', 'event_at'] %}

with source as (

    select * from {{ profile360.landing_reader(
        'email', 'email_events', profile360.landing_files_to_parse('email_events')
    ) }}
    where {{ profile360.admitted_landing_file('filename') }}

),

cleaned as (

    select {{ profile360.landing_columns(columns) }}
    from source

),

checked as (

    select
        *,
        {{ profile360.quarantine_checks(
            key=['event_id'],
            timestamps=['event_at'],
            enums={'event_type': var('profile360__accepted_values')['email_event_type']}
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        event_id,
        campaign_id,
        ---------- strings
        lower(event_type) as event_type,
        email,
        link_url,
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
    where {{ profile360.not_erased('email_events') }}

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from not_erased

)

select * from final
