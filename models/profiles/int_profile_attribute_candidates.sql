-- One row per candidate value of a golden-record attribute: a profile, an
-- attribute, a value, the source that said it and when. Survivorship
-- (int_profile_attributes_survived) picks one per profile and attribute.
-- E-mails and phones are the identity layer's normalised, unflagged values of
-- every record of the profile; the descriptive attributes come from CRM
-- contacts, loyalty members and order shipping addresses. Incremental: only
-- the profiles of int_profiles_to_refresh are recomputed, through the record
-- map restricted to them (int_profile_records_to_refresh).
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.profiles_incremental_strategy(),
    unique_key=profile360.profiles_unique_key('candidate_id'),
    on_schema_change='fail',
    pre_hook="{{ profile360.delete_refreshed_profiles() }}",
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

stg_crm__contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

stg_loyalty__members as (

    select * from {{ ref('stg_loyalty__members') }}

),

stg_ecommerce__orders as (

    select * from {{ ref('stg_ecommerce__orders') }}

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

crm_profiles as (

    select
        int_profile_records_to_refresh.profile_id,
        stg_crm__contacts.full_name,
        stg_crm__contacts.gender,
        cast(stg_crm__contacts.birth_date as {{ dbt.type_string() }}) as birth_date,
        stg_crm__contacts.occupation,
        stg_crm__contacts.city,
        stg_crm__contacts.province,
        stg_crm__contacts.updated_at
    from stg_crm__contacts
    inner join int_profile_records_to_refresh
        on
            int_profile_records_to_refresh.source = 'crm_contacts'
            and stg_crm__contacts.contact_id = int_profile_records_to_refresh.record_key

),

crm_values as (

    {%- for attribute in ['full_name', 'gender', 'birth_date', 'occupation', 'city', 'province'] %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            profile_id,
            '{{ attribute }}' as attribute_name,
            {{ attribute }} as attribute_value,
            'crm_contacts' as source,
            updated_at as observed_at
        from crm_profiles
        where {{ attribute }} is not null
    {%- endfor %}

),

loyalty_values as (

    select
        int_profile_records_to_refresh.profile_id,
        'full_name' as attribute_name,
        stg_loyalty__members.full_name as attribute_value,
        'loyalty_members' as source,
        stg_loyalty__members.updated_at as observed_at
    from stg_loyalty__members
    inner join int_profile_records_to_refresh
        on
            int_profile_records_to_refresh.source = 'loyalty_members'
            and stg_loyalty__members.loyalty_id = int_profile_records_to_refresh.record_key
    where stg_loyalty__members.full_name is not null

),

order_values as (

    select
        int_profile_records_to_refresh.profile_id,
        'city' as attribute_name,
        stg_ecommerce__orders.shipping_city as attribute_value,
        'ecommerce_orders' as source,
        stg_ecommerce__orders.ordered_at as observed_at
    from stg_ecommerce__orders
    inner join int_profile_records_to_refresh
        on
            int_profile_records_to_refresh.source = 'ecommerce_orders'
            and stg_ecommerce__orders.order_id = int_profile_records_to_refresh.record_key
    where stg_ecommerce__orders.shipping_city is not null

),

unioned as (

    select * from contact_points
    union all
    select * from crm_values
    union all
    select * from loyalty_values
    union all
    select * from order_values

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
