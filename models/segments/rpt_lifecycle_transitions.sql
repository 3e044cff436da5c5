-- One row per week, stage left and stage entered: how many profiles moved,
-- read from the membership history of the lifecycle stage pseudo-segments
-- (fct_segment_membership_changes). A profile that enters a stage on an
-- as-of day moved from the stage it exited that day, or from `none` when it
-- was in no stage before (a new profile, or the first day built); a profile
-- that exits a stage and enters none moved to `none` (its id changed, e.g.
-- after a merge). Weeks start on Monday (dbt.date_trunc).

with

fct_segment_membership_changes as (

    select * from {{ ref('fct_segment_membership_changes') }}

),

dim_segments as (

    select * from {{ ref('dim_segments') }}
    where segment_kind = 'lifecycle_stage'

),

stage_spells as (

    select
        fct_segment_membership_changes.profile_id,
        {{ dbt.replace('fct_segment_membership_changes.segment_key', "'lifecycle_'", "''") }}
            as lifecycle_stage,
        fct_segment_membership_changes.entered_at,
        fct_segment_membership_changes.exited_at
    from fct_segment_membership_changes
    inner join dim_segments
        on fct_segment_membership_changes.segment_key = dim_segments.segment_key

),

entries as (

    select
        profile_id,
        lifecycle_stage,
        entered_at as changed_at
    from stage_spells

),

exits as (

    select
        profile_id,
        lifecycle_stage,
        exited_at as changed_at
    from stage_spells
    where exited_at is not null

),

moves as (

    select
        coalesce(entries.profile_id, exits.profile_id) as profile_id,
        coalesce(entries.changed_at, exits.changed_at) as changed_at,
        coalesce(exits.lifecycle_stage, 'none') as from_stage,
        coalesce(entries.lifecycle_stage, 'none') as to_stage
    from entries
    full outer join exits
        on
            entries.profile_id = exits.profile_id
            and entries.changed_at = exits.changed_at

),

weekly as (

    select
        cast({{ dbt.date_trunc('week', 'changed_at') }} as date) as week_start,
        from_stage,
        to_stage,
        count(*) as profiles_moved,
        min(changed_at) as first_change_on,
        max(changed_at) as last_change_on
    from moves
    group by 1, 2, 3

),

final as (

    select
        cast(
            {{ profile360.surrogate_key(['week_start', 'from_stage', 'to_stage']) }}
            as {{ dbt.type_string() }}
        )
            as transition_id,
        week_start,
        cast(from_stage as {{ dbt.type_string() }}) as from_stage,
        cast(to_stage as {{ dbt.type_string() }}) as to_stage,
        cast(profiles_moved as {{ dbt.type_bigint() }}) as profiles_moved,
        cast(first_change_on as date) as first_change_on,
        cast(last_change_on as date) as last_change_on
    from weekly

)

select * from final
