-- One row per profile seen by the as-of day (its first record before
-- as_of_end_at): the spine every trait family has one row per. is_known says
-- whether, by then, it carried an identifier that names a person (customer,
-- loyalty, e-mail, phone or Zalo id, unflagged); a profile with cookies and
-- devices only is anonymous.
-- Also the traits layer's per-profile commit point, built last among the
-- state tables: each row keeps the fingerprint of the inputs its state was
-- computed from (int_traits_to_refresh) and the day it was computed as of;
-- int_traits_to_refresh compares the next build with these rows (by name).
-- A build that fails before it leaves the previous rows, so the next build
-- recomputes everything changed since the last complete one. Incremental:
-- the rows of the listed profiles are deleted, then recomputed.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'traits', 'keys': [['profile_id', 'profile_id']]},
) }}
-- depends_on: {{ ref('int_profile_product_state') }}

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_traits_to_refresh as (

    select * from {{ ref('int_traits_to_refresh') }}

),

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

int_trait_records_to_refresh as (

    select * from {{ ref('int_trait_records_to_refresh') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

occurrences as (

    select
        int_trait_records_to_refresh.profile_id,
        int_identifier_occurrences.seen_at,
        int_identifier_occurrences.identifier_type in (
            'customer_id', 'loyalty_id', 'email', 'phone', 'zalo_user_id'
        )
        and coalesce(not map_identifiers_to_profiles.is_flagged, false) as is_personal
    from int_identifier_occurrences
    inner join int_trait_records_to_refresh
        on
            int_identifier_occurrences.source = int_trait_records_to_refresh.source
            and int_identifier_occurrences.record_key = int_trait_records_to_refresh.record_key
    left join map_identifiers_to_profiles
        on int_identifier_occurrences.identifier_id = map_identifiers_to_profiles.identifier_id
    cross join int_as_of_date
    where int_identifier_occurrences.seen_at < int_as_of_date.as_of_end_at

),

per_profile as (

    select
        profile_id,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        max(case when is_personal then 1 else 0 end) = 1 as is_known
    from occurrences
    group by profile_id

),

final as (

    select
        per_profile.profile_id,
        per_profile.first_seen_at,
        per_profile.last_seen_at,
        per_profile.is_known,
        int_as_of_date.as_of_date as computed_as_of_date,
        int_traits_to_refresh.input_fingerprint,
        {{ profile360.load_timestamp() }} as _loaded_at
    from per_profile
    inner join int_traits_to_refresh
        on per_profile.profile_id = int_traits_to_refresh.profile_id
    cross join int_as_of_date

)

select * from final
