-- One row per candidate value of a golden-record attribute: a profile, an
-- attribute, a value, the source that said it and when. Survivorship
-- (int_profile_attributes_survived) picks one per profile and attribute.
-- E-mails and phones are the identity layer's normalised, unflagged values of
-- every record of the profile; the descriptive attributes come from CRM
-- contacts, loyalty members and order shipping addresses, as declared in
-- profile_attribute_sources() (macros/profiles/profile_attributes.sql). Incremental: only
-- the profiles of int_profiles_to_refresh are recomputed, through the record
-- map restricted to them (int_profile_records_to_refresh).
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'profiles', 'keys': [['profile_id', 'profile_id']]},
) }}

with

int_profile_records_to_refresh as (

    select * from {{ ref('int_profile_records_to_refresh') }}

),

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

-- Contact points: a flagged (junk or shared) value is nobody's best e-mail.
contact_points as (

    select
        int_profile_records_to_refresh.profile_id,
        int_identifier_occurrences.identifier_type as attribute_name,
        int_identifier_occurrences.identifier_value as attribute_value,
        int_identifier_occurrences.source,
        int_identifier_occurrences.seen_at as observed_at
    from int_identifier_occurrences
    inner join int_profile_records_to_refresh
        on
            int_identifier_occurrences.source = int_profile_records_to_refresh.source
            and int_identifier_occurrences.record_key = int_profile_records_to_refresh.record_key
    inner join map_identifiers_to_profiles
        on int_identifier_occurrences.identifier_id = map_identifiers_to_profiles.identifier_id
    where
        int_identifier_occurrences.identifier_type in ('email', 'phone')
        and not map_identifiers_to_profiles.is_flagged

),

-- CRM, loyalty and order values: profile_attribute_sources() declares which
-- staged columns are candidates (macros/profiles/profile_attributes.sql).
attribute_values as (

    {{ profile360.profile_attribute_values('int_profile_records_to_refresh') }}

),

unioned as (

    select * from contact_points
    union all
    select * from attribute_values

),

final as (

    select
        {{ profile360.surrogate_key([
            'profile_id', 'attribute_name', 'attribute_value', 'source'
        ]) }} as candidate_id,
        profile_id,
        attribute_name,
        attribute_value,
        source,
        max(observed_at) as observed_at,
        count(*) as count_observations
    from unioned
    group by profile_id, attribute_name, attribute_value, source

)

select * from final
