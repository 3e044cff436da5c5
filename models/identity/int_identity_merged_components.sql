-- One row per node of the identifier graph (int_identity_graph_edges) and
-- its connected component before any split: component_number is the
-- smallest identifier number of the component. Computed by the project's
-- one connected-components macro (macros/identity/connected_components.sql).
{{ config(
    materialized='table',
    post_hook=profile360.identity_drop_cc_work_tables(),
) }}

with

components as (

    {{ profile360.connected_components(ref('int_identity_graph_edges')) }}

),

final as (

    select
        node_id as identifier_number,
        component_id as component_number,
        stitch_rounds
    from components

)

select * from final
