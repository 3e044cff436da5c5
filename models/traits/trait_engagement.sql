-- One row per profile seen by the as-of day: engagement traits over the
-- last 7, 30 and 90 days (a window of N days holds the as-of day and the
-- N-1 days before it).
--   web_sessions / app_sessions   distinct session ids of web / app events
--   page_views                    web page_view + app screen_view events
--   product_views, add_to_carts   web + app events of that type
--   searches                      web search events
--   avg_app_session_seconds_90d   mean session_duration_s of app_close events
--   last_active_at                latest web or app event
--   first_app_event_at            earliest app event (an app user since then)
--   e-mail (90 days): campaigns sent to the profile in the window; of those,
--   the share opened and the share clicked (by the as-of day)
--   is_zalo_follower              the latest follow/unfollow is a follow
--   zalo_interactions             follow, message_in, mini_app_open, share_phone
--   last_engaged_at               latest event the person started: any web or
--                                 app event, e-mail open or click, Zalo interaction
{%- set windows = [7, 30, 90] %}
{%- set metrics = [
    'web_sessions', 'app_sessions', 'page_views', 'product_views', 'add_to_carts', 'searches',
] %}
{%- set zalo_interactions = "('follow', 'message_in', 'mini_app_open', 'share_phone')" %}

with

int_profiles_as_of as (

    select * from {{ ref('int_profiles_as_of') }}

),

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
        int_profiles_as_of.profile_id,
        int_profiles_as_of.as_of_date,
        {%- for window in windows %}
            {%- for metric in metrics %}
                cast(coalesce(activity.{{ metric }}_{{ window }}d, 0) as {{ dbt.type_int() }})
                    as {{ metric }}_{{ window }}d,
            {%- endfor %}
        {%- endfor %}
        cast(activity.avg_app_session_seconds_90d as {{ dbt.type_float() }})
            as avg_app_session_seconds_90d,
        activity.last_active_at,
        cast(
            {{ profile360.days_before_as_of(
                'activity.last_active_at', 'int_profiles_as_of.as_of_date'
            ) }}
            as {{ dbt.type_int() }}
        ) as days_since_last_active,
        activity.first_app_event_at,
        cast(
            {{ profile360.days_before_as_of(
                'activity.first_app_event_at', 'int_profiles_as_of.as_of_date'
            ) }}
            as {{ dbt.type_int() }}
        ) as days_since_first_app_event,
        activity.last_engaged_at,
        cast(
            {{ profile360.days_before_as_of(
                'activity.last_engaged_at', 'int_profiles_as_of.as_of_date'
            ) }}
            as {{ dbt.type_int() }}
        ) as days_since_last_engaged,
        cast(coalesce(email.emails_sent_90d, 0) as {{ dbt.type_int() }}) as emails_sent_90d,
        cast(coalesce(email.emails_opened_90d, 0) as {{ dbt.type_int() }}) as emails_opened_90d,
        cast(coalesce(email.emails_clicked_90d, 0) as {{ dbt.type_int() }}) as emails_clicked_90d,
        cast(
            case
                when
                    email.emails_sent_90d > 0
                    then 1.0 * email.emails_opened_90d / email.emails_sent_90d
            end
            as {{ dbt.type_float() }}
        ) as email_open_rate_90d,
        cast(
            case
                when
                    email.emails_sent_90d > 0
                    then 1.0 * email.emails_clicked_90d / email.emails_sent_90d
            end
            as {{ dbt.type_float() }}
        ) as email_click_rate_90d,
        coalesce(activity.has_email_unsubscribed, false) as has_email_unsubscribed,
        coalesce(
            activity.last_zalo_follow_at is not null
            and (
                activity.last_zalo_unfollow_at is null
                or activity.last_zalo_follow_at > activity.last_zalo_unfollow_at
            ),
            false
        ) as is_zalo_follower,
        cast(coalesce(activity.zalo_interactions_30d, 0) as {{ dbt.type_int() }})
            as zalo_interactions_30d,
        cast(coalesce(activity.zalo_interactions_90d, 0) as {{ dbt.type_int() }})
            as zalo_interactions_90d
    from int_profiles_as_of
    left join activity
        on int_profiles_as_of.profile_id = activity.profile_id
    left join email
        on int_profiles_as_of.profile_id = email.profile_id

)

select * from final
