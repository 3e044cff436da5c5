-- The BI copy of traits.dim_profile_traits in marts_masked, under the same name: it
-- holds no e-mail, phone or name, so every column passes unchanged. Columns
-- are named one by one (and the contract is enforced): a column added
-- upstream reaches the masked schema only when it is added here.
{{ config(alias='dim_profile_traits', materialized='view') }}

with

dim_profile_traits as (

    select * from {{ ref('dim_profile_traits') }}

),

final as (

    select
        profile_id,
        as_of_date,
        first_seen_at,
        last_seen_at,
        is_known,
        first_purchase_at,
        last_purchase_at,
        recency_days,
        lifetime_purchases,
        purchases_90d,
        online_purchases,
        offline_purchases,
        count_refunds,
        count_cancelled_orders,
        gross_revenue,
        refunded_amount,
        lifetime_value,
        net_revenue_90d,
        average_order_value,
        online_purchase_share,
        favourite_category,
        favourite_store_id,
        rfm_recency_score,
        rfm_frequency_score,
        rfm_monetary_score,
        rfm_segment,
        web_sessions_7d,
        app_sessions_7d,
        page_views_7d,
        product_views_7d,
        add_to_carts_7d,
        searches_7d,
        web_sessions_30d,
        app_sessions_30d,
        page_views_30d,
        product_views_30d,
        add_to_carts_30d,
        searches_30d,
        web_sessions_90d,
        app_sessions_90d,
        page_views_90d,
        product_views_90d,
        add_to_carts_90d,
        searches_90d,
        avg_app_session_seconds_90d,
        last_active_at,
        days_since_last_active,
        first_app_event_at,
        days_since_first_app_event,
        last_engaged_at,
        days_since_last_engaged,
        emails_sent_90d,
        emails_opened_90d,
        emails_clicked_90d,
        email_open_rate_90d,
        email_click_rate_90d,
        has_email_unsubscribed,
        is_zalo_follower,
        zalo_interactions_30d,
        zalo_interactions_90d,
        tickets_total,
        tickets_90d,
        open_tickets,
        avg_csat,
        last_contact_at,
        days_since_last_contact,
        days_since_last_activity,
        recency_points,
        intensity_points,
        behaviour_score,
        probability_alive,
        expected_purchases_30d,
        expected_purchases_90d,
        expected_purchases_365d,
        expected_spend_per_purchase,
        expected_value_12m,
        is_churn_risk,
        next_best_product_1,
        next_best_product_2,
        next_best_product_3,
        next_best_basis
    from dim_profile_traits

)

select * from final
