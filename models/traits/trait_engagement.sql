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
{%- set windows = profile360.trait_windows() %}
{%- set metrics = [
    'web_sessions', 'app_sessions', 'page_views', 'product_views', 'add_to_carts', 'searches',
] %}
-- The counts and times come from int_engagement_state (one row per profile
-- with events, recomputed only for the profiles int_traits_to_refresh lists);
-- the days since ... are computed here, at read time, from the as-of day.

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_profiles_as_of as (

    select * from {{ ref('int_profiles_as_of') }}

),

int_engagement_state as (

    select * from {{ ref('int_engagement_state') }}

),

final as (

    select
        int_profiles_as_of.profile_id,
        int_as_of_date.as_of_date,
        {%- for window in windows %}
            {%- for metric in metrics %}
                cast(
                    coalesce(int_engagement_state.{{ metric }}_{{ window }}d, 0)
                    as {{ dbt.type_int() }}
                ) as {{ metric }}_{{ window }}d,
            {%- endfor %}
        {%- endfor %}
        cast(int_engagement_state.avg_app_session_seconds_90d as {{ dbt.type_float() }})
            as avg_app_session_seconds_90d,
        int_engagement_state.last_active_at,
        cast(
            {{ profile360.days_before_as_of(
                'int_engagement_state.last_active_at', 'int_as_of_date.as_of_date'
            ) }}
            as {{ dbt.type_int() }}
        ) as days_since_last_active,
        int_engagement_state.first_app_event_at,
        cast(
            {{ profile360.days_before_as_of(
                'int_engagement_state.first_app_event_at', 'int_as_of_date.as_of_date'
            ) }}
            as {{ dbt.type_int() }}
        ) as days_since_first_app_event,
        int_engagement_state.last_engaged_at,
        cast(
            {{ profile360.days_before_as_of(
                'int_engagement_state.last_engaged_at', 'int_as_of_date.as_of_date'
            ) }}
            as {{ dbt.type_int() }}
        ) as days_since_last_engaged,
        cast(coalesce(int_engagement_state.emails_sent_90d, 0) as {{ dbt.type_int() }})
            as emails_sent_90d,
        cast(coalesce(int_engagement_state.emails_opened_90d, 0) as {{ dbt.type_int() }})
            as emails_opened_90d,
        cast(coalesce(int_engagement_state.emails_clicked_90d, 0) as {{ dbt.type_int() }})
            as emails_clicked_90d,
        cast(
            case
                when
                    int_engagement_state.emails_sent_90d > 0
                    then
                        1.0 * int_engagement_state.emails_opened_90d
                        / int_engagement_state.emails_sent_90d
            end
            as {{ dbt.type_float() }}
        ) as email_open_rate_90d,
        cast(
            case
                when
                    int_engagement_state.emails_sent_90d > 0
                    then
                        1.0 * int_engagement_state.emails_clicked_90d
                        / int_engagement_state.emails_sent_90d
            end
            as {{ dbt.type_float() }}
        ) as email_click_rate_90d,
        coalesce(int_engagement_state.has_email_unsubscribed, false) as has_email_unsubscribed,
        coalesce(
            int_engagement_state.last_zalo_follow_at is not null
            and (
                int_engagement_state.last_zalo_unfollow_at is null
                or int_engagement_state.last_zalo_follow_at
                > int_engagement_state.last_zalo_unfollow_at
            ),
            false
        ) as is_zalo_follower,
        cast(coalesce(int_engagement_state.zalo_interactions_30d, 0) as {{ dbt.type_int() }})
            as zalo_interactions_30d,
        cast(coalesce(int_engagement_state.zalo_interactions_90d, 0) as {{ dbt.type_int() }})
            as zalo_interactions_90d
    from int_profiles_as_of
    left join int_engagement_state
        on int_profiles_as_of.profile_id = int_engagement_state.profile_id
    cross join int_as_of_date

)

select * from final
