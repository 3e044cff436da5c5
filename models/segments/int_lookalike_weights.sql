-- One row per lookalike audience and feature: how much the feature marks
-- the seed segment out, the explanation of the ranking. The weight is the
-- seed members' mean standardised value minus everyone else's, a linear
-- discriminant on standardised traits with features taken as independent:
-- a profile's score (int_lookalike_scores) is the sum of weight x its
-- standardised value, i.e. how far it lies towards the seed's side.

with

int_lookalike_seeds as (

    select * from {{ ref('int_lookalike_seeds') }}

),

int_lookalike_features as (

    select * from {{ ref('int_lookalike_features') }}

),

audiences as (

    select
        segment_key,
        seed_segment_key,
        count(*) as count_seed_members
    from int_lookalike_seeds
    group by segment_key, seed_segment_key

),

feature_totals as (

    select
        feature,
        count(*) as count_profiles,
        sum(standardised_value) as sum_value
    from int_lookalike_features
    group by feature

),

seed_totals as (

    select
        int_lookalike_seeds.segment_key,
        int_lookalike_features.feature,
        sum(int_lookalike_features.standardised_value) as sum_value
    from int_lookalike_seeds
    inner join int_lookalike_features
        on int_lookalike_seeds.profile_id = int_lookalike_features.profile_id
    group by int_lookalike_seeds.segment_key, int_lookalike_features.feature

),

final as (

    select
        audiences.segment_key,
        audiences.seed_segment_key,
        cast(seed_totals.feature as {{ dbt.type_string() }}) as feature,
        cast(audiences.count_seed_members as {{ dbt.type_bigint() }}) as count_seed_members,
        cast(seed_totals.sum_value / audiences.count_seed_members as {{ dbt.type_float() }})
            as seed_mean,
        cast(
            (feature_totals.sum_value - seed_totals.sum_value)
            / nullif(feature_totals.count_profiles - audiences.count_seed_members, 0)
            as {{ dbt.type_float() }}
        ) as others_mean,
        cast(
            seed_totals.sum_value / audiences.count_seed_members
            - coalesce(
                (feature_totals.sum_value - seed_totals.sum_value)
                / nullif(feature_totals.count_profiles - audiences.count_seed_members, 0),
                0
            )
            as {{ dbt.type_float() }}
        ) as weight
    from audiences
    inner join seed_totals
        on audiences.segment_key = seed_totals.segment_key
    inner join feature_totals
        on seed_totals.feature = feature_totals.feature

)

select * from final
