-- One row per lookalike audience and profile outside its seed segment: how
-- much the profile resembles the seed's members (the sum over features of
-- weight x standardised value, int_lookalike_weights) and its rank, 1 the
-- most alike (ties: the lower profile id). The audience's members are the
-- ranks up to its declared size (int_segment_members).

with

int_lookalike_seeds as (

    select * from {{ ref('int_lookalike_seeds') }}

),

int_lookalike_features as (

    select * from {{ ref('int_lookalike_features') }}

),

int_lookalike_weights as (

    select * from {{ ref('int_lookalike_weights') }}

),

scores as (

    select
        int_lookalike_weights.segment_key,
        int_lookalike_features.profile_id,
        sum(int_lookalike_weights.weight * int_lookalike_features.standardised_value)
            as lookalike_score
    from int_lookalike_weights
    inner join int_lookalike_features
        on int_lookalike_weights.feature = int_lookalike_features.feature
    left join int_lookalike_seeds
        on
            int_lookalike_weights.segment_key = int_lookalike_seeds.segment_key
            and int_lookalike_features.profile_id = int_lookalike_seeds.profile_id
    where int_lookalike_seeds.profile_id is null
    group by int_lookalike_weights.segment_key, int_lookalike_features.profile_id

),

final as (

    select
        {{ profile360.surrogate_key(['segment_key', 'profile_id']) }} as lookalike_score_id,
        segment_key,
        profile_id,
        cast(lookalike_score as {{ dbt.type_float() }}) as lookalike_score,
        cast(
            row_number() over (
                partition by segment_key order by lookalike_score desc, profile_id asc
            ) as {{ dbt.type_int() }}
        ) as lookalike_rank
    from scores

)

select * from final
