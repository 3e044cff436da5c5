-- The BI copy of segments.fct_segment_membership_changes in marts_masked, under the same name: it
-- holds no e-mail, phone or name, so every column passes unchanged. Columns
-- are named one by one (and the contract is enforced): a column added
-- upstream reaches the masked schema only when it is added here.
{{ config(alias='fct_segment_membership_changes', materialized='view') }}

with

fct_segment_membership_changes as (

    select * from {{ ref('fct_segment_membership_changes') }}

),

final as (

    select
        membership_change_id,
        profile_id,
        segment_key,
        entered_at,
        exited_at
    from fct_segment_membership_changes

)

select * from final
