-- One row: the day every trait and segment is computed as of, and the
-- instant that day ends. Events at or after as_of_end_at do not exist for
-- the trait models (point in time: a backfilled day never sees later data).
-- The day is var profile360__as_of_date when set (the backfill sets it per
-- day), else the latest day any record was seen (deterministic demo results),
-- but never after the newest admitted drop: a row may tell of a time up to
-- the var profile360__future_timestamp_tolerance_hours after its drop day
-- ends (later ones are quarantined, future_timestamp) and must not move the
-- as-of day past the newest drop.

with

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

newest_drop as (

    select max(drop_date) as drop_date
    from {{ ref('stg_landing__files') }}
    where status = 'admitted'

),

chosen as (

    {%- set override = profile360.as_of_date_override() %}
    {%- if override is not none %}
        select cast('{{ override }}' as date) as as_of_date
    {%- else %}
        select
            least(
                cast(max(map_identifiers_to_profiles.last_seen_at) as date),
                coalesce(
                    max(newest_drop.drop_date),
                    cast(max(map_identifiers_to_profiles.last_seen_at) as date)
                )
            ) as as_of_date
        from map_identifiers_to_profiles
        cross join newest_drop
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
