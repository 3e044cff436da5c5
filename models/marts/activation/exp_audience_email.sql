-- One row per segment and profile exported to the email channel, as of the
-- build's as-of day. E-mail: the profile's best e-mail (normalised), consent marketing_email.
-- Only profiles whose consent for the channel's purpose is granted and that
-- have an identifier for it; the rules are in macros/activation/audiences.sql,
-- the counts of who was left out in rpt_audience_export_manifest. A table: the files
-- (Parquet and CSV in <exports dir>/<run date>/) are written from it after the build by
-- orchestration/lib/exports.py (docs/activation.md).

with

int_segment_members as (

    select * from {{ ref('int_segment_members') }}

),

dim_profiles as (

    select * from {{ ref('dim_profiles') }}

),

audience as (

    {{ profile360.audience_rows('email', 'int_segment_members', 'dim_profiles') }}

),

final as (

    select
        segment_key,
        profile_id,
        email
    from audience
    where left_out_reason is null

)

select * from final
