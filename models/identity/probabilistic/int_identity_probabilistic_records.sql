-- The records the probabilistic matching compares (docs/identity.md,
-- "Probabilistic links"): one row per known person's record, the latest
-- version of each CRM contact and loyalty member, with the fields the Splink
-- model compares, normalised: the name (normalize_vn_name: no diacritics,
-- lower case, abbreviations written out, words sorted), the birth date and
-- its day/month-free key (a date typed day-first matches on it), the
-- address (normalize_vn_address), the province's place-name key, and the
-- record's linking e-mail and phone (int_identity_links: normalised, never a
-- flagged value, so a junk or shared e-mail is no evidence).
-- Read by int_identity_probabilistic_pairs (a Python model: Splink).
-- Incremental: each build selects every record again (erased ones are gone)
-- and keeps, from its stored rows, when each record's compared fields last
-- changed (_changed_at, by record_fingerprint): the pairs model scores only
-- the records changed since its own previous build.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'all', 'keys': []},
    on_schema_change='fail',
) }}
with

contacts as (

    select
        'crm_contacts' as source,
        cast(contact_id as {{ dbt.type_string() }}) as record_key,
        full_name,
        birth_date,
        address,
        province
    from {{ ref('stg_crm__contacts') }}

),

members as (

    select
        'loyalty_members' as source,
        cast(loyalty_id as {{ dbt.type_string() }}) as record_key,
        full_name,
        cast(null as date) as birth_date,
        cast(null as {{ dbt.type_string() }}) as address,
        cast(null as {{ dbt.type_string() }}) as province
    from {{ ref('stg_loyalty__members') }}

),

unioned as (

    select * from contacts
    union all
    select * from members

),

records as (

    select
        *,
        extract(year from birth_date) as birth_year,
        extract(month from birth_date) as birth_month,
        extract(day from birth_date) as birth_day
    from unioned

),

int_identity_links as (

    select * from {{ ref('int_identity_links') }}
    where is_link and identifier_type in ('email', 'phone')

),

record_contacts as (

    select
        source,
        record_key,
        min(case when identifier_type = 'email' then identifier_value end) as email,
        min(case when identifier_type = 'phone' then identifier_value end) as phone
    from int_identity_links
    group by source, record_key

),

final as (

    select
        records.source || ':' || records.record_key as record_id,
        records.source,
        records.record_key,
        {{ profile360.normalize_vn_name('records.full_name') }} as name_key,
        cast(records.birth_date as {{ dbt.type_string() }}) as birth_date,
        cast(records.birth_year as {{ dbt.type_string() }}) || '-'
        || cast(least(records.birth_month, records.birth_day) as {{ dbt.type_string() }}) || '-'
        || cast(greatest(records.birth_month, records.birth_day) as {{ dbt.type_string() }})
            as birth_date_key,
        {{ profile360.normalize_vn_address('records.address') }} as address_key,
        nullif({{ profile360.place_name_key('records.province') }}, '') as province_key,
        record_contacts.email,
        record_contacts.phone
    from records
    left join record_contacts
        on
            records.source = record_contacts.source
            and records.record_key = record_contacts.record_key

),

fingerprinted as (

    select
        *,
        {{ dbt.hash(dbt.concat([
            "coalesce(name_key, '~')", "'|'", "coalesce(birth_date, '~')", "'|'",
            "coalesce(birth_date_key, '~')", "'|'", "coalesce(address_key, '~')", "'|'",
            "coalesce(province_key, '~')", "'|'", "coalesce(email, '~')", "'|'", "coalesce(phone, '~')"])) }}
            as record_fingerprint
    from final

)

{#- A table written before _changed_at existed is not read: the build then
    stops with dbt's on_schema_change message (run it with --full-refresh). -#}
{%- set carried = is_incremental() and '_changed_at' in (
    adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list) %}
select
    fingerprinted.*,
    {% if carried -%}
        case
            when previous_records.record_fingerprint = fingerprinted.record_fingerprint
                then previous_records._changed_at
            else {{ profile360.load_timestamp() }}
        end
    {%- else -%}
        {{ profile360.load_timestamp() }}
    {%- endif %} as _changed_at
from fingerprinted
{% if carried -%}
    left join {{ this }} as previous_records
        on fingerprinted.record_id = previous_records.record_id
{%- endif %}
