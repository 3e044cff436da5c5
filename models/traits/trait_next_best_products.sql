-- One row per profile seen by the as-of day: the three products to propose
-- next, none of which it bought (int_profile_product_state): the products it
-- viewed or put in a cart in the last var profile360__next_best_viewed_days
-- days and did not buy, most recent first; then item-to-item co-purchase
-- neighbours of what it bought; then the most bought products for the slots
-- left (all three for a profile without history). The rule is the macro
-- next_best_products_ctes (macros/traits/next_best_products.sql), shared
-- with the benchmark.
--   next_best_product_1..3   product ids, best first; NULL when fewer
--                            candidates exist
--   next_best_basis          where the first comes from: viewed,
--                            co_purchase or popularity

with

int_profiles_as_of as (

    select * from {{ ref('int_profiles_as_of') }}

),

int_profile_product_state as (

    select * from {{ ref('int_profile_product_state') }}

),

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

bought as (

    select
        profile_id,
        product_id
    from int_profile_product_state
    where count_purchases > 0

),

-- Higher is more recent: minus the seconds from the view to the as-of day's end.
viewed as (

    select
        int_profile_product_state.profile_id,
        int_profile_product_state.product_id,
        -1 * {{ dbt.datediff('int_profile_product_state.last_viewed_at',
            'int_as_of_date.as_of_end_at', 'second') }} as interest_score
    from int_profile_product_state
    cross join int_as_of_date
    where
        int_profile_product_state.last_viewed_at is not null
        and {{ profile360.days_before_as_of('int_profile_product_state.last_viewed_at',
            'int_as_of_date.as_of_date') }} < {{ var('profile360__next_best_viewed_days') }}

),

profiles as (

    select profile_id
    from int_profiles_as_of

),

{{ profile360.next_best_products_ctes('bought', 'viewed', 'profiles', slots=3) }},

pivoted as (

    select
        profile_id,
        {%- for slot in range(1, 4) %}
            max(case when recommendation_rank = {{ slot }} then product_id end)
                as next_best_product_{{ slot }},
        {%- endfor %}
        max(case when recommendation_rank = 1 then recommendation_source end)
            as first_source
    from next_best_ranked
    group by profile_id

),

final as (

    select
        int_profiles_as_of.profile_id,
        pivoted.next_best_product_1,
        pivoted.next_best_product_2,
        pivoted.next_best_product_3,
        coalesce(pivoted.first_source, 'popularity') as next_best_basis
    from int_profiles_as_of
    left join pivoted
        on int_profiles_as_of.profile_id = pivoted.profile_id

)

select * from final
