-- One row per profile seen by the as-of day: every trait family side by side
-- (purchase, engagement, service, behaviour score, predicted value,
-- next-best products), plus when the profile
-- was first and last seen and whether it is known by then. The segments'
-- conditions are written over these columns. Trait formulas live in their
-- family's model only; this model just joins them.
{%- set families = {
    'trait_purchase': [
        'first_purchase_at', 'last_purchase_at', 'recency_days', 'lifetime_purchases',
        'purchases_90d', 'online_purchases', 'offline_purchases', 'count_refunds',
        'count_cancelled_orders', 'gross_revenue', 'refunded_amount', 'lifetime_value',
        'net_revenue_90d', 'average_order_value', 'online_purchase_share', 'favourite_category',
        'favourite_store_id', 'rfm_recency_score', 'rfm_frequency_score', 'rfm_monetary_score',
        'rfm_segment',
    ],
    'trait_engagement': [
        'web_sessions_7d', 'app_sessions_7d', 'page_views_7d', 'product_views_7d',
        'add_to_carts_7d', 'searches_7d', 'web_sessions_30d', 'app_sessions_30d',
        'page_views_30d', 'product_views_30d', 'add_to_carts_30d', 'searches_30d',
        'web_sessions_90d', 'app_sessions_90d', 'page_views_90d', 'product_views_90d',
        'add_to_carts_90d', 'searches_90d', 'avg_app_session_seconds_90d', 'last_active_at',
        'days_since_last_active', 'first_app_event_at', 'days_since_first_app_event',
        'last_engaged_at', 'days_since_last_engaged', 'emails_sent_90d', 'emails_opened_90d',
        'emails_clicked_90d', 'email_open_rate_90d', 'email_click_rate_90d',
        'has_email_unsubscribed', 'is_zalo_follower', 'zalo_interactions_30d',
        'zalo_interactions_90d',
    ],
    'trait_service': [
        'tickets_total', 'tickets_90d', 'open_tickets', 'avg_csat', 'last_contact_at',
        'days_since_last_contact',
    ],
    'trait_behaviour': [
        'days_since_last_activity', 'recency_points', 'intensity_points', 'behaviour_score',
    ],
    'trait_predicted_value': [
        'probability_alive', 'expected_purchases_30d', 'expected_purchases_90d',
        'expected_purchases_365d', 'expected_spend_per_purchase', 'expected_value_12m',
        'is_churn_risk',
    ],
    'trait_next_best_products': [
        'next_best_product_1', 'next_best_product_2', 'next_best_product_3', 'next_best_basis',
    ],
} %}

with

int_profiles_as_of as (

    select * from {{ ref('int_profiles_as_of') }}

),

{%- for family in families %}

    {{ family }} as (

        select * from {{ ref(family) }}

    ),
{%- endfor %}

final as (

    select
        {%- for family, columns in families.items() %}
            {%- for column in columns %}
                {{ family }}.{{ column }},
            {%- endfor %}
        {%- endfor %}
        int_profiles_as_of.profile_id,
        trait_purchase.as_of_date,
        int_profiles_as_of.first_seen_at,
        int_profiles_as_of.last_seen_at,
        int_profiles_as_of.is_known
    from
        int_profiles_as_of
    {%- for family in families %}
    inner join {{ family }}
        on int_profiles_as_of.profile_id = {{ family }}.profile_id
    {%- endfor %}

)

select * from final
