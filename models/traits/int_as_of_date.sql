-- One row: the day every trait and segment is computed as of, and the
-- instant that day ends. Events at or after as_of_end_at do not exist for
-- the trait models (point in time: a backfilled day never sees later data).
-- The day is var profile360__as_of_date when set (the backfill sets it per
-- day), else the latest day any record was seen (deterministic demo results).

with

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

chosen as (

    {%- set override = profile360.as_of_date_override() %}
    {%- if override is not none %}
        select cast('{{ override }}' as date) as as_of_date
    {%- else %}
        select cast(max(last_seen_at) as date) as as_of_date
        from map_identifiers_to_profiles
    {%- endif %}

),

final as (

    select
        as_of_date,
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as {{ dbt.type_timestamp() }})
            as as_of_end_at,
        {{ 'true' if override is not none else 'false' }} as is_requested
    from chosen

)

select * from final
