-- One row per store (store_id), its copy from the latest file that sent it:
-- the store list carries no updated_at, so the latest file wins.

with base as (

    select * from {{ ref('base_catalog__stores') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'store_id', '_source_file desc, _raw_record') }}

),

final as (

    select
        ---------- ids
        store_id,
        ---------- strings
        store_name,
        city,
        province,
        region,
        ---------- timestamps
        opened_at,
        ---------- data quality
        _invalid_optional_fields,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
