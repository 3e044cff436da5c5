{{ config(materialized="view") }}

-- One row per row of every erasure_requests drop: cleaned and checked, good
-- and broken alike (see stg_privacy__erasure_requests and
-- stg_landing__quarantined_rows).
{%- set accepted = var('profile360__accepted_values') %}
{%- set columns = ['request_id', 'subject_type', 'subject_value', 'requested_at'] %}

with source as (

    select * from {{ source('privacy', 'erasure_requests') }}

),

cleaned as (

    select {{ profile360.landing_columns(columns) }}
    from source

),

checked as (

    -- A request without the identifier to erase cannot be carried out: it is
    -- quarantined (missing_key) so that someone sees it, not staged half empty.
    select
        *,
        {{ profile360.quarantine_checks(
            key=['request_id', 'subject_value'],
            timestamps=['requested_at'],
            enums={'subject_type': accepted['subject_type']}
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        request_id,
        ---------- strings
        lower(subject_type) as subject_type,
        subject_value,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('requested_at') }} as requested_at,
        ---------- lineage and quarantine
        _source_file,
        _raw_record,
        _quarantine_reason_code,
        _quarantine_reason
    from checked

)

select * from typed
