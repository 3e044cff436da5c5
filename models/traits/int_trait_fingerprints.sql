-- One row per current profile: a fingerprint of everything the traits layer
-- reads about it apart from the staged event, order and ticket rows (those
-- are found by their _loaded_at): the profiles layer's fingerprint of its
-- records, identifier occurrences with their times and linked identifiers
-- (int_profile_fingerprints), the flagged identifiers on its records (a
-- flagged identifier names no person: is_known) and the product catalogue
-- (categories: favourite_category). int_traits_to_refresh compares it with
-- the fingerprint each profile's state was computed from; equal fingerprints
-- mean equal inputs. A merge, split, erasure or new record changes it.

with

int_profile_fingerprints as (

    select * from {{ ref('int_profile_fingerprints') }}

),

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

stg_catalog__products as (

    select * from {{ ref('stg_catalog__products') }}

),

profiles as (

    select
        fingerprint_key as profile_id,
        fingerprint
    from int_profile_fingerprints
    where fingerprint_kind = 'profile'

),

flagged as (

    select identifier_id
    from map_identifiers_to_profiles
    where is_flagged

),

flag_parts as (

    select
        map_records_to_profiles.profile_id,
        {{ profile360.fingerprint_sum(["'flagged'", 'int_identifier_occurrences.occurrence_id']) }}
            as part_fingerprint
    from int_identifier_occurrences
    inner join flagged
        on int_identifier_occurrences.identifier_id = flagged.identifier_id
    inner join map_records_to_profiles
        on
            int_identifier_occurrences.source = map_records_to_profiles.source
            and int_identifier_occurrences.record_key = map_records_to_profiles.record_key
    group by map_records_to_profiles.profile_id

),

catalog as (

    select
        cast(
            coalesce({{ profile360.fingerprint_sum(["'catalog'", 'product_id', 'category']) }}, 0)
            as {{ dbt.type_string() }}
        ) as fingerprint
    from stg_catalog__products

),

final as (

    select
        profiles.profile_id,
        profiles.fingerprint
        || '|' || cast(coalesce(flag_parts.part_fingerprint, 0) as {{ dbt.type_string() }})
        || '|' || catalog.fingerprint as input_fingerprint
    from profiles
    left join flag_parts
        on profiles.profile_id = flag_parts.profile_id
    cross join catalog

)

select * from final
