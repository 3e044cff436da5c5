-- The BI copy of segments.rpt_lifecycle_transitions in marts_masked, under the same name: it
-- holds no e-mail, phone or name, so every column passes unchanged. Columns
-- are named one by one (and the contract is enforced): a column added
-- upstream reaches the masked schema only when it is added here.
{{ config(alias='rpt_lifecycle_transitions', materialized='view') }}

with

rpt_lifecycle_transitions as (

    select * from {{ ref('rpt_lifecycle_transitions') }}

),

final as (

    select
        transition_id,
        week_start,
        from_stage,
        to_stage,
        profiles_moved,
        first_change_on,
        last_change_on
    from rpt_lifecycle_transitions

)

select * from final
