{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook=[
        "{{ profile360.delete_erased_rows(profile360.parsed_row_not_erased('support_tickets', this)) }}",
        "{{ profile360.forget_erased_quarantined_lines() }}",
    ],
) }}

-- One row per row of every support_tickets drop: cleaned and checked, good
-- and broken alike (see stg_support__tickets and stg_landing__quarantined_rows).
{%- set columns = [
    'ticket_id', 'customer_id', 'email', 'phone', 'channel', 'category', 'priority',
    'status', 'opened_at', 'resolved_at', 'csat_score'
] %}

with source as (

    select * from {{ profile360.landing_reader(
        'support', 'support_tickets', profile360.landing_files_to_parse('support_tickets')
    ) }}
    where {{ profile360.admitted_landing_file('filename') }}

),

cleaned as (

    select {{ profile360.landing_columns(columns) }}
    from source

),

scored as (

    -- A CSAT score is a whole number from 1 to 5 (`4.0` counts as 4) or
    -- missing. Any other value is made unreadable as a number, and kept in
    -- the text, so that quarantine_checks reports it as bad_number.
    select
        {%- for column in columns if column != 'csat_score' %}
            {{ column }},
        {%- endfor %}
        case
            when csat_score is null then null
            when {{ profile360.try_cast('csat_score', dbt.type_numeric()) }} in (1, 2, 3, 4, 5)
                then csat_score
            else {{ dbt.concat(['csat_score', "' (not a score from 1 to 5)'"]) }}
        end as csat_score,
        _source_file,
        _raw_record
    from cleaned

),

checked as (

    select
        *,
        {{ profile360.quarantine_checks(
            key=['ticket_id'],
            timestamps=['opened_at'],
            optional_timestamps=['resolved_at'],
            numbers=['csat_score'],
            enums={'channel': var('profile360__accepted_values')['ticket_channel']}
        ) }}
    from scored

),

typed as (

    select
        ---------- ids
        ticket_id,
        customer_id,
        ---------- strings
        email,
        phone,
        lower(channel) as channel,
        lower(category) as category,
        lower(priority) as priority,
        lower(status) as status,
        ---------- numerics
        {{ profile360.try_cast('csat_score', dbt.type_int()) }} as csat_score,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('opened_at') }} as opened_at,
        {{ profile360.parse_timestamp_utc('resolved_at') }} as resolved_at,
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
    where {{ profile360.not_erased('support_tickets') }}

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from not_erased

)

select * from final
