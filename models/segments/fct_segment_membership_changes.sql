{{ config(
    materialized='incremental',
    unique_key='membership_change_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
-- One row per spell of a profile in a segment: entered_at, the first as-of
-- day it was a member, and exited_at, the first as-of day it no longer was
-- (NULL while it still is: the "live segment" is the rows with no exited_at).
-- Each build compares the membership of its as-of day (int_segment_members)
-- with the open rows: members without an open row enter, open rows without
-- a member exit. Built day by day in order by the daily build or by
-- `profile360 backfill-segments` (a full refresh on its first day). A build
-- for a day earlier than one already recorded changes nothing: rewrite
-- history with a backfill, not by going back one day.

with

int_segment_members as (

    select * from {{ ref('int_segment_members') }}

),

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

{%- if is_incremental() %}

recorded as (

    select * from {{ this }}

),

latest_recorded as (

    select
        max(case when exited_at is null or exited_at < entered_at then entered_at else exited_at end)
            as latest_day
    from recorded

),

-- The day being built, unless it is older than what is recorded already.
build_day as (

    select int_as_of_date.as_of_date
    from int_as_of_date
    cross join latest_recorded
    where latest_recorded.latest_day is null or int_as_of_date.as_of_date >= latest_recorded.latest_day

),

open_rows as (

    select * from recorded
    where exited_at is null

),

exits as (

    select
        open_rows.membership_change_id,
        open_rows.profile_id,
        open_rows.segment_key,
        open_rows.entered_at,
        build_day.as_of_date as exited_at
    from open_rows
    cross join build_day
    left join int_segment_members
        on
            open_rows.profile_id = int_segment_members.profile_id
            and open_rows.segment_key = int_segment_members.segment_key
    where int_segment_members.profile_id is null

),

entries as (

    select
        {{ profile360.surrogate_key([
            'int_segment_members.profile_id', 'int_segment_members.segment_key', 'build_day.as_of_date'
        ]) }} as membership_change_id,
        int_segment_members.profile_id,
        int_segment_members.segment_key,
        build_day.as_of_date as entered_at,
        cast(null as date) as exited_at
    from int_segment_members
    cross join build_day
    left join open_rows
        on
            int_segment_members.profile_id = open_rows.profile_id
            and int_segment_members.segment_key = open_rows.segment_key
    where open_rows.profile_id is null

),

changes as (

    select * from exits
    union all
    select * from entries

),

{%- else %}

changes as (

    select
        {{ profile360.surrogate_key([
            'int_segment_members.profile_id', 'int_segment_members.segment_key', 'int_as_of_date.as_of_date'
        ]) }} as membership_change_id,
        int_segment_members.profile_id,
        int_segment_members.segment_key,
        int_as_of_date.as_of_date as entered_at,
        cast(null as date) as exited_at
    from int_segment_members
    cross join int_as_of_date

),

{%- endif %}

final as (

    select
        cast(membership_change_id as {{ dbt.type_string() }}) as membership_change_id,
        cast(profile_id as {{ dbt.type_string() }}) as profile_id,
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(entered_at as date) as entered_at,
        cast(exited_at as date) as exited_at
    from changes

)

select * from final
