-- The BI and app copy of profiles.dim_profile_contactability in marts_masked,
-- under the same name: one row per profile and channel, whether the profile
-- may be contacted and why not, without the identifiers (e-mail, phone, Zalo
-- id and their unkeyed hashes stay in the build warehouse).
{{ config(alias='dim_profile_contactability', materialized='view') }}

with

dim_profile_contactability as (

    select * from {{ ref('dim_profile_contactability') }}

),

final as (

    select
        profile_channel_id,
        profile_id,
        channel,
        consent_purpose,
        consent_status,
        consent_recorded_at,
        opted_out_at,
        opt_out_event_type,
        has_identifier,
        is_contactable,
        not_contactable_reason
    from dim_profile_contactability

)

select * from final
