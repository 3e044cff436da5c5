-- One row per line of a purchase up to the as-of day (cancelled orders and
-- POS returns have no purchase lines): the product's category and the line
-- amount (quantity x unit price, VND), for the favourite-category trait.

-- A view over the profiles recomputed at this build only (it reads the
-- record map through int_trait_records_to_refresh): the per-profile state
-- tables aggregate it.
{{ config(materialized='view') }}

with

int_purchases_as_of as (

    select * from {{ ref('int_purchases_as_of') }}
    where is_purchase

),

stg_ecommerce__order_items as (

    select * from {{ ref('stg_ecommerce__order_items') }}

),

stg_pos__transaction_items as (

    select * from {{ ref('stg_pos__transaction_items') }}

),

stg_catalog__products as (

    select * from {{ ref('stg_catalog__products') }}

),

items as (

    select
        'ecommerce_orders' as source,
        order_id as record_key,
        line_number,
        product_id,
        quantity,
        unit_price
    from stg_ecommerce__order_items
    union all
    select
        'pos_transactions' as source,
        transaction_id as record_key,
        line_number,
        product_id,
        quantity,
        unit_price
    from stg_pos__transaction_items

),

final as (

    select
        {{ profile360.surrogate_key(['items.source', 'items.record_key', 'items.line_number']) }}
            as purchase_line_id,
        int_purchases_as_of.purchase_id,
        int_purchases_as_of.profile_id,
        items.product_id,
        coalesce(stg_catalog__products.category, 'unknown') as category,
        cast(items.quantity * items.unit_price as {{ dbt.type_numeric() }}) as line_amount
    from items
    inner join int_purchases_as_of
        on
            items.source = int_purchases_as_of.source
            and items.record_key = int_purchases_as_of.record_key
    left join stg_catalog__products
        on items.product_id = stg_catalog__products.product_id

)

select * from final
