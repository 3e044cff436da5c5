-- The profiles whose per-profile trait state (int_purchase_state,
-- int_engagement_state, int_service_state, int_profiles_as_of) is recomputed
-- at this build: the one rule of what can have changed since the previous
-- complete build of the traits layer (the stored int_profiles_as_of, read by
-- name: it is built last), one row per profile id with a reason (the first in
-- alphabetical order when several apply) and the fingerprint of its inputs:
--   new_profile        a profile id the state does not hold;
--   profile_gone       a profile id that no longer exists (merged away,
--                      erased, split): its state rows are deleted;
--   inputs_changed     its fingerprint (int_trait_fingerprints) differs from
--                      the one its state was computed from: records added,
--                      removed or moved, occurrences, flags, the catalogue;
--   new_rows           it holds a record whose staged event, order, POS
--                      transaction, line or ticket was loaded since the
--                      previous build (int_touched_*_records);
--   window_edge        it holds a record with a time that changes side of a
--                      threshold between the previous as-of day and this one
--                      (enters the days counted, leaves a 7/30/90-day window,
--                      an order status or ticket resolution takes effect);
--   as_of_moved_back   the as-of day is before the previous one: everyone;
--   as_of_requested    the as-of day is set (var or env, the backfill):
--                      everyone;
--   full_build         no previous complete build (first build,
--                      --full-refresh, a state table missing): everyone.
{%- set spine = profile360.traits_previous_spine() %}
{#- Without a previous state every profile is listed as full_build and the
    comparisons read nothing. -#}
{%- set compare = '1 = 0' if spine is none else '1 = 1' %}

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_trait_fingerprints as (

    select * from {{ ref('int_trait_fingerprints') }}

),

int_touched_event_records as (

    select * from {{ ref('int_touched_event_records') }}

),

int_touched_transaction_records as (

    select * from {{ ref('int_touched_transaction_records') }}

),

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

previous_state as (

    {{ profile360.traits_previous_state_rows(spine) }}

),

-- Every profile, when the whole state is recomputed.
everyone_reason as (

    select
        case
            when not ({{ compare }}) then 'full_build'
            when int_as_of_date.is_requested then 'as_of_requested'
            when int_as_of_date.as_of_date < max(previous_state.computed_as_of_date)
                then 'as_of_moved_back'
        end as refresh_reason
    from int_as_of_date
    left join previous_state
        on 1 = 1
    group by int_as_of_date.as_of_date, int_as_of_date.is_requested

),

compared as (

    select
        coalesce(int_trait_fingerprints.profile_id, previous_state.profile_id) as profile_id,
        case
            when previous_state.profile_id is null then 'new_profile'
            when int_trait_fingerprints.profile_id is null then 'profile_gone'
            when int_trait_fingerprints.input_fingerprint <> previous_state.input_fingerprint
                then 'inputs_changed'
        end as refresh_reason
    from int_trait_fingerprints
    full outer join previous_state
        on int_trait_fingerprints.profile_id = previous_state.profile_id

),

everyone as (

    select
        compared.profile_id,
        everyone_reason.refresh_reason
    from compared
    cross join everyone_reason
    where everyone_reason.refresh_reason is not null

),

changed as (

    select
        profile_id,
        refresh_reason
    from compared
    where {{ compare }} and refresh_reason is not null

),

touched_records as (

    select
        record_id,
        touch_reason
    from int_touched_event_records
    union all
    select
        record_id,
        touch_reason
    from int_touched_transaction_records

),

touched as (

    select
        map_records_to_profiles.profile_id,
        touched_records.touch_reason as refresh_reason
    from touched_records
    inner join map_records_to_profiles
        on touched_records.record_id = map_records_to_profiles.record_id

),

unioned as (

    select * from everyone
    union all
    select * from changed
    union all
    select * from touched

),

reasons as (

    select
        profile_id,
        min(refresh_reason) as refresh_reason
    from unioned
    where profile_id is not null
    group by profile_id

),

final as (

    select
        reasons.profile_id,
        reasons.refresh_reason,
        int_trait_fingerprints.input_fingerprint
    from reasons
    left join int_trait_fingerprints
        on reasons.profile_id = int_trait_fingerprints.profile_id

)

select * from final
