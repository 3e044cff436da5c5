-- One row per profile seen by the as-of day: purchase traits from orders and
-- store transactions together (int_purchases_as_of), money in VND.
--   lifetime_purchases      purchases (orders not cancelled + POS sales)
--   gross_revenue           their amounts; refunded_amount: returned orders
--                           and POS returns; lifetime_value = gross - refunded
--   average_order_value     lifetime_value / lifetime_purchases
--   recency_days            days from the last purchase to the as-of day
--   online_purchase_share   online purchases / lifetime_purchases
--   favourite_category      category with the largest purchased line amount
--                           (ties: alphabetical); favourite_store_id: store of
--                           most POS sales (ties: lowest store id)
--   RFM scores 1..5         among buyers: 1 + floor(5 * (rank - 1) / buyers),
--                           rank() ascending on frequency and on monetary
--                           value and descending on recency days, so ties
--                           share a score and 5 is best
--   rfm_segment             the classic R x F grid (see the case below)
-- Profiles without a purchase get zeros and NULL dates, scores and segment.

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_profiles_as_of as (

    select * from {{ ref('int_profiles_as_of') }}

),

int_purchases_as_of as (

    select * from {{ ref('int_purchases_as_of') }}

),

int_purchase_lines_as_of as (

    select * from {{ ref('int_purchase_lines_as_of') }}

),

per_profile as (

    select
        profile_id,
        min(case when is_purchase then purchased_at end) as first_purchase_at,
        max(case when is_purchase then purchased_at end) as last_purchase_at,
        sum(case when is_purchase then 1 else 0 end) as lifetime_purchases,
        sum(case when is_purchase and days_before_as_of < 90 then 1 else 0 end) as purchases_90d,
        sum(case when is_purchase and purchase_channel = 'online' then 1 else 0 end)
            as online_purchases,
        sum(case when is_purchase and purchase_channel = 'offline' then 1 else 0 end)
            as offline_purchases,
        sum(case when refund_amount > 0 then 1 else 0 end) as count_refunds,
        sum(case when status_as_of = 'cancelled' then 1 else 0 end) as count_cancelled_orders,
        sum(gross_amount) as gross_revenue,
        sum(refund_amount) as refunded_amount,
        sum(net_amount) as lifetime_value,
        sum(case when days_before_as_of < 90 then net_amount else 0 end) as net_revenue_90d
    from int_purchases_as_of
    group by profile_id

),

category_amounts as (

    select
        profile_id,
        category,
        sum(line_amount) as category_amount
    from int_purchase_lines_as_of
    group by profile_id, category

),

favourite_categories as (

    select
        profile_id,
        category as favourite_category,
        row_number() over (
            partition by profile_id order by category_amount desc, category asc
        ) as category_rank
    from category_amounts

),

store_visits as (

    select
        profile_id,
        store_id,
        count(*) as count_sales
    from int_purchases_as_of
    where is_purchase and store_id is not null
    group by profile_id, store_id

),

favourite_stores as (

    select
        profile_id,
        store_id as favourite_store_id,
        row_number() over (
            partition by profile_id order by count_sales desc, store_id asc
        ) as store_rank
    from store_visits

),

buyers as (

    select
        per_profile.profile_id,
        {{ dbt.datediff('cast(per_profile.last_purchase_at as date)',
            'int_as_of_date.as_of_date', 'day') }} as recency_days,
        per_profile.lifetime_purchases,
        per_profile.lifetime_value
    from per_profile
    cross join int_as_of_date
    where per_profile.lifetime_purchases > 0

),

scored as (

    select
        profile_id,
        recency_days,
        1 + floor(5.0 * (rank() over (order by recency_days desc) - 1) / count(*) over ())
            as rfm_recency_score,
        1 + floor(5.0 * (rank() over (order by lifetime_purchases asc) - 1) / count(*) over ())
            as rfm_frequency_score,
        1 + floor(5.0 * (rank() over (order by lifetime_value asc) - 1) / count(*) over ())
            as rfm_monetary_score
    from buyers

),

segmented as (

    select
        profile_id,
        recency_days,
        cast(rfm_recency_score as {{ dbt.type_int() }}) as rfm_recency_score,
        cast(rfm_frequency_score as {{ dbt.type_int() }}) as rfm_frequency_score,
        cast(rfm_monetary_score as {{ dbt.type_int() }}) as rfm_monetary_score,
        -- The classic RFM grid on recency (R) and frequency (F) scores.
        case
            when
                rfm_recency_score >= 4 and rfm_frequency_score >= 4
                and rfm_recency_score + rfm_frequency_score >= 9 then 'champions'
            when rfm_recency_score >= 3 and rfm_frequency_score >= 4 then 'loyal_customers'
            when rfm_recency_score >= 4 and rfm_frequency_score >= 2 then 'potential_loyalists'
            when rfm_recency_score = 5 and rfm_frequency_score = 1 then 'new_customers'
            when rfm_recency_score = 4 and rfm_frequency_score = 1 then 'promising'
            when rfm_recency_score = 3 and rfm_frequency_score = 3 then 'need_attention'
            when rfm_recency_score = 3 then 'about_to_sleep'
            when rfm_frequency_score = 5 then 'cant_lose_them'
            when rfm_frequency_score >= 3 then 'at_risk'
            else 'hibernating'
        end as rfm_segment
    from scored

),

final as (

    select
        int_profiles_as_of.profile_id,
        int_profiles_as_of.as_of_date,
        per_profile.first_purchase_at,
        per_profile.last_purchase_at,
        cast(segmented.recency_days as {{ dbt.type_int() }}) as recency_days,
        cast(coalesce(per_profile.lifetime_purchases, 0) as {{ dbt.type_int() }})
            as lifetime_purchases,
        cast(coalesce(per_profile.purchases_90d, 0) as {{ dbt.type_int() }}) as purchases_90d,
        cast(coalesce(per_profile.online_purchases, 0) as {{ dbt.type_int() }}) as online_purchases,
        cast(coalesce(per_profile.offline_purchases, 0) as {{ dbt.type_int() }})
            as offline_purchases,
        cast(coalesce(per_profile.count_refunds, 0) as {{ dbt.type_int() }}) as count_refunds,
        cast(coalesce(per_profile.count_cancelled_orders, 0) as {{ dbt.type_int() }})
            as count_cancelled_orders,
        cast(coalesce(per_profile.gross_revenue, 0) as {{ dbt.type_numeric() }}) as gross_revenue,
        cast(coalesce(per_profile.refunded_amount, 0) as {{ dbt.type_numeric() }})
            as refunded_amount,
        cast(coalesce(per_profile.lifetime_value, 0) as {{ dbt.type_numeric() }}) as lifetime_value,
        cast(coalesce(per_profile.net_revenue_90d, 0) as {{ dbt.type_numeric() }})
            as net_revenue_90d,
        cast(
            case
                when per_profile.lifetime_purchases > 0
                    then per_profile.lifetime_value / per_profile.lifetime_purchases
            end as {{ dbt.type_numeric() }}
        ) as average_order_value,
        cast(
            case
                when per_profile.lifetime_purchases > 0
                    then 1.0 * per_profile.online_purchases / per_profile.lifetime_purchases
            end as {{ dbt.type_float() }}
        ) as online_purchase_share,
        favourite_categories.favourite_category,
        favourite_stores.favourite_store_id,
        segmented.rfm_recency_score,
        segmented.rfm_frequency_score,
        segmented.rfm_monetary_score,
        segmented.rfm_segment
    from int_profiles_as_of
    left join per_profile
        on int_profiles_as_of.profile_id = per_profile.profile_id
    left join segmented
        on int_profiles_as_of.profile_id = segmented.profile_id
    left join favourite_categories
        on
            int_profiles_as_of.profile_id = favourite_categories.profile_id
            and favourite_categories.category_rank = 1
    left join favourite_stores
        on
            int_profiles_as_of.profile_id = favourite_stores.profile_id
            and favourite_stores.store_rank = 1

)

select * from final
