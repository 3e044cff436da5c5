-- One row per profile and segment it belongs to as of the as-of day: every
-- declared segment (var profile360__segments, compiled by the
-- segment_membership macro: a segment is a declaration, not a SQL file) and
-- the lifecycle stage and stage x tier pseudo-segments. A lookalike
-- audience (declared with lookalike_of and size) holds the `size` best
-- ranked profiles of int_lookalike_scores.
{%- set lookalikes = profile360.lookalike_declarations() %}

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

dim_profile_traits as (

    select * from {{ ref('dim_profile_traits') }}

),

int_lifecycle_stages as (

    select * from {{ ref('int_lifecycle_stages') }}

),

int_lookalike_scores as (

    select * from {{ ref('int_lookalike_scores') }}

),

profiles as (

    select
        dim_profile_traits.*,
        int_lifecycle_stages.lifecycle_stage,
        int_lifecycle_stages.lifecycle_tier,
        int_lifecycle_stages.lifecycle_stage_tier
    from dim_profile_traits
    inner join int_lifecycle_stages
        on dim_profile_traits.profile_id = int_lifecycle_stages.profile_id

),

members as (

    {{ profile360.segment_membership('profiles') }}
    {%- for lookalike in lookalikes %}
        union all
        select
            profile_id,
            segment_key
        from int_lookalike_scores
        where segment_key = '{{ lookalike.key }}' and lookalike_rank <= {{ lookalike.size }}
    {%- endfor %}

),

final as (

    select
        {{ profile360.surrogate_key(['members.profile_id', 'members.segment_key']) }}
            as segment_member_id,
        members.profile_id,
        members.segment_key,
        int_as_of_date.as_of_date
    from members
    cross join int_as_of_date

)

select * from final
