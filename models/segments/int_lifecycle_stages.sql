-- One row per profile seen by the as-of day: its lifecycle stage and tier.
-- The rules, in the one place they live (first match wins):
--   advocate  a loyal customer who also engages with the brand's own
--             channels: follows the Zalo official account or clicked an
--             e-mail in the last 90 days
--   loyal     3+ purchases, the latest within the last 90 days
--   customer  at least one purchase
--   lead      known (a customer, loyalty, e-mail, phone or Zalo id), never bought
--   visitor   anonymous only (cookies, devices), never bought
-- Tier, for buyers by RFM (r + f + m scores, 3..15): high >= 12, mid >= 8,
-- else low; for non-buyers by activity (behaviour score): high >= 50,
-- mid >= 20, else low.

with

dim_profile_traits as (

    select * from {{ ref('dim_profile_traits') }}

),

staged as (

    select
        profile_id,
        as_of_date,
        case
            when
                lifetime_purchases >= 3 and recency_days < 90
                and (is_zalo_follower or emails_clicked_90d > 0) then 'advocate'
            when lifetime_purchases >= 3 and recency_days < 90 then 'loyal'
            when lifetime_purchases >= 1 then 'customer'
            when is_known then 'lead'
            else 'visitor'
        end as lifecycle_stage,
        case
            when lifetime_purchases >= 1
                then case
                    when
                        rfm_recency_score + rfm_frequency_score + rfm_monetary_score >= 12
                        then 'high'
                    when
                        rfm_recency_score + rfm_frequency_score + rfm_monetary_score >= 8
                        then 'mid'
                    else 'low'
                end
            when behaviour_score >= 50 then 'high'
            when behaviour_score >= 20 then 'mid'
            else 'low'
        end as lifecycle_tier
    from dim_profile_traits

),

final as (

    select
        profile_id,
        as_of_date,
        lifecycle_stage,
        lifecycle_tier,
        {{ dbt.concat(['lifecycle_stage', "'_'", 'lifecycle_tier']) }} as lifecycle_stage_tier
    from staged

)

select * from final
