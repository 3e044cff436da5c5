-- The records whose engagement events or identifier occurrences can have
-- changed a trait since the previous build of the traits layer (one row per
-- record and reason, source and record_key as in map_records_to_profiles):
--   new_rows     the staged event was loaded after the previous build
--                (_loaded_at), so a failed or skipped build catches up;
--   window_edge  its time changes side of a threshold between the previous
--                as-of day and this one: the event enters the days counted
--                (it is before the end of the new day, not of the old one) or
--                leaves a 7, 30 or 90-day window; an identifier occurrence
--                enters the days counted (first and last seen, is_known).
-- Only those two ranges of days are read (constant timestamp ranges, see
-- traits_time_crossed()). One row per record (new_rows first when both
-- apply); no rows when every profile is recomputed.
{%- set previous = profile360.traits_previous_build(ref('int_as_of_date')) %}
{%- set windows = profile360.trait_windows() %}
{%- set sources = [
    ('web_events', 'stg_web__events'), ('app_events', 'stg_app__events'),
    ('email_events', 'stg_email__events'), ('zalo_events', 'stg_zalo__events'),
] %}

with

{%- for source, model in sources %}

    {{ model }} as (

        select * from {{ ref(model) }}

    ),
{%- endfor %}

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

events as (

    {%- for source, model in sources %}
        {{ 'union all' if not loop.first }}
        {{ profile360.traits_touched_rows(previous, source, 'event_id', model,
            [('event_at', windows)]) }}
    {%- endfor %}

),

occurrences as (

    select distinct
        source,
        record_key,
        'window_edge' as touch_reason
    from int_identifier_occurrences
    where {{ profile360.traits_time_crossed(previous, 'seen_at') }}

),

unioned as (

    select * from events
    union all
    select * from occurrences

),

final as (

    select
        {{ profile360.surrogate_key(['source', 'record_key']) }} as record_id,
        source,
        record_key,
        min(touch_reason) as touch_reason
    from unioned
    group by source, record_key

)

select * from final
