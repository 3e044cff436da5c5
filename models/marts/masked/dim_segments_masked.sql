-- The BI copy of segments.dim_segments in marts_masked, under the same name: it
-- holds no e-mail, phone or name, so every column passes unchanged. Columns
-- are named one by one (and the contract is enforced): a column added
-- upstream reaches the masked schema only when it is added here.
{{ config(alias='dim_segments', materialized='view') }}

with

dim_segments as (

    select * from {{ ref('dim_segments') }}

),

final as (

    select
        segment_key,
        segment_name,
        segment_description,
        segment_owner,
        segment_condition,
        segment_kind,
        segment_order
    from dim_segments

)

select * from final
