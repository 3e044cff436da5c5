-- One row per profile and product it bought, viewed or added to a cart by
-- the as-of day (of the profiles recomputed at this build,
-- int_traits_to_refresh): how many of its purchases held the product and
-- when it first and last bought it (int_purchase_lines_as_of: cancelled
-- orders and POS returns have no lines; a returned order's products count as
-- bought, so they are not proposed again), and how often and when last it
-- viewed the product or put it in a cart, on the web or in the app
-- (int_engagement_events_as_of). What trait_next_best_products reads.
-- Incremental: the rows of the listed profiles are deleted, then recomputed.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'traits', 'keys': [['profile_id', 'profile_id']]},
) }}
-- depends_on: {{ ref('int_service_state') }}

with

int_purchase_lines_as_of as (

    select * from {{ ref('int_purchase_lines_as_of') }}

),

int_purchases_as_of as (

    select * from {{ ref('int_purchases_as_of') }}

),

int_engagement_events_as_of as (

    select * from {{ ref('int_engagement_events_as_of') }}

),

bought as (

    select
        int_purchase_lines_as_of.profile_id,
        int_purchase_lines_as_of.product_id,
        count(distinct int_purchase_lines_as_of.purchase_id) as count_purchases,
        min(int_purchases_as_of.purchased_at) as first_bought_at,
        max(int_purchases_as_of.purchased_at) as last_bought_at
    from int_purchase_lines_as_of
    inner join int_purchases_as_of
        on int_purchase_lines_as_of.purchase_id = int_purchases_as_of.purchase_id
    where int_purchase_lines_as_of.product_id is not null
    group by int_purchase_lines_as_of.profile_id, int_purchase_lines_as_of.product_id

),

viewed as (

    select
        profile_id,
        product_id,
        count(*) as count_views,
        max(event_at) as last_viewed_at
    from int_engagement_events_as_of
    where product_id is not null and event_type in ('product_view', 'add_to_cart')
    group by profile_id, product_id

),

final as (

    select
        coalesce(bought.profile_id, viewed.profile_id) as profile_id,
        coalesce(bought.product_id, viewed.product_id) as product_id,
        cast(coalesce(bought.count_purchases, 0) as {{ dbt.type_int() }}) as count_purchases,
        bought.first_bought_at,
        bought.last_bought_at,
        cast(coalesce(viewed.count_views, 0) as {{ dbt.type_int() }}) as count_views,
        viewed.last_viewed_at,
        {{ profile360.load_timestamp() }} as _loaded_at
    from bought
    full outer join viewed
        on
            bought.profile_id = viewed.profile_id
            and bought.product_id = viewed.product_id

)

select * from final
