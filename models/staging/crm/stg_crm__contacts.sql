-- One row per CRM contact (contact_id), its latest version: contacts are
-- re-sent when they change and the latest updated_at wins (ties: the later file).

with base as (

    select * from {{ ref('base_crm__contacts') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate(
        'base', 'contact_id', 'updated_at desc, _source_file desc, _raw_record'
    ) }}

),

final as (

    select
        ---------- ids
        contact_id,
        customer_id,
        loyalty_id,
        ---------- strings
        full_name,
        email,
        phone,
        gender,
        occupation,
        address,
        city,
        province,
        country,
        ---------- dates
        birth_date,
        ---------- timestamps
        created_at,
        updated_at,
        ---------- data quality
        _invalid_optional_fields,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
