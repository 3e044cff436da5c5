-- What the profiles layer reads, fingerprinted, as of this build: one row
-- per current profile (kind `profile`: a hash-sum over its records, the
-- identifier occurrences of those records with their times, the identifiers
-- linked to it, and the CRM, loyalty and order values the golden record
-- takes from its records) and one per flagged identifier (kind
-- `flagged_identifier`: a flagged e-mail or phone is no contact point of the
-- profiles whose records carry it). int_profiles_to_refresh compares these
-- rows with the ones of the previous complete build (int_profile_build_state):
-- equal fingerprints mean equal inputs, so the profile need not be recomputed.
-- Rebuilt at every build: one pass over the record map and the occurrences,
-- without the joins, windows and string aggregation of the models it saves.

with

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

-- Each part hashes a tag first, so equal values in two parts never cancel.
record_parts as (

    select
        profile_id,
        {{ profile360.fingerprint_sum(["'record'", 'record_id']) }} as part_fingerprint
    from map_records_to_profiles
    group by profile_id

),

occurrence_parts as (

    select
        map_records_to_profiles.profile_id,
        {{ profile360.fingerprint_sum([
            "'occurrence'",
            'int_identifier_occurrences.occurrence_id',
            'int_identifier_occurrences.seen_at',
        ]) }} as part_fingerprint
    from int_identifier_occurrences
    inner join map_records_to_profiles
        on
            int_identifier_occurrences.source = map_records_to_profiles.source
            and int_identifier_occurrences.record_key = map_records_to_profiles.record_key
    group by map_records_to_profiles.profile_id

),

identifier_parts as (

    select
        profile_id,
        {{ profile360.fingerprint_sum(["'identifier'", 'identifier_id']) }} as part_fingerprint
    from map_identifiers_to_profiles
    where profile_id is not null
    group by profile_id

),

-- CRM, loyalty and order values: the columns the candidates take
-- (profile_attribute_sources(), macros/profiles/profile_attributes.sql).
attribute_parts as (

    {{ profile360.profile_attribute_fingerprints('map_records_to_profiles') }}

),

parts as (

    select * from record_parts
    union all
    select * from occurrence_parts
    union all
    select * from identifier_parts
    union all
    select * from attribute_parts

),

profiles as (

    select
        'profile' as fingerprint_kind,
        profile_id as fingerprint_key,
        cast(sum(part_fingerprint) as {{ dbt.type_string() }}) as fingerprint
    from parts
    group by profile_id

),

flagged_identifiers as (

    select
        'flagged_identifier' as fingerprint_kind,
        identifier_id as fingerprint_key,
        cast(null as {{ dbt.type_string() }}) as fingerprint
    from map_identifiers_to_profiles
    where is_flagged

),

unioned as (

    select * from profiles
    union all
    select * from flagged_identifiers

),

final as (

    select
        fingerprint_kind || ':' || fingerprint_key as fingerprint_id,
        fingerprint_kind,
        fingerprint_key,
        fingerprint
    from unioned

)

select * from final
