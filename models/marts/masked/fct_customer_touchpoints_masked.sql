-- The BI copy of marts.fct_customer_touchpoints in marts_masked, under the same name: it
-- holds no e-mail, phone or name; the record key (a loyalty member's is its loyalty id)
-- and the touchpoint id (an unkeyed hash of it) are masked by mask_record_key, the other
-- columns pass unchanged. Columns
-- are named one by one (and the contract is enforced): a column added
-- upstream reaches the masked schema only when it is added here.
{{ config(alias='fct_customer_touchpoints', materialized='view') }}

with

fct_customer_touchpoints as (

    select * from {{ ref('fct_customer_touchpoints') }}

),

final as (

    select
        {{ profile360.mask_record_key("'touchpoint'", 'touchpoint_id') }} as touchpoint_id,
        profile_id,
        touchpoint_seq,
        occurred_at,
        previous_touchpoint_at,
        days_since_previous_touchpoint,
        source,
        {{ profile360.mask_record_key('source', 'record_key') }} as record_key,
        channel,
        touchpoint_type,
        campaign_id,
        utm_source,
        utm_medium,
        store_id,
        revenue,
        currency,
        is_conversion
    from fct_customer_touchpoints

)

select * from final
