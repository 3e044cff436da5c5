-- The BI copy of segments.rpt_segment_comparison in marts_masked, under the same name: it
-- holds no e-mail, phone or name, so every column passes unchanged. Columns
-- are named one by one (and the contract is enforced): a column added
-- upstream reaches the masked schema only when it is added here.
{{ config(alias='rpt_segment_comparison', materialized='view') }}

with

rpt_segment_comparison as (

    select * from {{ ref('rpt_segment_comparison') }}

),

final as (

    select
        segment_key,
        segment_name,
        segment_kind,
        as_of_date,
        audience_size,
        revenue,
        share_of_revenue,
        purchases,
        average_order_value,
        orders_per_profile,
        avg_behaviour_score,
        expected_value_12m,
        avg_probability_alive,
        email_reachable,
        email_reachable_share,
        consented_marketing_email,
        consented_marketing_sms,
        consented_marketing_zalo,
        consented_ads_targeting,
        sms_reachable,
        zalo_reachable,
        ads_reachable
    from rpt_segment_comparison

)

select * from final
