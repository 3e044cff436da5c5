-- One row per staged event (web, app, e-mail and Zalo) as a touchpoint:
-- when, on which channel, what kind, and the campaign it came from. Profiles
-- are attached in fct_customer_touchpoints; records (orders, store
-- purchases, tickets, enrolments, contacts) are in fct_record_touchpoints.

with

stg_web__events as (

    select * from {{ ref('stg_web__events') }}

),

stg_app__events as (

    select * from {{ ref('stg_app__events') }}

),

stg_email__events as (

    select * from {{ ref('stg_email__events') }}

),

stg_zalo__events as (

    select * from {{ ref('stg_zalo__events') }}

),

web_touchpoints as (

    select
        'web_events' as source,
        event_id as record_key,
        event_at as occurred_at,
        'web' as channel,
        event_type as touchpoint_type,
        utm_campaign as campaign_id,
        utm_source,
        utm_medium
    from stg_web__events

),

app_touchpoints as (

    select
        'app_events' as source,
        event_id as record_key,
        event_at as occurred_at,
        'app' as channel,
        event_type as touchpoint_type,
        -- a push notification names the campaign it belongs to
        case
            when event_type = 'push_open'
                then {{ profile360.json_text('properties', 'campaign_id') }}
        end as campaign_id,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium
    from stg_app__events

),

email_touchpoints as (

    select
        'email_events' as source,
        event_id as record_key,
        event_at as occurred_at,
        'email' as channel,
        {{ dbt.concat(["'email_'", 'event_type']) }} as touchpoint_type,
        campaign_id,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium
    from stg_email__events

),

zalo_touchpoints as (

    select
        'zalo_events' as source,
        event_id as record_key,
        event_at as occurred_at,
        'zalo' as channel,
        {{ dbt.concat(["'zalo_'", 'event_type']) }} as touchpoint_type,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium
    from stg_zalo__events

),

unioned as (

    select * from web_touchpoints
    union all
    select * from app_touchpoints
    union all
    select * from email_touchpoints
    union all
    select * from zalo_touchpoints

),

final as (

    select
        {{ profile360.surrogate_key(['source', 'record_key']) }} as touchpoint_id,
        source,
        record_key,
        occurred_at,
        channel,
        touchpoint_type,
        campaign_id,
        utm_source,
        utm_medium,
        -- events carry no store, no money and are never a conversion
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as decimal(28, 6)) as revenue,
        cast(null as {{ dbt.type_string() }}) as currency,
        false as is_conversion
    from unioned

)

select * from final
