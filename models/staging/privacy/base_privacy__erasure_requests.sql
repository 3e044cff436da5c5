{{ config(materialized="view") }}

-- One row per row of every erasure_requests drop: cleaned and checked, good
-- and broken alike (see stg_privacy__erasure_requests and
-- stg_landing__quarantined_rows). The subject's value never leaves this
-- query: it is normalised by its type's identity macro and replaced by its
-- salted hash (macros/privacy/erasure.sql), in the raw record too.
{%- set accepted = var('profile360__accepted_values') %}
{%- set columns = ['request_id', 'subject_type', 'subject_value', 'requested_at'] %}

with source as (

    select * from {{ profile360.landing_reader('privacy', 'erasure_requests') }}
    where {{ profile360.admitted_landing_file('filename') }}

),

cleaned as (

    select {{ profile360.landing_columns(columns) }}
    from source

),

hashed as (

    -- The subject normalised by its type's identity macro, then hashed.
    select
        request_id,
        subject_type,
        subject_value,
        {{ profile360.erasure_hash(
            'lower(subject_type)',
            profile360.normalize_identifier_by_type('lower(subject_type)', 'subject_value')
        ) }} as subject_hash,
        requested_at,
        _source_file
    from cleaned

),

checked as (

    -- A request without the identifier to erase cannot be carried out: it is
    -- quarantined (missing_key) so that someone sees it, not staged half
    -- empty; `subject_hash` is missing when the value is not an identifier of
    -- its type (an e-mail without @, a landline, a placeholder).
    select
        *,
        {{ profile360.quarantine_checks(
            key=['request_id', 'subject_value', 'subject_hash'],
            timestamps=['requested_at'],
            enums={'subject_type': accepted['subject_type']}
        ) }}
    from hashed

),

-- The landing row again, its subject value replaced by the hash (or by
-- `(erased)` when it does not normalise): quarantine keeps no raw value.
redacted as (

    select
        request_id,
        subject_type,
        subject_hash,
        case
            when subject_hash is not null then subject_hash
            when subject_value is not null then '(erased)'
        end as subject_value,
        requested_at,
        _source_file,
        _quarantine_reason_code,
        _quarantine_reason
    from checked

),

typed as (

    select
        ---------- ids
        request_id,
        ---------- strings
        lower(subject_type) as subject_type,
        subject_hash,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('requested_at') }} as requested_at,
        ---------- lineage and quarantine
        _source_file,
        {{ profile360.record_as_json(columns) }} as _raw_record,
        _quarantine_reason_code,
        _quarantine_reason
    from redacted

)

select * from typed
