-- One row per profile and product it bought by the as-of day (of the
-- profiles recomputed at this build, int_traits_to_refresh): how many of its
-- purchases held the product and when it first and last bought it, from
-- int_purchase_lines_as_of (cancelled orders and POS returns have no lines;
-- a returned order's products count as bought, so they are not proposed
-- again). What trait_next_best_products reads: the co-purchases of every
-- profile and the products each profile already has. Incremental: the rows
-- of the listed profiles are deleted, then recomputed.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.traits_incremental_strategy(),
    unique_key=['profile_id', 'product_id'],
    on_schema_change='fail',
    pre_hook="{{ profile360.layer_delete_refreshed_profiles('traits') }}",
) }}

with

int_purchase_lines_as_of as (

    select * from {{ ref('int_purchase_lines_as_of') }}

),

int_purchases_as_of as (

    select * from {{ ref('int_purchases_as_of') }}

),

final as (

    select
        int_purchase_lines_as_of.profile_id,
        int_purchase_lines_as_of.product_id,
        cast(count(distinct int_purchase_lines_as_of.purchase_id) as {{ dbt.type_int() }})
            as count_purchases,
        min(int_purchases_as_of.purchased_at) as first_bought_at,
        max(int_purchases_as_of.purchased_at) as last_bought_at,
        {{ profile360.load_timestamp() }} as _loaded_at
    from int_purchase_lines_as_of
    inner join int_purchases_as_of
        on int_purchase_lines_as_of.purchase_id = int_purchases_as_of.purchase_id
    where int_purchase_lines_as_of.product_id is not null
    group by int_purchase_lines_as_of.profile_id, int_purchase_lines_as_of.product_id

)

select * from final
