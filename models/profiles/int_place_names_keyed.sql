-- One row per place type and spelling key: the standard Vietnamese city or
-- province name that spellings with this key stand for (seeds/vn_place_names.csv,
-- keyed by place_name_key). Golden-record attributes join it by key.
with

vn_place_names as (

    select * from {{ ref('vn_place_names') }}

),

keyed as (

    select
        place_type,
        {{ profile360.place_name_key('spelling') }} as spelling_key,
        standard_name
    from vn_place_names

),

final as (

    select distinct
        {{ profile360.surrogate_key(['place_type', 'spelling_key']) }} as place_name_id,
        place_type,
        spelling_key,
        standard_name
    from keyed

)

select * from final
