-- One row per profile seen by the as-of day: customer-service traits from
-- support tickets opened before as_of_end_at.
--   tickets_total / tickets_90d   tickets opened (ever / last 90 days)
--   open_tickets                  opened and not resolved by the end of the
--                                 as-of day (resolved later counts as open)
--   avg_csat                      mean CSAT (1-5) of tickets resolved by then
--   last_contact_at               latest ticket opening

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_profiles_as_of as (

    select * from {{ ref('int_profiles_as_of') }}

),

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

stg_support__tickets as (

    select * from {{ ref('stg_support__tickets') }}

),

tickets as (

    select
        map_records_to_profiles.profile_id,
        stg_support__tickets.opened_at,
        {{ profile360.days_before_as_of(
            'stg_support__tickets.opened_at', 'int_as_of_date.as_of_date'
        ) }}
            as days_before_as_of,
        stg_support__tickets.resolved_at is not null
        and stg_support__tickets.resolved_at < int_as_of_date.as_of_end_at as is_resolved,
        stg_support__tickets.csat_score
    from stg_support__tickets
    inner join map_records_to_profiles
        on
            map_records_to_profiles.source = 'support_tickets'
            and stg_support__tickets.ticket_id = map_records_to_profiles.record_key
    cross join int_as_of_date
    where stg_support__tickets.opened_at < int_as_of_date.as_of_end_at

),

per_profile as (

    select
        profile_id,
        count(*) as tickets_total,
        sum(case when days_before_as_of < 90 then 1 else 0 end) as tickets_90d,
        sum(case when is_resolved then 0 else 1 end) as open_tickets,
        avg(case when is_resolved then csat_score end) as avg_csat,
        max(opened_at) as last_contact_at
    from tickets
    group by profile_id

),

final as (

    select
        int_profiles_as_of.profile_id,
        int_profiles_as_of.as_of_date,
        cast(coalesce(per_profile.tickets_total, 0) as {{ dbt.type_int() }}) as tickets_total,
        cast(coalesce(per_profile.tickets_90d, 0) as {{ dbt.type_int() }}) as tickets_90d,
        cast(coalesce(per_profile.open_tickets, 0) as {{ dbt.type_int() }}) as open_tickets,
        cast(per_profile.avg_csat as {{ dbt.type_float() }}) as avg_csat,
        per_profile.last_contact_at,
        cast(
            {{ profile360.days_before_as_of(
                'per_profile.last_contact_at', 'int_profiles_as_of.as_of_date'
            ) }}
            as {{ dbt.type_int() }}
        ) as days_since_last_contact
    from int_profiles_as_of
    left join per_profile
        on int_profiles_as_of.profile_id = per_profile.profile_id

)

select * from final
