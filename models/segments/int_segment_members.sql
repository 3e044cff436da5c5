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

int_segment_profiles as (

    select * from {{ ref('int_segment_profiles') }}

),

int_lookalike_scores as (

    select * from {{ ref('int_lookalike_scores') }}

),

members as (

    {{ profile360.segment_membership('int_segment_profiles') }}
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
