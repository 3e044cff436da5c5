-- One row per profile: the golden record. Each survivorship attribute comes
-- with the source and time of the chosen value (rules:
-- seeds/survivorship_rules.csv); identifiers are counted and listed; consent
-- is the state in force per purpose. Age is counted at the latest date seen
-- in the data (not the wall clock), so the same data gives the same record.
-- Incremental: recomputes the profiles of int_profiles_to_refresh, and the
-- profiles whose age changes because the latest date seen moved (a birthday
-- passed): a column scan of the stored rows.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    unique_key='profile_id',
    on_schema_change='fail',
    replace_scope={'from': 'profiles', 'keys': [['profile_id', 'profile_id']]},
) }}
-- depends_on: {{ ref('int_profiles_to_refresh') }}
{#- Stored profiles whose age at the new reference date differs. -#}
{%- set age_changed -%}
    select stored_profiles.profile_id
    from {{ this }} as stored_profiles
    cross join reference_date
    where
        stored_profiles.age_years is distinct from
        {{ profile360.age_in_years('stored_profiles.birth_date', 'reference_date.reference_date') }}
{%- endset %}
{%- set attributes = profile360.profile_attributes() %}
{%- set purposes = profile360.consent_purposes() %}
{%- set identifier_types = var('profile360__identity_identifier_ranks') %}
{%- set listed_types = ['customer_id', 'loyalty_id', 'email', 'phone', 'zalo_user_id'] %}

with

all_profile_identifiers as (

    select * from {{ ref('int_profile_identifiers') }}

),

reference_date as (

    select cast(max(last_seen_at) as date) as reference_date
    from all_profile_identifiers

),

refreshed as (

    {{ profile360.refreshed_profile_ids('all_profile_identifiers', also=age_changed) }}

),

int_profile_identifiers as (

    select all_profile_identifiers.* from all_profile_identifiers
    where all_profile_identifiers.profile_id in (select refreshed.profile_id from refreshed)

),

int_profile_attributes_survived as (

    select survived.* from {{ ref('int_profile_attributes_survived') }} as survived
    where survived.profile_id in (select refreshed.profile_id from refreshed)

),

int_profile_consents as (

    select consents.* from {{ ref('int_profile_consents') }} as consents
    where consents.profile_id in (select refreshed.profile_id from refreshed)

),

attributes as (

    select
        {%- for attribute in attributes %}
            max(case when attribute_name = '{{ attribute }}' then attribute_value end)
                as {{ attribute }},
            max(case when attribute_name = '{{ attribute }}' then attribute_source end)
                as {{ attribute }}_source,
            max(case when attribute_name = '{{ attribute }}' then attribute_updated_at end)
                as {{ attribute }}_updated_at,

        {%- endfor %}
        profile_id
    from int_profile_attributes_survived
    group by profile_id

),

consents as (

    select
        {%- for purpose in purposes %}
            max(case when purpose = '{{ purpose }}' then consent_status end)
                as consent_{{ purpose }},
            max(case when purpose = '{{ purpose }}' then consent_recorded_at end)
                as consent_{{ purpose }}_at,
        {%- endfor %}
        profile_id
    from int_profile_consents
    group by profile_id

),

joined as (

    select
        int_profile_identifiers.*,
        {%- for attribute in attributes %}
            attributes.{{ attribute }},
            attributes.{{ attribute }}_source,
            attributes.{{ attribute }}_updated_at,
        {%- endfor %}
        {%- for purpose in purposes %}
            consents.consent_{{ purpose }},
            consents.consent_{{ purpose }}_at,
        {%- endfor %}
        reference_date.reference_date
    from int_profile_identifiers
    cross join reference_date
    left join attributes
        on int_profile_identifiers.profile_id = attributes.profile_id
    left join consents
        on int_profile_identifiers.profile_id = consents.profile_id

),

typed as (

    select
        *,
        cast(birth_date as date) as birth_date_typed
    from joined

),

final as (

    select
        profile_id,
        ---------- name
        full_name,
        {{ profile360.strip_diacritics('full_name') }} as full_name_ascii,
        full_name_source,
        full_name_updated_at,
        ---------- demographics
        upper(gender) as gender,
        gender_source,
        gender_updated_at,
        birth_date_typed as birth_date,
        birth_date_source,
        birth_date_updated_at,
        {{ profile360.age_in_years('birth_date_typed', 'reference_date') }} as age_years,
        occupation,
        occupation_source,
        occupation_updated_at,
        ---------- place
        city,
        city_source,
        city_updated_at,
        province,
        province_source,
        province_updated_at,
        ---------- best contact points
        email,
        email_source,
        email_updated_at,
        phone,
        phone_source,
        phone_updated_at,
        ---------- identifiers
        count_identifiers,
        {%- for identifier_type in identifier_types %}
            count_{{ identifier_type }}s,
        {%- endfor %}
        {%- for identifier_type in listed_types %}
            {{ identifier_type }}_list,
        {%- endfor %}
        ---------- consent (state in force per purpose)
        {%- for purpose in purposes %}
            coalesce(consent_{{ purpose }}, 'unknown') as consent_{{ purpose }},
            consent_{{ purpose }}_at,
        {%- endfor %}
        ---------- presence
        first_seen_at,
        last_seen_at,
        count_records,
        count_sources,
        sources_seen
    from typed

)

select * from final
