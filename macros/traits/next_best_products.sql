{#
    next_best_products_ctes(bought, viewed, profiles): the CTEs of the next-best
    products rule (trait_next_best_products), written once so that the
    benchmark (benchmarks/predictions_benchmark.py) runs the same SQL on a
    history with each buyer's last purchase held out. `bought` is a relation
    of (profile_id, product_id), one row per product a profile bought;
    `viewed` of (profile_id, product_id, interest_score), products a profile
    recently viewed or put in a cart, the higher the score the more recent;
    `profiles` one row per profile_id to propose to. The last CTE,
    next_best_ranked, has one row per profile and proposed product:
    recommendation_rank 1..slots, product_id, recommendation_source,
    recommendation_score.

    First the products the profile viewed and did not buy, most recent first
    (browse abandonment: on the demo data the only signal of what a person
    buys next, since its baskets are drawn from one popularity table plus the
    products viewed in the session). Then item-to-item co-purchase: two
    products are similar by the cosine of their
    buyer sets, co_buyers / sqrt(buyers_a * buyers_b), kept when at least
    `min_co_buyers` profiles bought both, `neighbours` most similar per
    product. A profile's candidates are the neighbours of what it bought,
    scored by the sum of their similarities, never a product it bought. Slots
    left (no history, or too few neighbours) are filled from the most bought
    products (`popular` of them are considered), again never one it bought.
    Ties: the lower product id.
#}
{% macro next_best_products_ctes(bought, viewed, profiles, slots=3) -%}
{%- set neighbours = var('profile360__next_best_neighbours') -%}
{%- set min_co_buyers = var('profile360__next_best_min_co_buyers') -%}
{%- set popular = var('profile360__next_best_popular_candidates') -%}
next_best_product_buyers as (

    select
        product_id,
        count(*) as count_buyers
    from {{ bought }}
    group by product_id

),

next_best_pairs as (

    select
        bought_a.product_id,
        bought_b.product_id as other_product_id,
        count(*) as count_co_buyers
    from {{ bought }} as bought_a
    inner join {{ bought }} as bought_b
        on
            bought_a.profile_id = bought_b.profile_id
            and bought_a.product_id != bought_b.product_id
    group by bought_a.product_id, bought_b.product_id
    having count(*) >= {{ min_co_buyers }}

),

next_best_neighbours as (

    select
        next_best_pairs.product_id,
        next_best_pairs.other_product_id,
        next_best_pairs.count_co_buyers
        / sqrt(1.0 * buyers_a.count_buyers * buyers_b.count_buyers) as similarity,
        row_number() over (
            partition by next_best_pairs.product_id
            order by
                next_best_pairs.count_co_buyers
                / sqrt(1.0 * buyers_a.count_buyers * buyers_b.count_buyers) desc,
                next_best_pairs.other_product_id asc
        ) as neighbour_rank
    from next_best_pairs
    inner join next_best_product_buyers as buyers_a
        on next_best_pairs.product_id = buyers_a.product_id
    inner join next_best_product_buyers as buyers_b
        on next_best_pairs.other_product_id = buyers_b.product_id

),

next_best_co_purchase as (

    select
        bought.profile_id,
        next_best_neighbours.other_product_id as product_id,
        2 as source_priority,
        sum(next_best_neighbours.similarity) as recommendation_score
    from {{ bought }} as bought
    inner join next_best_neighbours
        on
            bought.product_id = next_best_neighbours.product_id
            and next_best_neighbours.neighbour_rank <= {{ neighbours }}
    group by bought.profile_id, next_best_neighbours.other_product_id

),

next_best_popular as (

    select
        product_id,
        count_buyers
    from (
        select
            product_id,
            count_buyers,
            row_number() over (order by count_buyers desc, product_id asc) as popularity_rank
        from next_best_product_buyers
    ) as ranked_products
    where popularity_rank <= {{ popular }}

),

next_best_candidates as (

    select
        profile_id,
        product_id,
        1 as source_priority,
        1.0 * interest_score as recommendation_score
    from {{ viewed }}
    union all
    select
        profile_id,
        product_id,
        source_priority,
        recommendation_score
    from next_best_co_purchase
    union all
    select
        profiles.profile_id,
        next_best_popular.product_id,
        3 as source_priority,
        1.0 * next_best_popular.count_buyers as recommendation_score
    from {{ profiles }} as profiles
    cross join next_best_popular

),

next_best_not_bought as (

    select
        next_best_candidates.profile_id,
        next_best_candidates.product_id,
        next_best_candidates.source_priority,
        next_best_candidates.recommendation_score,
        row_number() over (
            partition by next_best_candidates.profile_id, next_best_candidates.product_id
            order by next_best_candidates.source_priority asc
        ) as candidate_copy
    from next_best_candidates
    left join {{ bought }} as bought
        on
            next_best_candidates.profile_id = bought.profile_id
            and next_best_candidates.product_id = bought.product_id
    where bought.product_id is null

),

next_best_ranked as (

    select
        profile_id,
        product_id,
        recommendation_rank,
        case source_priority
            when 1 then 'viewed' when 2 then 'co_purchase' else 'popularity'
        end as recommendation_source,
        recommendation_score
    from (
        select
            profile_id,
            product_id,
            source_priority,
            recommendation_score,
            row_number() over (
                partition by profile_id
                order by source_priority asc, recommendation_score desc, product_id asc
            ) as recommendation_rank
        from next_best_not_bought
        where candidate_copy = 1
    ) as ranked_candidates
    where recommendation_rank <= {{ slots }}

)
{%- endmacro %}
