-- One row per (record, identifier) link that stitching did not use, with the
-- reason: the identifier is flagged (`flagged: <flag reason>`), or its links
-- were dropped to keep two customer (or loyalty) ids apart
-- (`conflict: joins customer ids <x> and <y>`, the smallest and largest of
-- the group it would have merged).

with

int_identity_links as (

    select * from {{ ref('int_identity_links') }}

),

int_identity_components as (

    select * from {{ ref('int_identity_components') }}

),

merged_anchors as (

    select
        merged_component_id,
        min(case when identifier_type = 'customer_id' then identifier_value end)
            as min_customer_id,
        max(case when identifier_type = 'customer_id' then identifier_value end)
            as max_customer_id,
        min(case when identifier_type = 'loyalty_id' then identifier_value end)
            as min_loyalty_id,
        max(case when identifier_type = 'loyalty_id' then identifier_value end)
            as max_loyalty_id
    from int_identity_components
    where node_type = 'identifier'
    group by merged_component_id

),

record_components as (

    select
        node_id,
        component_id,
        merged_component_id
    from int_identity_components
    where node_type = 'record'

),

identifier_components as (

    select
        node_id,
        component_id
    from int_identity_components
    where node_type = 'identifier'

),

conflicts as (

    select
        int_identity_links.link_id,
        case
            when merged_anchors.min_customer_id <> merged_anchors.max_customer_id
                then
                    'conflict: joins customer ids ' || merged_anchors.min_customer_id
                    || ' and ' || merged_anchors.max_customer_id
            else
                'conflict: joins loyalty ids ' || merged_anchors.min_loyalty_id
                || ' and ' || merged_anchors.max_loyalty_id
        end as reject_reason
    from int_identity_links
    inner join record_components
        on int_identity_links.record_node_id = record_components.node_id
    inner join identifier_components
        on int_identity_links.identifier_node_id = identifier_components.node_id
    inner join merged_anchors
        on record_components.merged_component_id = merged_anchors.merged_component_id
    where
        int_identity_links.is_link
        and record_components.component_id <> identifier_components.component_id

),

flagged as (

    select
        link_id,
        'flagged: ' || flag_reason as reject_reason
    from int_identity_links
    where not is_link

),

rejected as (

    select * from conflicts
    union all
    select * from flagged

),

final as (

    select
        int_identity_links.link_id,
        int_identity_links.source,
        int_identity_links.record_key,
        int_identity_links.identifier_id,
        int_identity_links.identifier_type,
        int_identity_links.identifier_value,
        rejected.reject_reason
    from rejected
    inner join int_identity_links
        on rejected.link_id = int_identity_links.link_id

)

select * from final
