{{ config(materialized="view") }}

-- One row per row of every consents drop: cleaned and checked, good and
-- broken alike (see stg_privacy__consents and stg_landing__quarantined_rows).
{%- set accepted = var('profile360__accepted_values') %}
{%- set columns = ['subject_type', 'subject_value', 'purpose', 'status', 'source', 'recorded_at'] %}

with source as (

    select * from {{ profile360.landing_reader('privacy', 'consents') }}
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
            key=['subject_value'],
            timestamps=['recorded_at'],
            enums={
                'subject_type': accepted['subject_type'],
                'purpose': accepted['consent_purpose'],
                'status': accepted['consent_status']
            }
        ) }}
    from cleaned

),

typed as (

    select
        ---------- strings
        lower(subject_type) as subject_type,
        subject_value,
        lower(purpose) as purpose,
        lower(status) as status,
        -- The contract's name; where the consent was collected.
        lower(source) as source,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('recorded_at') }} as recorded_at,
        ---------- lineage and quarantine
        _source_file,
        _raw_record,
        _quarantine_reason_code,
        _quarantine_reason
    from checked

),

keyed as (

    -- Consent rows have no id: a surrogate key of every typed consent column,
    -- so a record sent twice (even spelt differently: `EMAIL`, another
    -- offset for the same instant) gets the same key.
    select
        {{ profile360.surrogate_key(columns) }} as consent_record_id,
        typed.*
    from typed

),

-- Consents of erased subjects stop here (docs/privacy.md): a documented
-- exception to "no joins in staging".
not_erased as (

    select * from keyed
    where {{ profile360.not_erased_subject('subject_type', 'subject_value') }}

)

select * from not_erased
