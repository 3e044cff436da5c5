{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook=[
        "{{ profile360.delete_erased_rows(profile360.parsed_row_not_erased('crm_contacts', this)) }}",
        "{{ profile360.forget_erased_quarantined_lines() }}",
    ],
) }}

-- One row per row of every crm_contacts drop: cleaned and checked, good and
-- broken alike (see stg_crm__contacts and stg_landing__quarantined_rows).
{%- set columns = [
    'contact_id', 'full_name', 'email', 'phone', 'gender', 'birth_date', 'occupation',
    'address', 'city', 'province', 'country', 'customer_id', 'loyalty_id',
    'created_at', 'updated_at'
] %}
{%- set genders = var('profile360__accepted_values')['gender'] %}

with source as (

    select * from {{ profile360.landing_reader(
        'crm', 'crm_contacts', profile360.landing_files_to_parse('crm_contacts')
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
            key=['contact_id'],
            timestamps=['updated_at'],
            optional_timestamps=['created_at'],
            dates=['birth_date'],
            optional_enums={'gender': genders}
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        contact_id,
        customer_id,
        loyalty_id,
        ---------- strings
        full_name,
        email,
        phone,
        upper({{ profile360.optional_enum_value('gender', genders) }}) as gender,
        occupation,
        address,
        city,
        province,
        country,
        ---------- dates
        {{ profile360.parse_date('birth_date') }} as birth_date,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('created_at') }} as created_at,
        {{ profile360.parse_timestamp_utc('updated_at') }} as updated_at,
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
    where {{ profile360.not_erased('crm_contacts') }}

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from not_erased

)

select * from final
