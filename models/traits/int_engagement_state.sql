-- One row per profile with an engagement event up to the as-of day (of the
-- profiles recomputed at this build, int_traits_to_refresh): the counts and
-- times trait_engagement publishes, computed as of the day from
-- int_engagement_events_as_of (the events of those profiles only). The
-- columns that move with the as-of day for everyone (days since ...) are
-- computed at read time by trait_engagement; the window counts here change
-- only when an event enters the days counted or leaves a window, which
-- int_traits_to_refresh lists (window_edge). Incremental: the rows of the
-- listed profiles are deleted, then recomputed.
{%- set windows = profile360.trait_windows() %}
{%- set zalo_interactions = "('follow', 'message_in', 'mini_app_open', 'share_phone')" %}
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'traits', 'keys': [['profile_id', 'profile_id']]},
) }}
-- depends_on: {{ ref('int_purchase_state') }}

with

int_engagement_events_as_of as (

    select * from {{ ref('int_engagement_events_as_of') }}

),

activity as (

    select
        profile_id,
        {%- for window in windows %}
            count(distinct case
                when
                    channel = 'web' and days_before_as_of < {{ window }}
                    then session_or_campaign_id
            end) as web_sessions_{{ window }}d,
            count(distinct case
                when
                    channel = 'app' and days_before_as_of < {{ window }}
                    then session_or_campaign_id
            end) as app_sessions_{{ window }}d,
            sum(case
                when event_type in ('page_view', 'screen_view') and days_before_as_of < {{ window }}
                    then 1
                else 0
            end) as page_views_{{ window }}d,
            sum(case
                when
                    channel in ('web', 'app') and event_type = 'product_view'
                    and days_before_as_of < {{ window }} then 1
                else 0
            end) as product_views_{{ window }}d,
            sum(case
                when
                    channel in ('web', 'app') and event_type = 'add_to_cart'
                    and days_before_as_of < {{ window }} then 1
                else 0
            end) as add_to_carts_{{ window }}d,
            sum(case
                when
                    channel = 'web' and event_type = 'search'
                    and days_before_as_of < {{ window }} then 1
                else 0
            end) as searches_{{ window }}d,
        {%- endfor %}
        avg(case
            when channel = 'app' and event_type = 'app_close' and days_before_as_of < 90
                then session_duration_s
        end) as avg_app_session_seconds_90d,
        max(case when channel in ('web', 'app') then event_at end) as last_active_at,
        min(case when channel = 'app' then event_at end) as first_app_event_at,
        max(case
            when
                channel in ('web', 'app')
                or (channel = 'email' and event_type in ('open', 'click'))
                or (channel = 'zalo' and event_type in {{ zalo_interactions }})
                then event_at
        end) as last_engaged_at,
        max(case when channel = 'email' and event_type = 'unsubscribe' then 1 else 0 end) = 1
            as has_email_unsubscribed,
        max(case when channel = 'zalo' and event_type = 'follow' then event_at end)
            as last_zalo_follow_at,
        max(case when channel = 'zalo' and event_type = 'unfollow' then event_at end)
            as last_zalo_unfollow_at,
        sum(case
            when
                channel = 'zalo' and event_type in {{ zalo_interactions }}
                and days_before_as_of < 30 then 1
            else 0
        end) as zalo_interactions_30d,
        sum(case
            when
                channel = 'zalo' and event_type in {{ zalo_interactions }}
                and days_before_as_of < 90 then 1
            else 0
        end) as zalo_interactions_90d
    from int_engagement_events_as_of
    group by profile_id

),

email_campaigns as (

    select
        profile_id,
        session_or_campaign_id as campaign_id,
        min(case when event_type = 'sent' then days_before_as_of end) as days_since_sent,
        max(case when event_type = 'open' then 1 else 0 end) as is_opened,
        max(case when event_type = 'click' then 1 else 0 end) as is_clicked
    from int_engagement_events_as_of
    where channel = 'email' and session_or_campaign_id is not null
    group by profile_id, session_or_campaign_id

),

email as (

    select
        profile_id,
        count(*) as emails_sent_90d,
        sum(is_opened) as emails_opened_90d,
        sum(is_clicked) as emails_clicked_90d
    from email_campaigns
    where days_since_sent < 90
    group by profile_id

),

final as (

    select
        activity.*,
        coalesce(email.emails_sent_90d, 0) as emails_sent_90d,
        coalesce(email.emails_opened_90d, 0) as emails_opened_90d,
        coalesce(email.emails_clicked_90d, 0) as emails_clicked_90d,
        {{ profile360.load_timestamp() }} as _loaded_at
    from activity
    left join email
        on activity.profile_id = email.profile_id

)

select * from final
