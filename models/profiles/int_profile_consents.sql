-- One row per profile and consent purpose: the state in force. A consent
-- record names a subject (e-mail, phone, Zalo id or customer id), normalised
-- as the identity layer normalises identifiers and matched to the profile
-- that identifier links; a flagged (junk or shared) identifier links no
-- profile, so its consents bind nobody. Per profile and purpose the latest
-- record wins; at the same instant a withdrawal beats a grant.
-- Incremental: only the profiles of int_profiles_to_refresh are recomputed.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'profiles', 'keys': [['profile_id', 'profile_id']]},
) }}
-- depends_on: {{ ref('int_profiles_to_refresh') }}

with

stg_privacy__consents as (

    select * from {{ ref('stg_privacy__consents') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

normalized as (

    select
        consent_record_id,
        subject_type,
        {{ profile360.consent_subject_identifier_id('subject_type', 'subject_value') }}
            as subject_identifier_id,
        purpose,
        status,
        source,
        recorded_at
    from stg_privacy__consents

),

matched as (

    select
        map_identifiers_to_profiles.profile_id,
        normalized.purpose,
        normalized.status,
        normalized.subject_type,
        normalized.recorded_at,
        normalized.consent_record_id
    from normalized
    inner join map_identifiers_to_profiles
        on normalized.subject_identifier_id = map_identifiers_to_profiles.identifier_id
    where
        map_identifiers_to_profiles.profile_id is not null
        and {{ profile360.layer_to_refresh('profiles', 'map_identifiers_to_profiles.profile_id') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by profile_id, purpose
            order by
                recorded_at desc,
                case when status = 'withdrawn' then 0 else 1 end asc,
                consent_record_id asc
        ) as consent_rank
    from matched

),

final as (

    select
        {{ profile360.surrogate_key(['profile_id', 'purpose']) }} as profile_consent_id,
        profile_id,
        purpose,
        status as consent_status,
        subject_type as consent_subject_type,
        recorded_at as consent_recorded_at
    from ranked
    where consent_rank = 1

)

select * from final
