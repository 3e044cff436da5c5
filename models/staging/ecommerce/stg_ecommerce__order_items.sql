-- One row per e-commerce order line (order_item_id = surrogate key of order_id
-- and line_number). A line re-sent in a later drop replaces the earlier copy:
-- the latest file wins.
{{ config(
    materialized='incremental',
    unique_key='order_item_id',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
) }}

with base as (

    select * from {{ ref('base_ecommerce__order_items') }}
    where
        _quarantine_reason_code is null
        and {{ profile360.new_landing_files() }}

),

candidates as (

    {{ profile360.with_stored_rows('base', 'order_item_id') }}

),

deduplicated as (

    {{ profile360.deduplicate('candidates', 'order_item_id', '_source_file desc, _raw_record') }}

),

final as (

    select
        ---------- ids
        order_item_id,
        order_id,
        product_id,
        ---------- numerics
        line_number,
        quantity,
        unit_price,
        ---------- lineage
        _source_file,
        coalesce(_stored_loaded_at, {{ profile360.load_timestamp() }}) as _loaded_at
    from deduplicated

)

select * from final
