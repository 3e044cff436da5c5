-- One row per profile seen by the as-of day (its first record before
-- as_of_end_at): the spine every trait family has one row per. is_known says
-- whether, by then, it carried an identifier that names a person (customer,
-- loyalty, e-mail, phone or Zalo id, unflagged); a profile with cookies and
-- devices only is anonymous.

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

occurrences as (

    select
        map_records_to_profiles.profile_id,
        int_identifier_occurrences.seen_at,
        int_identifier_occurrences.identifier_type in (
            'customer_id', 'loyalty_id', 'email', 'phone', 'zalo_user_id'
        )
        and coalesce(not map_identifiers_to_profiles.is_flagged, false) as is_personal
    from int_identifier_occurrences
    inner join map_records_to_profiles
        on
            int_identifier_occurrences.source = map_records_to_profiles.source
            and int_identifier_occurrences.record_key = map_records_to_profiles.record_key
    left join map_identifiers_to_profiles
        on int_identifier_occurrences.identifier_id = map_identifiers_to_profiles.identifier_id
    cross join int_as_of_date
    where int_identifier_occurrences.seen_at < int_as_of_date.as_of_end_at

),

final as (

    select
        occurrences.profile_id,
        int_as_of_date.as_of_date,
        min(occurrences.seen_at) as first_seen_at,
        max(occurrences.seen_at) as last_seen_at,
        max(case when occurrences.is_personal then 1 else 0 end) = 1 as is_known
    from occurrences
    cross join int_as_of_date
    group by occurrences.profile_id, int_as_of_date.as_of_date

)

select * from final
