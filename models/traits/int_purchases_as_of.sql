-- One row per purchase or refund of a profile up to the as-of day: every
-- e-commerce order placed before as_of_end_at and every POS transaction
-- (sale or return) before it, in VND.
--   * An order counts as a purchase unless it was cancelled by the as-of
--     day; a returned order is a purchase refunded in full (net 0). An order
--     status only moves forward and every change is re-sent with its
--     updated_at, so an order whose latest change came after the as-of day
--     was, on that day, placed and not yet cancelled or returned: a live
--     purchase (no later data leaks into a past day).
--   * A POS sale is a purchase; a POS return (is_return) refunds its amount.
-- Money is total_amount, which is already net of discounts.

-- A view over the profiles recomputed at this build only (it reads the
-- record map through int_trait_records_to_refresh): the per-profile state
-- tables aggregate it.
{{ config(materialized='view') }}

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_trait_records_to_refresh as (

    select * from {{ ref('int_trait_records_to_refresh') }}

),

stg_ecommerce__orders as (

    select * from {{ ref('stg_ecommerce__orders') }}

),

stg_pos__transactions as (

    select * from {{ ref('stg_pos__transactions') }}

),

orders as (

    select
        int_trait_records_to_refresh.profile_id,
        'ecommerce_orders' as source,
        stg_ecommerce__orders.order_id as record_key,
        'online' as purchase_channel,
        cast(null as {{ dbt.type_string() }}) as store_id,
        stg_ecommerce__orders.ordered_at as purchased_at,
        case
            when stg_ecommerce__orders.updated_at < int_as_of_date.as_of_end_at
                then stg_ecommerce__orders.status
            else 'placed'
        end as status_as_of,
        stg_ecommerce__orders.total_amount
    from stg_ecommerce__orders
    inner join int_trait_records_to_refresh
        on
            int_trait_records_to_refresh.source = 'ecommerce_orders'
            and stg_ecommerce__orders.order_id = int_trait_records_to_refresh.record_key
    cross join int_as_of_date
    where stg_ecommerce__orders.ordered_at < int_as_of_date.as_of_end_at

),

order_amounts as (

    select
        profile_id,
        source,
        record_key,
        purchase_channel,
        store_id,
        purchased_at,
        status_as_of,
        status_as_of != 'cancelled' as is_purchase,
        case when status_as_of != 'cancelled' then total_amount else 0 end as gross_amount,
        case when status_as_of = 'returned' then total_amount else 0 end as refund_amount
    from orders

),

pos as (

    select
        int_trait_records_to_refresh.profile_id,
        'pos_transactions' as source,
        stg_pos__transactions.transaction_id as record_key,
        'offline' as purchase_channel,
        stg_pos__transactions.store_id,
        stg_pos__transactions.transacted_at as purchased_at,
        case when stg_pos__transactions.is_return then 'returned' else 'completed' end
            as status_as_of,
        not stg_pos__transactions.is_return as is_purchase,
        case when stg_pos__transactions.is_return then 0 else stg_pos__transactions.total_amount end
            as gross_amount,
        case when stg_pos__transactions.is_return then stg_pos__transactions.total_amount else 0 end
            as refund_amount
    from stg_pos__transactions
    inner join int_trait_records_to_refresh
        on
            int_trait_records_to_refresh.source = 'pos_transactions'
            and stg_pos__transactions.transaction_id = int_trait_records_to_refresh.record_key
    cross join int_as_of_date
    where stg_pos__transactions.transacted_at < int_as_of_date.as_of_end_at

),

unioned as (

    select * from order_amounts
    union all
    select * from pos

),

final as (

    select
        {{ profile360.surrogate_key(['unioned.source', 'unioned.record_key']) }} as purchase_id,
        unioned.profile_id,
        unioned.source,
        unioned.record_key,
        unioned.purchase_channel,
        unioned.store_id,
        unioned.purchased_at,
        {{ profile360.days_before_as_of('unioned.purchased_at', 'int_as_of_date.as_of_date') }}
            as days_before_as_of,
        unioned.status_as_of,
        unioned.is_purchase,
        cast(unioned.gross_amount as {{ dbt.type_numeric() }}) as gross_amount,
        cast(unioned.refund_amount as {{ dbt.type_numeric() }}) as refund_amount,
        cast(unioned.gross_amount - unioned.refund_amount as {{ dbt.type_numeric() }}) as net_amount
    from unioned
    cross join int_as_of_date

)

select * from final
