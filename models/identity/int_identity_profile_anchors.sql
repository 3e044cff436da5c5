-- One row per stitched component that holds at least one record: its
-- profile_id and the anchor it is named after. The anchor is the component's
-- earliest-seen linking identifier (on a tie the strongest type, var
-- profile360__identity_identifier_ranks, then the smallest value); profile_id
-- is that identifier's identifier_id (hash of type and value). So:
--   - the same data gives the same ids (a pure function of the data, which
--     is also why an incremental build and a full refresh agree);
--   - new data adds identifiers seen later, which never displace the anchor:
--     a profile keeps its id until it merges or splits;
--   - when two profiles merge, the older one (earliest first seen) gives its
--     id to the merged profile; when one splits, the part holding the anchor
--     keeps the id and the others are named after their own oldest
--     identifier. fct_profile_id_changes logs both.
-- Only late rows, older than the anchor, can rename a profile; the log shows
-- that as a `renamed` change. A component of records without any linking
-- identifier is named after its smallest record.
-- Incremental (macros/identity/incremental.sql, identity_restitched): a
-- build recomputes only the components stitching rewrote since its previous
-- build (a component's anchor depends on its own nodes only) and deletes
-- the rows of components that no longer exist.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'work', 'keys': [['component_id', 'node_id']]},
) }}
-- depends_on: {{ ref('int_identifier_occurrences') }} {{ ref('int_identity_links') }}
{%- set scoped = profile360.identity_restitched_scope(
    'nodes', 'component_id', 'node_id', 'select component_id as node_id from ' ~ this) %}

with

int_identity_components as (

    select * from {{ ref('int_identity_components') }}
    where {{ scoped }}

),

components_with_records as (

    select
        component_id,
        min(node_id) as first_record_node_id,
        count(*) as count_records
    from int_identity_components
    where node_type = 'record'
    group by component_id

),

ranked_identifiers as (

    select
        component_id,
        identifier_id,
        identifier_type,
        identifier_value,
        row_number() over (
            partition by component_id
            order by
                case
                    when {{ profile360.identity_is_session_type('identifier_type') }} then 1 else 0
                end,
                first_seen_at, identifier_rank, identifier_value
        ) as anchor_order
    from int_identity_components
    where node_type = 'identifier'

),

anchors as (

    select * from ranked_identifiers
    where anchor_order = 1

),

first_records as (

    select
        node_id,
        source,
        record_key
    from int_identity_components
    where node_type = 'record'

),

final as (

    select
        components_with_records.component_id,
        coalesce(
            anchors.identifier_id,
            {{ profile360.surrogate_key(["'record'", 'first_records.source',
                'first_records.record_key']) }}
        ) as profile_id,
        coalesce(anchors.identifier_type, 'record') as anchor_type,
        coalesce(
            anchors.identifier_value, first_records.source || '|' || first_records.record_key
        ) as anchor_value,
        components_with_records.count_records,
        {{ profile360.load_timestamp() }} as _loaded_at
    from components_with_records
    left join anchors
        on components_with_records.component_id = anchors.component_id
    left join first_records
        on components_with_records.first_record_node_id = first_records.node_id

)

select * from final
