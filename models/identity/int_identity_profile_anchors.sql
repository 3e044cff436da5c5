-- One row per stitched component that holds at least one record: its
-- profile_id and the anchor it is named after. The anchor is the component's
-- identifier of the strongest type (var profile360__identity_identifier_ranks),
-- earliest seen, smallest value on a tie; profile_id is that identifier's
-- identifier_id (hash of type and value), so the same data gives the same ids
-- and a profile keeps its id while its oldest strongest identifier stays in
-- it. A component of records without any linking identifier is named after
-- its smallest record.

with

int_identity_components as (

    select * from {{ ref('int_identity_components') }}

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
            order by identifier_rank, first_seen_at, identifier_value
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
        components_with_records.count_records
    from components_with_records
    left join anchors
        on components_with_records.component_id = anchors.component_id
    left join first_records
        on components_with_records.first_record_node_id = first_records.node_id

)

select * from final
