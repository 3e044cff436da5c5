-- One row per product (product_id), its copy from the latest file that sent
-- it: the catalogue carries no updated_at, so the latest file wins.

with base as (

    select * from {{ ref('base_catalog__products') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'product_id', '_source_file desc, _raw_record') }}

),

final as (

    select
        ---------- ids
        product_id,
        ---------- strings
        product_name,
        category,
        brand,
        ---------- numerics
        list_price,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
