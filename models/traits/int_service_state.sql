-- One row per profile with a support ticket opened before the end of the
-- as-of day (of the profiles recomputed at this build, int_traits_to_refresh):
-- the ticket counts, open tickets, CSAT and last contact trait_service
-- publishes, computed as of the day from the tickets of those profiles only.
-- Days since the last contact move with the as-of day for everyone and are
-- computed at read time by trait_service. The 90-day count and the open
-- tickets change only when a ticket leaves the window or its resolution takes
-- effect, which int_traits_to_refresh lists (window_edge). Incremental: the
-- rows of the listed profiles are deleted, then recomputed.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'traits', 'keys': [['profile_id', 'profile_id']]},
) }}
-- depends_on: {{ ref('int_engagement_state') }}

with

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

int_trait_records_to_refresh as (

    select * from {{ ref('int_trait_records_to_refresh') }}

),

stg_support__tickets as (

    select * from {{ ref('stg_support__tickets') }}

),

tickets as (

    select
        int_trait_records_to_refresh.profile_id,
        stg_support__tickets.opened_at,
        {{ profile360.days_before_as_of(
            'stg_support__tickets.opened_at', 'int_as_of_date.as_of_date'
        ) }}
            as days_before_as_of,
        stg_support__tickets.resolved_at is not null
        and stg_support__tickets.resolved_at < int_as_of_date.as_of_end_at as is_resolved,
        stg_support__tickets.csat_score
    from stg_support__tickets
    inner join int_trait_records_to_refresh
        on
            int_trait_records_to_refresh.source = 'support_tickets'
            and stg_support__tickets.ticket_id = int_trait_records_to_refresh.record_key
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
        profile_id,
        cast(tickets_total as {{ dbt.type_int() }}) as tickets_total,
        cast(tickets_90d as {{ dbt.type_int() }}) as tickets_90d,
        cast(open_tickets as {{ dbt.type_int() }}) as open_tickets,
        cast(avg_csat as {{ dbt.type_float() }}) as avg_csat,
        last_contact_at,
        {{ profile360.load_timestamp() }} as _loaded_at
    from per_profile

)

select * from final
