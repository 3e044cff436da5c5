-- One row per profile seen by the as-of day: the three products to propose
-- next, none of which it bought (int_purchase_product_state): item-to-item
-- co-purchase neighbours of what it bought first, the most bought products
-- for the slots left (all three for a profile without a purchase). The rule
-- is the macro next_best_products_ctes (macros/traits/next_best_products.sql),
-- shared with the benchmark.
--   next_best_product_1..3   product ids, best first; NULL when fewer
--                            candidates exist
--   next_best_basis          co_purchase (every proposal from co-purchase),
--                            popularity (none), mixed

with

int_profiles_as_of as (

    select * from {{ ref('int_profiles_as_of') }}

),

int_purchase_product_state as (

    select * from {{ ref('int_purchase_product_state') }}

),

bought as (

    select
        profile_id,
        product_id
    from int_purchase_product_state

),

profiles as (

    select profile_id
    from int_profiles_as_of

),

{{ profile360.next_best_products_ctes('bought', 'profiles', slots=3) }},

pivoted as (

    select
        profile_id,
        {%- for slot in range(1, 4) %}
            max(case when recommendation_rank = {{ slot }} then product_id end)
                as next_best_product_{{ slot }},
        {%- endfor %}
        sum(case when recommendation_source = 'co_purchase' then 1 else 0 end)
            as count_co_purchase,
        sum(case when recommendation_source = 'popularity' then 1 else 0 end)
            as count_popularity
    from next_best_ranked
    group by profile_id

),

final as (

    select
        int_profiles_as_of.profile_id,
        pivoted.next_best_product_1,
        pivoted.next_best_product_2,
        pivoted.next_best_product_3,
        case
            when coalesce(pivoted.count_co_purchase, 0) = 0 then 'popularity'
            when pivoted.count_popularity = 0 then 'co_purchase'
            else 'mixed'
        end as next_best_basis
    from int_profiles_as_of
    left join pivoted
        on int_profiles_as_of.profile_id = pivoted.profile_id

)

select * from final
