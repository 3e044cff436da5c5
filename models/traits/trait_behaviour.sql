-- One row per profile seen by the as-of day: the behaviour score, 0-100,
-- half recency and half intensity, every part capped so one habit cannot
-- carry the score:
--   recency_points   = 50 * max(0, 90 - d) / 90, d = days since the latest
--                      purchase or engagement (whichever is more recent);
--                      0 when there is none or it is 90+ days old
--   purchase_points  = 20 * min(purchases_90d, 5) / 5
--   session_points   = 20 * min(web_sessions_30d + app_sessions_30d, 10) / 10
--   messaging_points = 10 * min(emails_clicked_90d + zalo_interactions_90d, 5) / 5
--   behaviour_score  = round(sum of the four), an integer 0..100

with

trait_purchase as (

    select * from {{ ref('trait_purchase') }}

),

trait_engagement as (

    select * from {{ ref('trait_engagement') }}

),

inputs as (

    select
        trait_purchase.profile_id,
        trait_purchase.as_of_date,
        case
            when trait_purchase.recency_days is null then trait_engagement.days_since_last_engaged
            when trait_engagement.days_since_last_engaged is null then trait_purchase.recency_days
            when trait_purchase.recency_days < trait_engagement.days_since_last_engaged
                then trait_purchase.recency_days
            else trait_engagement.days_since_last_engaged
        end as days_since_last_activity,
        trait_purchase.purchases_90d,
        trait_engagement.web_sessions_30d + trait_engagement.app_sessions_30d as sessions_30d,
        trait_engagement.emails_clicked_90d + trait_engagement.zalo_interactions_90d
            as messaging_actions_90d
    from trait_purchase
    inner join trait_engagement
        on trait_purchase.profile_id = trait_engagement.profile_id

),

points as (

    select
        profile_id,
        as_of_date,
        days_since_last_activity,
        case
            when days_since_last_activity is null or days_since_last_activity >= 90 then 0.0
            else 50.0 * (90 - days_since_last_activity) / 90
        end as recency_points,
        20.0 * (case when purchases_90d > 5 then 5 else purchases_90d end) / 5 as purchase_points,
        20.0 * (case when sessions_30d > 10 then 10 else sessions_30d end) / 10 as session_points,
        10.0 * (case when messaging_actions_90d > 5 then 5 else messaging_actions_90d end) / 5
            as messaging_points
    from inputs

),

final as (

    select
        profile_id,
        as_of_date,
        cast(days_since_last_activity as {{ dbt.type_int() }}) as days_since_last_activity,
        cast(recency_points as {{ dbt.type_float() }}) as recency_points,
        cast(purchase_points + session_points + messaging_points as {{ dbt.type_float() }})
            as intensity_points,
        cast(
            round(recency_points + purchase_points + session_points + messaging_points, 0)
            as {{ dbt.type_int() }}
        ) as behaviour_score
    from points

)

select * from final
