-- One row per profile: its lifecycle stage and tier as of the segments'
-- as-of day (segments.int_lifecycle_stages, where the rules live), for the
-- Profile 360 app's profile page and stage x tier heatmap. No personal
-- data: every column passes unchanged.
{{ config(alias='dim_profile_lifecycle') }}

with

int_lifecycle_stages as (

    select * from {{ ref('int_lifecycle_stages') }}

),

final as (

    select
        profile_id,
        as_of_date,
        lifecycle_stage,
        lifecycle_tier,
        lifecycle_stage_tier
    from int_lifecycle_stages

)

select * from final
