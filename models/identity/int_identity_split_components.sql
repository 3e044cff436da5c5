-- The components of every split level (int_identity_split_edges), computed
-- by the project's one connected-components macro
-- (macros/identity/connected_components.sql): one row per (level,
-- identifier) of a conflicted merged component, with its part at that
-- level, named after its smallest identifier number.
{{ config(
    materialized='table',
    post_hook=profile360.identity_drop_cc_work_tables(),
) }}

with

components as (

    {{ profile360.connected_components(ref('int_identity_split_edges')) }}

),

levelled as (

    select
        node_id,
        component_id,
        stitch_rounds,
        cast(floor(node_id / {{ profile360.identity_level_factor() }}) as integer) as split_level
    from components

),

final as (

    select
        split_level,
        node_id - split_level * {{ profile360.identity_level_factor() }} as identifier_number,
        component_id - split_level * {{ profile360.identity_level_factor() }} as component_number,
        stitch_rounds
    from levelled

)

select * from final
