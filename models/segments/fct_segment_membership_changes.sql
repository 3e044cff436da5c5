{{ config(
    materialized='incremental',
    unique_key='membership_change_id',
    incremental_strategy=profile360.staging_incremental_strategy(),
    on_schema_change='fail',
    post_hook=[
        "{{ profile360.forget_erased_profiles(this) }}",
        "{{ profile360.delete_rows_where(this, 'exited_at is not null and exited_at <= entered_at') }}",
    ],
) }}
-- Right to erasure: the post-hook deletes every spell of an erased profile
-- (macros/privacy/erasure.sql, forget_erased_profiles), history included.
-- A second build of the same as-of day (an erasure, a drop let in) can take
-- back a membership the first one opened: that spell lasted no day, and the
-- second post-hook deletes it instead of keeping an exit on its entry day.
-- depends_on: {{ ref('map_records_to_profiles') }}
-- depends_on: {{ ref('fct_profile_id_changes') }}
-- One row per spell of a profile in a segment: entered_at, the first as-of
-- day it was a member, and exited_at, the first as-of day it no longer was
-- (NULL while it still is: the "live segment" is the rows with no exited_at).
-- Each build compares the membership of its as-of day (int_segment_members)
-- with the open rows: members without an open row enter, open rows without
-- a member exit. Built day by day in order by the daily build; a past
-- history by `profile360 backfill-segments` into segments_backfill (a full
-- refresh on its first day; the live history is not touched). A build for a
-- day earlier than one already recorded changes nothing.

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
            max(
                case
                    when exited_at is null or exited_at < entered_at then entered_at else exited_at
                end
            )
                as latest_day
        from recorded

    ),

    -- The day being built, unless it is older than what is recorded already.
    build_day as (

        select int_as_of_date.as_of_date
        from int_as_of_date
        cross join latest_recorded
        where
            latest_recorded.latest_day is null
            or int_as_of_date.as_of_date >= latest_recorded.latest_day

    ),

    open_rows as (

        select * from recorded
        where exited_at is null

    ),

    -- Membership of the day against the open rows, compared by grouping
    -- (not by a left join filtered on NULL: DuckDB 2.0.0 returned no rows for
    -- that anti-join here). Per profile and segment there is at most one open row.
    compared as (

        select
            profile_id,
            segment_key,
            max(is_member) as is_member,
            max(is_open) as is_open,
            max(open_membership_change_id) as open_membership_change_id,
            max(open_entered_at) as open_entered_at
        from (
            select
                profile_id,
                segment_key,
                1 as is_member,
                0 as is_open,
                cast(null as {{ dbt.type_string() }}) as open_membership_change_id,
                cast(null as date) as open_entered_at
            from int_segment_members
            union all
            select
                profile_id,
                segment_key,
                0 as is_member,
                1 as is_open,
                membership_change_id as open_membership_change_id,
                entered_at as open_entered_at
            from open_rows
        ) as sides
        group by profile_id, segment_key

    ),

    exits as (

        select
            compared.open_membership_change_id as membership_change_id,
            compared.profile_id,
            compared.segment_key,
            compared.open_entered_at as entered_at,
            build_day.as_of_date as exited_at
        from compared
        cross join build_day
        where compared.is_open = 1 and compared.is_member = 0

    ),

    entries as (

        select
        {{ profile360.surrogate_key([
            'compared.profile_id', 'compared.segment_key', 'build_day.as_of_date'
        ]) }} as membership_change_id,
            compared.profile_id,
            compared.segment_key,
            build_day.as_of_date as entered_at,
            cast(null as date) as exited_at
        from compared
        cross join build_day
        where compared.is_member = 1 and compared.is_open = 0

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
