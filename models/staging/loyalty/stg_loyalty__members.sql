-- One row per loyalty member (loyalty_id), its latest version: members are
-- re-sent when they change and the latest updated_at wins (ties: the later file).

with base as (

    select * from {{ ref('base_loyalty__members') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate(
        'base', 'loyalty_id', 'updated_at desc, _source_file desc, _raw_record'
    ) }}

),

final as (

    select
        ---------- ids
        loyalty_id,
        ---------- strings
        full_name,
        email,
        phone,
        tier,
        ---------- numerics
        points_balance,
        ---------- timestamps
        joined_at,
        updated_at,
        ---------- data quality
        _invalid_optional_fields,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
