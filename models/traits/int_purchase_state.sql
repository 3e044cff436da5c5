-- One row per profile with a purchase, refund or cancelled order up to the
-- as-of day (of the profiles recomputed at this build, int_traits_to_refresh):
-- the totals trait_purchase publishes, computed as of the day from
-- int_purchases_as_of and int_purchase_lines_as_of (the purchases of those
-- profiles only), and the favourite category and store. Recency and the RFM
-- scores (ranks among all buyers) move with the as-of day for everyone and
-- are computed at read time by trait_purchase from these rows. The 90-day
-- totals and the status of an order change only when a purchase leaves the
-- window or an order's change takes effect, which int_traits_to_refresh lists
-- (window_edge). Incremental: the rows of the listed profiles are deleted,
-- then recomputed.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'traits', 'keys': [['profile_id', 'profile_id']]},
) }}

with

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

final as (

    select
        per_profile.profile_id,
        per_profile.first_purchase_at,
        per_profile.last_purchase_at,
        cast(per_profile.lifetime_purchases as {{ dbt.type_int() }}) as lifetime_purchases,
        cast(per_profile.purchases_90d as {{ dbt.type_int() }}) as purchases_90d,
        cast(per_profile.online_purchases as {{ dbt.type_int() }}) as online_purchases,
        cast(per_profile.offline_purchases as {{ dbt.type_int() }}) as offline_purchases,
        cast(per_profile.count_refunds as {{ dbt.type_int() }}) as count_refunds,
        cast(per_profile.count_cancelled_orders as {{ dbt.type_int() }}) as count_cancelled_orders,
        cast(per_profile.gross_revenue as {{ dbt.type_numeric() }}) as gross_revenue,
        cast(per_profile.refunded_amount as {{ dbt.type_numeric() }}) as refunded_amount,
        cast(per_profile.lifetime_value as {{ dbt.type_numeric() }}) as lifetime_value,
        cast(per_profile.net_revenue_90d as {{ dbt.type_numeric() }}) as net_revenue_90d,
        favourite_categories.favourite_category,
        favourite_stores.favourite_store_id,
        {{ profile360.load_timestamp() }} as _loaded_at
    from per_profile
    left join favourite_categories
        on
            per_profile.profile_id = favourite_categories.profile_id
            and favourite_categories.category_rank = 1
    left join favourite_stores
        on
            per_profile.profile_id = favourite_stores.profile_id
            and favourite_stores.store_rank = 1

)

select * from final
