-- One row per lookalike audience and member of its seed segment (declared
-- with lookalike_of, macros/segments/lookalikes.sql): the profiles whose
-- traits the audience is ranked against, found with the seed's own
-- condition over the same columns int_segment_members reads.
{%- set lookalikes = profile360.lookalike_declarations() %}

with

int_segment_profiles as (

    select * from {{ ref('int_segment_profiles') }}

),

seeds as (

    {%- for lookalike in lookalikes %}
        select
            '{{ lookalike.key }}' as segment_key,
            '{{ lookalike.lookalike_of }}' as seed_segment_key,
            profile_id
        from int_segment_profiles
        where coalesce(({{ lookalike.seed_condition }}), false)
        union all
    {%- endfor %}
    -- No lookalike declared: no row.
    select
        cast(null as {{ dbt.type_string() }}) as segment_key,
        cast(null as {{ dbt.type_string() }}) as seed_segment_key,
        profile_id
    from int_segment_profiles
    where 1 = 0

),

final as (

    select
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(seed_segment_key as {{ dbt.type_string() }}) as seed_segment_key,
        profile_id
    from seeds

)

select * from final
