-- One row per web, app, e-mail or Zalo event of a profile up to the as-of
-- day (event_at before as_of_end_at), in one shape: channel, event type,
-- session or campaign, app session length, the product of a web or app
-- event, and whole days before the as-of day (0 = that day). The engagement traits count these.

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

events as (

    select
        'web_events' as source,
        'web' as channel,
        event_id,
        event_type,
        session_id as session_or_campaign_id,
        cast(null as {{ dbt.type_int() }}) as session_duration_s,
        product_id,
        event_at
    from stg_web__events
    union all
    select
        'app_events' as source,
        'app' as channel,
        event_id,
        event_type,
        session_id as session_or_campaign_id,
        cast(session_duration_s as {{ dbt.type_int() }}) as session_duration_s,
        product_id,
        event_at
    from stg_app__events
    union all
    select
        'email_events' as source,
        'email' as channel,
        event_id,
        event_type,
        campaign_id as session_or_campaign_id,
        cast(null as {{ dbt.type_int() }}) as session_duration_s,
        cast(null as {{ dbt.type_string() }}) as product_id,
        event_at
    from stg_email__events
    union all
    select
        'zalo_events' as source,
        'zalo' as channel,
        event_id,
        event_type,
        cast(null as {{ dbt.type_string() }}) as session_or_campaign_id,
        cast(null as {{ dbt.type_int() }}) as session_duration_s,
        cast(null as {{ dbt.type_string() }}) as product_id,
        event_at
    from stg_zalo__events

),

final as (

    select
        {{ profile360.surrogate_key(['events.source', 'events.event_id']) }} as engagement_event_id,
        int_trait_records_to_refresh.profile_id,
        events.channel,
        events.event_type,
        events.session_or_campaign_id,
        events.session_duration_s,
        events.product_id,
        events.event_at,
        {{ profile360.days_before_as_of('events.event_at', 'int_as_of_date.as_of_date') }}
            as days_before_as_of
    from events
    inner join int_trait_records_to_refresh
        on
            events.source = int_trait_records_to_refresh.source
            and events.event_id = int_trait_records_to_refresh.record_key
    cross join int_as_of_date
    where events.event_at < int_as_of_date.as_of_end_at

)

select * from final
