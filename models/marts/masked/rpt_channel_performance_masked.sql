-- The BI copy of marts.rpt_channel_performance in marts_masked, under the same name: it
-- holds no e-mail, phone or name, so every column passes unchanged. Columns
-- are named one by one (and the contract is enforced): a column added
-- upstream reaches the masked schema only when it is added here.
{{ config(alias='rpt_channel_performance', materialized='view') }}

with

rpt_channel_performance as (

    select * from {{ ref('rpt_channel_performance') }}

),

final as (

    select
        channel_campaign_id,
        channel,
        campaign_id,
        first_spend_date,
        last_spend_date,
        spend,
        reached_profiles,
        engaged_profiles,
        converting_profiles,
        attributed_orders,
        attributed_revenue,
        roi
    from rpt_channel_performance

)

select * from final
