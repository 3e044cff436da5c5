{#-
    One row per node of the identity graph as the rest of identity reads it:
    every staged record carrying a valid identifier, and every identifier
    that links records (valid, not flagged), with its connected component.
    Stitching runs on the identifier graph (int_identity_graph_edges:
    identifiers numbered as integers, a record links its identifiers);
    records get their component back here, from their strongest linking
    identifier. The components come from two computations of the one
    connected-components macro: int_identity_merged_components (every link)
    and int_identity_split_components (the split levels of the components
    over a limit, int_identity_split_edges). This model picks, for each
    identifier of a split component, the highest level whose part breaks no
    limit (var profile360__identity_max_per_profile; level 1, the strongest
    type alone, is kept even over a limit), and names components after their
    smallest node id (text), so the numbers never show.

    Incremental (docs/identity.md, "Incremental builds"): the components are
    recomputed over the whole identifier graph at every build (small: a
    few identifiers per person), but a build rewrites only the rows of the
    groups that hold a record or identifier re-derived since the previous
    build (the change log int_identifier_occurrences__changes) or a record
    linked to such an identifier, and the new records and identifiers;
    their stored nodes are deleted (pre-hook) and the new result appended,
    so the models downstream redo only those groups. Without a previous
    build, after a full refresh of the occurrences, or with --full-refresh,
    every node is written; both paths give the same rows.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ profile360.identity_delete_scope('node_id', 'node_id') }}",
    post_hook=[
        "{{ profile360.identity_drop_table(profile360.identity_work_relation('scope')) }}",
        "{{ profile360.identity_drop_table(profile360.identity_work_relation('scope_seeds')) }}",
    ],
) }}
-- depends_on: {{ ref('int_identifier_occurrences') }}
{%- set links = ref('int_identity_links') %}
{%- set scoped = {'on': false} %}
{%- if profile360.staging_is_incremental() %}
    {%- set scope_nodes = profile360.identity_scope_nodes(links) %}
    {%- if scope_nodes is not none %}
        {%- set links = '(select * from ' ~ ref('int_identity_links')
            ~ ' where record_node_id in (select node_id from ' ~ scope_nodes
            ~ ')) as scoped_links' %}
        {%- do scoped.update({'on': true}) %}
    {%- endif %}
{%- endif %}
{%- set limits = var('profile360__identity_max_per_profile') %}
{%- set top_level = profile360.identity_ranked_types() | length %}

with

int_identity_links as (

    select * from {{ links }}

),

int_identity_identifier_numbers as (

    select * from {{ ref('int_identity_identifier_numbers') }}

),

int_identity_merged_components as (

    select * from {{ ref('int_identity_merged_components') }}

),

int_identity_split_components as (

    select * from {{ ref('int_identity_split_components') }}

),

int_identifiers_flagged as (

    select * from {{ ref('int_identifiers_flagged') }}

),

-- Each part of each split level, and whether it is kept: within every
-- limit, or level 0 (an identifier alone), or level 1 (the strongest type's
-- links are never dropped).
split_parts as (

    select
        int_identity_split_components.split_level,
        int_identity_split_components.component_number,
        int_identity_split_components.split_level <= 1
        or not (
            {%- for identifier_type, limit in limits.items() %}
                {% if not loop.first %}or {% endif -%}
                count(distinct case
                    when int_identity_identifier_numbers.identifier_type = '{{ identifier_type }}'
                        then int_identity_identifier_numbers.identifier_number
                end) > {{ limit | int }}
            {%- endfor %}
        ) as is_kept
    from int_identity_split_components
    inner join int_identity_identifier_numbers
        on
            int_identity_split_components.identifier_number
            = int_identity_identifier_numbers.identifier_number
    group by
        int_identity_split_components.split_level, int_identity_split_components.component_number

),

-- Parts only shrink from one level to the next lower one, so the highest
-- kept level is where splitting stops for an identifier's part.
identifier_levels as (

    select
        int_identity_split_components.identifier_number,
        max(int_identity_split_components.split_level) as split_level
    from int_identity_split_components
    inner join split_parts
        on
            int_identity_split_components.split_level = split_parts.split_level
            and int_identity_split_components.component_number = split_parts.component_number
    where split_parts.is_kept
    group by int_identity_split_components.identifier_number

),

identifier_parts as (

    select
        int_identity_split_components.identifier_number,
        int_identity_split_components.split_level,
        int_identity_split_components.component_number
    from int_identity_split_components
    inner join identifier_levels
        on
            int_identity_split_components.identifier_number = identifier_levels.identifier_number
            and int_identity_split_components.split_level = identifier_levels.split_level

),

identifier_labels as (

    select
        int_identity_identifier_numbers.identifier_id,
        int_identity_identifier_numbers.identifier_number,
        int_identity_merged_components.component_number as merged_number,
        coalesce(identifier_parts.split_level, {{ top_level }}) as final_level,
        coalesce(identifier_parts.component_number, int_identity_merged_components.component_number)
            as final_number
    from int_identity_identifier_numbers
    inner join int_identity_merged_components
        on
            int_identity_identifier_numbers.identifier_number
            = int_identity_merged_components.identifier_number
    left join identifier_parts
        on int_identity_identifier_numbers.identifier_number = identifier_parts.identifier_number

),

-- A merged component stitched into more than one final component (its
-- records follow its identifiers, so the identifiers tell).
split_merged as (

    select merged_number
    from identifier_labels
    group by merged_number
    having count(distinct final_level * {{ profile360.identity_level_factor() }} + final_number) > 1

),

-- Components are named after their smallest node id, as text: the same
-- names whatever numbers the dictionary gave.
named_identifiers as (

    select
        identifier_labels.identifier_id,
        identifier_labels.identifier_number,
        identifier_labels.final_level,
        min('i|' || identifier_labels.identifier_id) over (
            partition by identifier_labels.final_level, identifier_labels.final_number
        ) as component_id,
        min('i|' || identifier_labels.identifier_id) over (
            partition by identifier_labels.merged_number
        ) as merged_component_id,
        split_merged.merged_number is not null as is_split
    from identifier_labels
    left join split_merged
        on identifier_labels.merged_number = split_merged.merged_number

),

-- One pass over the links: each record, when first seen, and its strongest
-- linking identifier (lowest rank, then number), which is in its component
-- at every level where it has a link at all.
record_nodes as (

    select
        int_identity_links.record_node_id as node_id,
        'record' as node_type,
        int_identity_links.source,
        int_identity_links.record_key,
        cast(null as {{ dbt.type_string() }}) as identifier_id,
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_string() }}) as identifier_value,
        cast(null as integer) as identifier_rank,
        min(int_identity_links.first_seen_at) as first_seen_at,
        min(case
            when int_identity_links.is_link
                then
                    int_identity_links.identifier_rank * {{ profile360.identity_level_factor() }}
                    + int_identity_identifier_numbers.identifier_number
        end) as strongest_key
    from int_identity_links
    left join int_identity_identifier_numbers
        on int_identity_links.identifier_id = int_identity_identifier_numbers.identifier_id
    group by
        int_identity_links.record_node_id, int_identity_links.source, int_identity_links.record_key

),

-- The identifiers linked by the records written (all of them on a full
-- build), described once by their flag rows.
identifier_nodes as (

    select
        'i|' || int_identifiers_flagged.identifier_id as node_id,
        'identifier' as node_type,
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as record_key,
        int_identifiers_flagged.identifier_id,
        int_identifiers_flagged.identifier_type,
        int_identifiers_flagged.identifier_value,
        {{ profile360.identity_identifier_rank('int_identifiers_flagged.identifier_type') }}
            as identifier_rank,
        int_identifiers_flagged.first_seen_at
    from int_identifiers_flagged
    inner join int_identity_identifier_numbers
        on int_identifiers_flagged.identifier_id = int_identity_identifier_numbers.identifier_id
    -- Only the identifiers of the scope's links on a scoped build.
    where
        not {{ scoped.on }}
        or int_identifiers_flagged.identifier_id in (
            select scoped.identifier_id
            from int_identity_links as scoped
            where scoped.is_link
        )

),

-- A record whose strongest identifier was left alone (level 0) lost every
-- link: it is a component of its own, as is a record without a linking
-- identifier.
labelled_records as (

    select
        record_nodes.node_id,
        record_nodes.node_type,
        record_nodes.source,
        record_nodes.record_key,
        record_nodes.identifier_id,
        record_nodes.identifier_type,
        record_nodes.identifier_value,
        record_nodes.identifier_rank,
        record_nodes.first_seen_at,
        case
            when named_identifiers.final_level > 0 then named_identifiers.component_id
            else record_nodes.node_id
        end as component_id,
        coalesce(named_identifiers.merged_component_id, record_nodes.node_id)
            as merged_component_id,
        coalesce(named_identifiers.is_split, false) as is_split
    from record_nodes
    left join named_identifiers
        on
            record_nodes.strongest_key
            - cast(
                floor(record_nodes.strongest_key / {{ profile360.identity_level_factor() }})
                as {{ dbt.type_bigint() }}
            ) * {{ profile360.identity_level_factor() }}
            = named_identifiers.identifier_number

),

labelled_identifiers as (

    select
        identifier_nodes.*,
        named_identifiers.component_id,
        named_identifiers.merged_component_id,
        named_identifiers.is_split
    from identifier_nodes
    inner join named_identifiers
        on identifier_nodes.identifier_id = named_identifiers.identifier_id

),

labelled as (

    select * from labelled_records
    union all
    select * from labelled_identifiers

),

stitch_stats as (

    select
        max(stitch_rounds) as merged_rounds,
        (select max(split.stitch_rounds) from int_identity_split_components as split)
            as split_rounds
    from int_identity_merged_components

),

final as (

    select
        labelled.node_id,
        labelled.node_type,
        labelled.source,
        labelled.record_key,
        labelled.identifier_id,
        labelled.identifier_type,
        labelled.identifier_value,
        labelled.identifier_rank,
        labelled.first_seen_at,
        labelled.component_id,
        labelled.merged_component_id,
        labelled.is_split,
        coalesce(stitch_stats.merged_rounds, 0)
        + coalesce(stitch_stats.split_rounds, 0) as stitch_rounds,
        case when stitch_stats.split_rounds is null then 1 else 2 end as stitch_passes,
        greatest(coalesce(stitch_stats.merged_rounds, 0), coalesce(stitch_stats.split_rounds, 0))
            as stitch_max_pass_rounds,
        {{ profile360.load_timestamp() }} as _loaded_at
    from labelled
    cross join stitch_stats

)

select * from final
