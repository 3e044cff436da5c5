-- One row per profile seen by the as-of day: its traits (dim_profile_traits)
-- and lifecycle stage and tier (int_lifecycle_stages), the row a segment
-- condition is written over. Read by int_segment_members and the lookalike
-- models; a view.
{{ config(materialized='view') }}

with

dim_profile_traits as (

    select * from {{ ref('dim_profile_traits') }}

),

int_lifecycle_stages as (

    select * from {{ ref('int_lifecycle_stages') }}

),

final as (

    select
        dim_profile_traits.*,
        int_lifecycle_stages.lifecycle_stage,
        int_lifecycle_stages.lifecycle_tier,
        int_lifecycle_stages.lifecycle_stage_tier
    from dim_profile_traits
    inner join int_lifecycle_stages
        on dim_profile_traits.profile_id = int_lifecycle_stages.profile_id

)

select * from final
