-- One row per staged business record as a touchpoint: an online order, a
-- store purchase or return, a support ticket opened, a loyalty enrolment, a
-- CRM contact created. Revenue is net of cancellations and returns, the one
-- place this rule lives for the marts:
--   - an online order whose latest status is cancelled or returned brings 0
--     and is not a conversion; any other order brings its total_amount (net
--     of its discount) and is a conversion;
--   - a store transaction flagged is_return takes its total_amount back
--     (negative revenue) and is not a conversion; a sale brings its total.
-- Events (web, app, e-mail, Zalo) are in fct_event_touchpoints.

with

stg_ecommerce__orders as (

    select * from {{ ref('stg_ecommerce__orders') }}

),

stg_pos__transactions as (

    select * from {{ ref('stg_pos__transactions') }}

),

stg_support__tickets as (

    select * from {{ ref('stg_support__tickets') }}

),

stg_loyalty__members as (

    select * from {{ ref('stg_loyalty__members') }}

),

stg_crm__contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

order_touchpoints as (

    select
        'ecommerce_orders' as source,
        order_id as record_key,
        ordered_at as occurred_at,
        'ecommerce' as channel,
        case
            when status = 'cancelled' then 'online_order_cancelled'
            when status = 'returned' then 'online_order_returned'
            else 'online_order'
        end as touchpoint_type,
        cast(null as {{ dbt.type_string() }}) as store_id,
        case
            when status in ('cancelled', 'returned') then cast(0 as decimal(28, 6))
            else total_amount
        end as revenue,
        currency,
        coalesce(status not in ('cancelled', 'returned'), false) as is_conversion
    from stg_ecommerce__orders

),

store_touchpoints as (

    select
        'pos_transactions' as source,
        transaction_id as record_key,
        transacted_at as occurred_at,
        'store' as channel,
        case when is_return then 'store_return' else 'store_purchase' end as touchpoint_type,
        store_id,
        case when is_return then -total_amount else total_amount end as revenue,
        currency,
        coalesce(not is_return, false) as is_conversion
    from stg_pos__transactions

),

ticket_touchpoints as (

    select
        'support_tickets' as source,
        ticket_id as record_key,
        opened_at as occurred_at,
        'support' as channel,
        'ticket_opened' as touchpoint_type,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as decimal(28, 6)) as revenue,
        cast(null as {{ dbt.type_string() }}) as currency,
        false as is_conversion
    from stg_support__tickets

),

loyalty_touchpoints as (

    select
        'loyalty_members' as source,
        loyalty_id as record_key,
        joined_at as occurred_at,
        'loyalty' as channel,
        'loyalty_enrolment' as touchpoint_type,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as decimal(28, 6)) as revenue,
        cast(null as {{ dbt.type_string() }}) as currency,
        false as is_conversion
    from stg_loyalty__members

),

crm_touchpoints as (

    select
        'crm_contacts' as source,
        contact_id as record_key,
        created_at as occurred_at,
        'crm' as channel,
        'crm_contact_created' as touchpoint_type,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as decimal(28, 6)) as revenue,
        cast(null as {{ dbt.type_string() }}) as currency,
        false as is_conversion
    from stg_crm__contacts

),

unioned as (

    select * from order_touchpoints
    union all
    select * from store_touchpoints
    union all
    select * from ticket_touchpoints
    union all
    select * from loyalty_touchpoints
    union all
    select * from crm_touchpoints

),

final as (

    select
        {{ profile360.surrogate_key(['source', 'record_key']) }} as touchpoint_id,
        source,
        record_key,
        occurred_at,
        channel,
        touchpoint_type,
        -- records carry no campaign: attribution links them to campaign events
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        store_id,
        cast(revenue as decimal(28, 6)) as revenue,
        currency,
        is_conversion
    from unioned

)

select * from final
