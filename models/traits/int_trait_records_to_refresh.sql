-- The records of the profiles whose trait state is recomputed at this build
-- (int_traits_to_refresh): map_records_to_profiles restricted to them on an
-- incremental build, all of it when every profile is recomputed. The
-- event-grain models (int_engagement_events_as_of, int_purchases_as_of,
-- int_service_state, int_profiles_as_of) read the record map through it, so
-- the rule of which profiles are recomputed is applied in one place. A table,
-- not a view: the small list of records is then the build side of the joins
-- with the event tables and the occurrences (as a view, DuckDB joined every
-- event with the whole record map before filtering the profiles).
-- depends_on: {{ ref('int_traits_to_refresh') }}

with

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

final as (

    select
        record_id,
        source,
        record_key,
        profile_id
    from map_records_to_profiles
    where {{ profile360.layer_to_refresh('traits', 'profile_id') }}

)

select * from final
