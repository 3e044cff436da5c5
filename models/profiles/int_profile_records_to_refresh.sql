-- The records of the profiles recomputed at this build
-- (int_profiles_to_refresh): map_records_to_profiles restricted to them on
-- an incremental build, all of it when every profile is recomputed. A view:
-- the models that read it filter the record map through it, so the rule of
-- which profiles are recomputed is applied in one place.
{{ config(materialized='view') }}
-- depends_on: {{ ref('int_profiles_to_refresh') }}

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
    where {{ profile360.layer_to_refresh('profiles', 'profile_id') }}

)

select * from final
