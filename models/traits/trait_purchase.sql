-- One row per profile seen by the as-of day: purchase traits from orders and
-- store transactions together, money in VND. The totals and favourites come
-- from int_purchase_state (recomputed only for the profiles
-- int_traits_to_refresh lists); recency and the RFM scores, which move with
-- the as-of day for everyone, are computed here from those rows.
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

int_purchase_state as (

    select * from {{ ref('int_purchase_state') }}

),

buyers as (

    select
        int_purchase_state.profile_id,
        {{ dbt.datediff('cast(int_purchase_state.last_purchase_at as date)',
            'int_as_of_date.as_of_date', 'day') }} as recency_days,
        int_purchase_state.lifetime_purchases,
        int_purchase_state.lifetime_value
    from int_purchase_state
    cross join int_as_of_date
    where int_purchase_state.lifetime_purchases > 0

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
        int_as_of_date.as_of_date,
        int_purchase_state.first_purchase_at,
        int_purchase_state.last_purchase_at,
        cast(segmented.recency_days as {{ dbt.type_int() }}) as recency_days,
        cast(coalesce(int_purchase_state.lifetime_purchases, 0) as {{ dbt.type_int() }})
            as lifetime_purchases,
        cast(coalesce(int_purchase_state.purchases_90d, 0) as {{ dbt.type_int() }})
            as purchases_90d,
        cast(coalesce(int_purchase_state.online_purchases, 0) as {{ dbt.type_int() }})
            as online_purchases,
        cast(coalesce(int_purchase_state.offline_purchases, 0) as {{ dbt.type_int() }})
            as offline_purchases,
        cast(coalesce(int_purchase_state.count_refunds, 0) as {{ dbt.type_int() }})
            as count_refunds,
        cast(coalesce(int_purchase_state.count_cancelled_orders, 0) as {{ dbt.type_int() }})
            as count_cancelled_orders,
        cast(coalesce(int_purchase_state.gross_revenue, 0) as {{ dbt.type_numeric() }})
            as gross_revenue,
        cast(coalesce(int_purchase_state.refunded_amount, 0) as {{ dbt.type_numeric() }})
            as refunded_amount,
        cast(coalesce(int_purchase_state.lifetime_value, 0) as {{ dbt.type_numeric() }})
            as lifetime_value,
        cast(coalesce(int_purchase_state.net_revenue_90d, 0) as {{ dbt.type_numeric() }})
            as net_revenue_90d,
        cast(
            case
                when int_purchase_state.lifetime_purchases > 0
                    then int_purchase_state.lifetime_value / int_purchase_state.lifetime_purchases
            end as {{ dbt.type_numeric() }}
        ) as average_order_value,
        cast(
            case
                when int_purchase_state.lifetime_purchases > 0
                    then
                        1.0 * int_purchase_state.online_purchases
                        / int_purchase_state.lifetime_purchases
            end as {{ dbt.type_float() }}
        ) as online_purchase_share,
        int_purchase_state.favourite_category,
        int_purchase_state.favourite_store_id,
        segmented.rfm_recency_score,
        segmented.rfm_frequency_score,
        segmented.rfm_monetary_score,
        segmented.rfm_segment
    from int_profiles_as_of
    left join int_purchase_state
        on int_profiles_as_of.profile_id = int_purchase_state.profile_id
    left join segmented
        on int_profiles_as_of.profile_id = segmented.profile_id
    cross join int_as_of_date

)

select * from final
