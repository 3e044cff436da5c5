-- One row per e-commerce order (order_id), its latest version: orders are
-- re-sent when they change (the status moves forward by new rows) and the
-- latest updated_at wins (ties: the later file). ordered_at stays the time the
-- order was placed; updated_at says when this status was reached.
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook="{{ profile360.delete_erased_rows(profile360.not_erased('ecommerce_orders')) }}",
) }}

with base as (

    select * from {{ ref('base_ecommerce__orders') }}
    where
        _quarantine_reason_code is null
        and {{ profile360.new_landing_files() }}

),

candidates as (

    {{ profile360.with_stored_rows('base', 'order_id') }}

),

deduplicated as (

    {{ profile360.deduplicate(
        'candidates', 'order_id', 'updated_at desc, _source_file desc, _raw_record'
    ) }}

),

final as (

    select
        ---------- ids
        order_id,
        customer_id,
        anonymous_id,
        device_id,
        ---------- strings
        email,
        phone,
        channel,
        status,
        currency,
        shipping_city,
        ---------- numerics
        total_amount,
        discount_amount,
        ---------- timestamps
        ordered_at,
        updated_at,
        ---------- lineage
        _source_file,
        coalesce(_stored_loaded_at, {{ profile360.load_timestamp() }}) as _loaded_at
    from deduplicated

)

select * from final
