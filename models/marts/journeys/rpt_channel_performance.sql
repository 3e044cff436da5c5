-- One row per marketing channel and campaign: spend, reach, and the orders
-- and revenue attributed to the campaign, with ROI.
--
-- Attribution (last touch, the one place this rule lives): a conversion (an
-- online order or a store purchase that is_conversion, with its net revenue)
-- is credited to the campaign of the same profile's latest campaign
-- engagement before it (earlier in touchpoint_seq) and at most
-- profile360__attribution_window_days days before it (boundary included).
-- Campaign engagements are web events carrying a utm_campaign (a visit from a
-- campaign link), app push opens and e-mail opens and clicks; an e-mail sent
-- or delivered reaches a profile but is not an engagement. A conversion with
-- no engagement in the window is credited to no campaign.

{%- set window_days = var('profile360__attribution_window_days') %}

with

fct_customer_touchpoints as (

    select * from {{ ref('fct_customer_touchpoints') }}

),

stg_marketing__spend as (

    select * from {{ ref('stg_marketing__spend') }}

),

spend_by_campaign as (

    select
        channel,
        campaign_id,
        sum(spend_amount) as spend,
        min(spend_date) as first_spend_date,
        max(spend_date) as last_spend_date
    from stg_marketing__spend
    group by channel, campaign_id

),

campaign_touchpoints as (

    select
        touchpoint_id,
        profile_id,
        touchpoint_seq,
        occurred_at,
        channel,
        touchpoint_type,
        campaign_id
    from fct_customer_touchpoints
    where campaign_id is not null

),

engagements as (

    select
        profile_id,
        touchpoint_seq,
        occurred_at,
        campaign_id
    from campaign_touchpoints
    where
        channel = 'web'
        or touchpoint_type in ('push_open', 'email_open', 'email_click')

),

conversions as (

    select
        touchpoint_id,
        profile_id,
        touchpoint_seq,
        occurred_at,
        revenue
    from fct_customer_touchpoints
    where is_conversion

),

credit_candidates as (

    select
        conversions.touchpoint_id,
        conversions.profile_id,
        conversions.revenue,
        engagements.campaign_id,
        row_number() over (
            partition by conversions.touchpoint_id
            order by engagements.touchpoint_seq desc
        ) as recency_rank
    from conversions
    inner join engagements
        on
            conversions.profile_id = engagements.profile_id
            and conversions.touchpoint_seq > engagements.touchpoint_seq
            and conversions.occurred_at
            <= {{ dbt.dateadd('day', window_days, 'engagements.occurred_at') }}

),

credited_conversions as (

    select * from credit_candidates
    where recency_rank = 1

),

reach_by_campaign as (

    select
        campaign_id,
        count(distinct profile_id) as reached_profiles
    from campaign_touchpoints
    group by campaign_id

),

engagement_by_campaign as (

    select
        campaign_id,
        count(distinct profile_id) as engaged_profiles
    from engagements
    group by campaign_id

),

credit_by_campaign as (

    select
        campaign_id,
        count(distinct profile_id) as converting_profiles,
        count(*) as attributed_orders,
        sum(revenue) as attributed_revenue
    from credited_conversions
    group by campaign_id

),

touched_without_spend as (

    select
        'unknown' as channel,
        reach_by_campaign.campaign_id,
        cast(null as decimal(28, 6)) as spend,
        cast(null as date) as first_spend_date,
        cast(null as date) as last_spend_date
    from reach_by_campaign
    left join spend_by_campaign
        on reach_by_campaign.campaign_id = spend_by_campaign.campaign_id
    where spend_by_campaign.campaign_id is null

),

campaigns as (

    select * from spend_by_campaign
    union all
    select * from touched_without_spend

),

joined as (

    select
        campaigns.channel,
        campaigns.campaign_id,
        campaigns.first_spend_date,
        campaigns.last_spend_date,
        coalesce(campaigns.spend, 0) as spend,
        coalesce(reach_by_campaign.reached_profiles, 0) as reached_profiles,
        coalesce(engagement_by_campaign.engaged_profiles, 0) as engaged_profiles,
        coalesce(credit_by_campaign.converting_profiles, 0) as converting_profiles,
        coalesce(credit_by_campaign.attributed_orders, 0) as attributed_orders,
        coalesce(credit_by_campaign.attributed_revenue, 0) as attributed_revenue
    from campaigns
    left join reach_by_campaign
        on campaigns.campaign_id = reach_by_campaign.campaign_id
    left join engagement_by_campaign
        on campaigns.campaign_id = engagement_by_campaign.campaign_id
    left join credit_by_campaign
        on campaigns.campaign_id = credit_by_campaign.campaign_id

),

final as (

    select
        {{ profile360.surrogate_key(['channel', 'campaign_id']) }} as channel_campaign_id,
        channel,
        campaign_id,
        first_spend_date,
        last_spend_date,
        cast(spend as decimal(28, 6)) as spend,
        cast(reached_profiles as {{ dbt.type_bigint() }}) as reached_profiles,
        cast(engaged_profiles as {{ dbt.type_bigint() }}) as engaged_profiles,
        cast(converting_profiles as {{ dbt.type_bigint() }}) as converting_profiles,
        cast(attributed_orders as {{ dbt.type_bigint() }}) as attributed_orders,
        cast(attributed_revenue as decimal(28, 6)) as attributed_revenue,
        -- ROI is undefined without spend: NULL, never a division by zero
        case
            when spend > 0
                then cast((attributed_revenue - spend) / spend as decimal(18, 6))
        end as roi
    from joined

)

select * from final
