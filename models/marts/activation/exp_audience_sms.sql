-- One row per segment and profile exported to the sms channel, as of the
-- build's as-of day. SMS: the profile's best phone (E.164), consent marketing_sms.
-- Only profiles contactable on the channel (dim_profile_contactability: consent
-- granted, no opt-out since, an identifier); the channels are in macros/activation/audiences.sql,
-- the counts of who was left out in rpt_audience_export_manifest. A table: the files
-- (Parquet and CSV in <exports dir>/<run date>/) are written from it after the build by
-- orchestration/lib/exports.py (docs/activation.md).

with

int_segment_members as (

    select * from {{ ref('int_segment_members') }}

),

dim_profile_contactability as (

    select * from {{ ref('dim_profile_contactability') }}

),

audience as (

    {{ profile360.audience_rows('sms', 'int_segment_members', 'dim_profile_contactability') }}

),

final as (

    select
        segment_key,
        profile_id,
        phone
    from audience
    where left_out_reason is null

)

select * from final
