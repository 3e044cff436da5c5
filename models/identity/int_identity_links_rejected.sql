-- One row per (record, identifier) link that stitching did not use, with the
-- reason: the identifier is flagged (`flagged: <flag reason>`), or its links
-- were dropped to split a group over a per-profile limit
-- (var profile360__identity_max_per_profile), named after the strongest
-- type over its limit: `conflict: joins customer ids <x> and <y>`, the
-- smallest and largest of the group it would have merged, with
-- `(<n> in all, limit <l>)` when more than two.
{%- set limits = var('profile360__identity_max_per_profile') %}
{%- set limited_types = [] %}
{%- for identifier_type in var('profile360__identity_identifier_ranks')
    if identifier_type in limits %}
    {%- do limited_types.append(identifier_type) %}
{%- endfor %}
-- Incremental (macros/identity/incremental.sql, identity_restitched): a
-- build rewrites only the links of records whose component or links changed
-- since its previous build (a limit conflict lies inside one merged group,
-- which is re-stitched whole; a flag reason is on the rewritten link).
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'work', 'keys': [['(source, record_key)', 'source, record_key']]},
) }}
-- depends_on: {{ ref('int_identifier_occurrences') }}
{%- set scoped = profile360.identity_restitched_scope(
    'records', '(source, record_key)', 'source, record_key', 'select source, record_key from ' ~ this) %}

with

int_identity_links as (

    select * from {{ ref('int_identity_links') }}
    where {{ scoped }}

),

int_identity_components as (

    select * from {{ ref('int_identity_components') }}

),

merged_counts as (

    select
        {%- for identifier_type in limited_types %}
            count(distinct case
                when identifier_type = '{{ identifier_type }}'
                    then identifier_value
            end) as count_{{ identifier_type }},
            min(case when identifier_type = '{{ identifier_type }}' then identifier_value end)
                as min_{{ identifier_type }},
            max(case when identifier_type = '{{ identifier_type }}' then identifier_value end)
                as max_{{ identifier_type }},
        {%- endfor %}
        merged_component_id
    from int_identity_components
    where node_type = 'identifier' and is_split
    group by merged_component_id

),

record_components as (

    select
        node_id,
        component_id,
        merged_component_id
    from int_identity_components
    -- only split components can hold a link dropped for a limit
    where node_type = 'record' and is_split

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
            {%- for identifier_type in limited_types %}
                when merged_counts.count_{{ identifier_type }} > {{ limits[identifier_type] | int }}
                    then
                        'conflict: joins {{ identifier_type | replace('_', ' ') }}s '
                        || merged_counts.min_{{ identifier_type }} || ' and '
                        || merged_counts.max_{{ identifier_type }}
                        || case
                            when merged_counts.count_{{ identifier_type }} > 2
                                then ' (' || cast(
                                    merged_counts.count_{{ identifier_type }}
                                    as {{ dbt.type_string() }}
                                )
                                || ' in all, limit {{ limits[identifier_type] | int }})'
                            else ''
                        end
            {%- endfor %}
        end as reject_reason
    from int_identity_links
    inner join record_components
        on int_identity_links.record_node_id = record_components.node_id
    inner join identifier_components
        on int_identity_links.identifier_node_id = identifier_components.node_id
    inner join merged_counts
        on record_components.merged_component_id = merged_counts.merged_component_id
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
        rejected.reject_reason,
        {{ profile360.load_timestamp() }} as _loaded_at
    from rejected
    inner join int_identity_links
        on rejected.link_id = int_identity_links.link_id

)

select * from final
