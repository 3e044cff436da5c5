-- One row per profile seen by the as-of day: customer-service traits from
-- support tickets opened before as_of_end_at.
--   tickets_total / tickets_90d   tickets opened (ever / last 90 days)
--   open_tickets                  opened and not resolved by the end of the
--                                 as-of day (resolved later counts as open)
--   avg_csat                      mean CSAT (1-5) of tickets resolved by then
--   last_contact_at               latest ticket opening
-- The counts come from int_service_state (recomputed only for the profiles
-- int_traits_to_refresh lists); days since the last contact are computed
-- here, at read time, from the as-of day.

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_profiles_as_of as (

    select * from {{ ref('int_profiles_as_of') }}

),

int_service_state as (

    select * from {{ ref('int_service_state') }}

),

final as (

    select
        int_profiles_as_of.profile_id,
        int_as_of_date.as_of_date,
        cast(coalesce(int_service_state.tickets_total, 0) as {{ dbt.type_int() }}) as tickets_total,
        cast(coalesce(int_service_state.tickets_90d, 0) as {{ dbt.type_int() }}) as tickets_90d,
        cast(coalesce(int_service_state.open_tickets, 0) as {{ dbt.type_int() }}) as open_tickets,
        cast(int_service_state.avg_csat as {{ dbt.type_float() }}) as avg_csat,
        int_service_state.last_contact_at,
        cast(
            {{ profile360.days_before_as_of(
                'int_service_state.last_contact_at', 'int_as_of_date.as_of_date'
            ) }}
            as {{ dbt.type_int() }}
        ) as days_since_last_contact
    from int_profiles_as_of
    left join int_service_state
        on int_profiles_as_of.profile_id = int_service_state.profile_id
    cross join int_as_of_date

)

select * from final
