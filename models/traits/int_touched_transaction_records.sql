-- The records whose orders, POS transactions or support tickets can have
-- changed a trait since the previous build of the traits layer (one row per
-- record, source and record_key as in map_records_to_profiles; new_rows
-- first when both reasons apply):
--   new_rows     the staged order, transaction or ticket, or one of its
--                lines, was loaded after the previous build (_loaded_at);
--   window_edge  one of its times changes side of a threshold between the
--                previous as-of day and this one: placed, transacted or
--                opened enters the days counted or leaves the 90-day window;
--                an order's latest change (updated_at: its status as of the
--                day) or a ticket's resolution enters the days counted.
-- Only those ranges of days are read (traits_time_crossed()); no rows when
-- every profile is recomputed.
{%- set previous = profile360.traits_previous_build(ref('int_as_of_date')) %}

with

stg_ecommerce__orders as (

    select * from {{ ref('stg_ecommerce__orders') }}

),

stg_ecommerce__order_items as (

    select * from {{ ref('stg_ecommerce__order_items') }}

),

stg_pos__transactions as (

    select * from {{ ref('stg_pos__transactions') }}

),

stg_pos__transaction_items as (

    select * from {{ ref('stg_pos__transaction_items') }}

),

stg_support__tickets as (

    select * from {{ ref('stg_support__tickets') }}

),

touched as (

    {{ profile360.traits_touched_rows(previous, 'ecommerce_orders', 'order_id',
        'stg_ecommerce__orders', [('ordered_at', [90]), ('updated_at', [])]) }}
    union all
    {{ profile360.traits_touched_rows(previous, 'ecommerce_orders', 'order_id',
        'stg_ecommerce__order_items') }}
    union all
    {{ profile360.traits_touched_rows(previous, 'pos_transactions', 'transaction_id',
        'stg_pos__transactions', [('transacted_at', [90])]) }}
    union all
    {{ profile360.traits_touched_rows(previous, 'pos_transactions', 'transaction_id',
        'stg_pos__transaction_items') }}
    union all
    {{ profile360.traits_touched_rows(previous, 'support_tickets', 'ticket_id',
        'stg_support__tickets', [('opened_at', [90]), ('resolved_at', [])]) }}

),

final as (

    select
        {{ profile360.surrogate_key(['source', 'record_key']) }} as record_id,
        source,
        record_key,
        min(touch_reason) as touch_reason
    from touched
    group by source, record_key

)

select * from final
