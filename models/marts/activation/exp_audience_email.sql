-- One row per segment and profile exported to the email channel, as of the
-- build's as-of day. E-mail: the profile's best e-mail (normalised), consent marketing_email.
-- Only profiles whose consent for the channel's purpose is granted and that
-- have an identifier for it; the rules are in macros/activation/audiences.sql,
-- the counts of who was left out in rpt_audience_export_manifest. Written by
-- the build to <exports dir>/<run date>/audience_email.parquet (this model,
-- external), audience_email.csv and email/<segment_key>.csv (post-hook).
{{ config(
    location="{{ profile360.audience_export_path('email', 'parquet') }}",
    pre_hook="{{ profile360.prepare_audience_folder('email') }}",
    post_hook="{{ profile360.write_audience_files('email') }}",
) }}

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
