-- One row per build and (old profile id, new profile id) whose records
-- moved: the merge/split log identity.fct_profile_id_changes for BI and the
-- Profile 360 app. cause_identifiers lists raw identifier values, so only
-- its count passes; every other column passes unchanged.
{{ config(alias='fct_profile_id_changes') }}

with

fct_profile_id_changes as (

    select * from {{ ref('fct_profile_id_changes') }}

),

final as (

    select
        change_id,
        change_type,
        old_profile_id,
        new_profile_id,
        changed_at,
        data_as_of,
        records_moved,
        count_cause_identifiers
    from fct_profile_id_changes

)

select * from final
