{#-
    One row per node of the identity graph: every staged record carrying a
    valid identifier, and every identifier that links records (valid, not
    flagged), with its connected component. Computed in rounds by the macro
    identity_connected_components() (macros/identity/connected_components.sql),
    driven from here; the SQL below only prepares the graph and reads the
    result. A component holding more identifiers of a type than
    var profile360__identity_max_per_profile allows (two customer ids, two
    loyalty ids, a dozen e-mails...) is split by dropping its weakest
    identifier type's links and recomputing, one type at a time (var
    profile360__identity_identifier_ranks), until no component breaks a
    limit or only the strongest type links.

    Incremental (docs/identity.md, "Incremental builds"): components are
    computed per group as merged before any split, and each group's result
    depends on its own links only. A build re-stitches only the groups that
    hold a record or identifier re-derived since the previous build (the
    change log int_identifier_occurrences__changes) or a record linked to
    such an identifier (its flag may have changed), and the new records and
    identifiers; their stored nodes are deleted (pre-hook) and the new
    result appended. The other groups keep their rows. Without a previous
    build, after a full refresh of the occurrences, or with --full-refresh,
    the whole graph is stitched; both paths give the same components.
-#}
-- The Jinja below drives the stitching rounds; sqlfluff cannot lay out its
-- two renderings (with and without a graph) at once.
-- noqa: disable=LT02
{%- set work_tables = ['links_kept', 'nodes', 'labels', 'merged', 'final', 'conflicts',
    'conflict_nodes', 'sub_labels', 'limited', 'cc_index', 'cc_edges', 'cc_labels',
    'cc_labels_next', 'scope_seeds', 'scope'] -%}
{#- Hooks are rendered when they run, where `this` names the built table. -#}
{%- set drop_work_tables = [] -%}
{%- for name in work_tables -%}
    {%- do drop_work_tables.append(
        '{{ profile360.identity_drop_table(profile360.identity_work_relation(\'' ~ name ~ '\')) }}') -%}
{%- endfor -%}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ profile360.identity_delete_scope('node_id', 'node_id') }}",
    post_hook=drop_work_tables,
) }}
-- depends_on: {{ ref('int_identifier_occurrences') }}

{%- set links = ref('int_identity_links') -%}
{%- set scope = {'nodes': none} -%}
{%- if profile360.staging_is_incremental() -%}
    {%- set scope_nodes = profile360.identity_scope_nodes(links) -%}
    {%- if scope_nodes is not none -%}
        {%- set links = '(select * from ' ~ ref('int_identity_links')
            ~ ' where record_node_id in (select node_id from ' ~ scope_nodes
            ~ ')) as scoped_links' -%}
        {%- do scope.update({'nodes': scope_nodes}) -%}
    {%- endif -%}
{%- endif -%}
{%- set limits = var('profile360__identity_max_per_profile') -%}
{%- set ranks = var('profile360__identity_identifier_ranks') -%}

{%- if profile360.identity_relation_exists(ref('int_identity_links')) -%}
    {%- set wk = {} -%}
    {%- for name in work_tables -%}
        {%- do wk.update({name: profile360.identity_work_relation(name)}) -%}
    {%- endfor -%}

    {%- do run_query(profile360.identity_replace_table(wk.links_kept,
        'select record_node_id, identifier_node_id, identifier_rank from ' ~ links
        ~ ' where is_link')) -%}
    {%- do run_query(profile360.identity_replace_table(wk.nodes,
        'select distinct record_node_id as node_id from ' ~ links
        ~ ' union all select distinct identifier_node_id as node_id from ' ~ links
        ~ ' where is_link')) -%}
    {%- set edges -%}
        (
            select record_node_id as node_a, identifier_node_id as node_b from {{ wk.links_kept }}
            union all
            select identifier_node_id as node_a, record_node_id as node_b from {{ wk.links_kept }}
        )
    {%- endset -%}
    {#- Identifiers of the limited types, once; a group's counts per type come from them. -#}
    {%- do run_query(profile360.identity_replace_table(wk.limited,
        'select distinct identifier_node_id, identifier_type from ' ~ links ~ ' where is_link'
        ~ " and identifier_type in ('" ~ limits.keys() | join("', '") ~ "')")) -%}
    {#- Components over a limit, among the labels of __SCOPE__. -#}
    {%- set conflicts_template -%}
        select labels.component_id
        from __SCOPE__ as labels
        inner join {{ wk.limited }} as limited
            on labels.node_id = limited.identifier_node_id
        group by labels.component_id
        having
            {%- for identifier_type, limit in limits.items() %}
            {% if not loop.first %}or {% endif -%}
            count(distinct case when limited.identifier_type = '{{ identifier_type }}'
                then limited.identifier_node_id end) > {{ limit | int }}
            {%- endfor %}
    {%- endset -%}

    {%- set state = {'rounds': 0, 'passes': 1, 'max_pass_rounds': 0} -%}
    {%- set rounds = profile360.identity_connected_components(
        edges, wk.nodes, wk.labels, 'cc') | int -%}
    {%- do state.update({'rounds': rounds, 'max_pass_rounds': rounds}) -%}
    {%- do run_query(profile360.identity_replace_table(wk.merged, 'select * from ' ~ wk.labels)) -%}

    {#- Split: drop the weakest remaining type's links inside conflicted
        components and recompute those components, until none is left or
        only customer ids link. -#}
    {#- Dropping links only splits components, so once no component breaks a
        limit none will at a later level: the check stops there. -#}
    {#- After a split only the recomputed components (sub_labels) can still break a limit. -#}
    {%- do state.update({'clean': false, 'scope': wk.labels | string}) -%}
    {%- for level in range(ranks | length - 1, 0, -1) if not state.clean -%}
        {%- do run_query(profile360.identity_replace_table(wk.conflicts,
            conflicts_template | replace('__SCOPE__', state.scope))) -%}
        {%- set count_conflicts = run_query('select count(*) from ' ~ wk.conflicts)
            .columns[0].values()[0] -%}
        {%- do state.update({'clean': count_conflicts == 0}) -%}
        {%- if count_conflicts > 0 -%}
            {%- do run_query(profile360.identity_replace_table(wk.conflict_nodes,
                'select labels.node_id from ' ~ state.scope ~ ' as labels inner join ' ~ wk.conflicts
                ~ ' as conflicts on labels.component_id = conflicts.component_id')) -%}
            {%- set drop_where = 'identifier_rank > ' ~ level ~ ' and record_node_id in (select node_id from '
                ~ wk.conflict_nodes ~ ')' -%}
            {%- set count_dropped = run_query('select count(*) from ' ~ wk.links_kept ~ ' where '
                ~ drop_where).columns[0].values()[0] -%}
            {#- A level whose type links nothing in the conflicted groups changes nothing. -#}
            {%- if count_dropped > 0 -%}
                {%- do run_query('delete from ' ~ wk.links_kept ~ ' where ' ~ drop_where) -%}
                {#- Only the conflicted components are recomputed; the others keep
                    their labels (the smallest node of a component either way). -#}
                {%- set sub_edges -%}
                    (
                        select record_node_id as node_a, identifier_node_id as node_b
                        from {{ wk.links_kept }}
                        where record_node_id in (select node_id from {{ wk.conflict_nodes }})
                        union all
                        select identifier_node_id as node_a, record_node_id as node_b
                        from {{ wk.links_kept }}
                        where record_node_id in (select node_id from {{ wk.conflict_nodes }})
                    )
                {%- endset -%}
                {%- set rounds = profile360.identity_connected_components(
                    sub_edges, wk.conflict_nodes, wk.sub_labels, 'cc') | int -%}
                {%- do run_query(profile360.identity_update_labels(wk.labels, wk.sub_labels)) -%}
                {%- do state.update({
                    'scope': wk.sub_labels | string,
                    'rounds': state.rounds + rounds,
                    'passes': state.passes + 1,
                    'max_pass_rounds': [state.max_pass_rounds, rounds] | max,
                }) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query(profile360.identity_replace_table(wk.final, 'select * from ' ~ wk.labels)) -%}

    {%- set labels_final = wk.final -%}
    {%- set labels_merged = wk.merged -%}
{%- else -%}
    {#- Parse time, sqlfluff and unit tests: no graph to stitch, same columns. -#}
    {%- set labels_final -%}
        (select cast(null as {{ dbt.type_string() }}) as node_id,
            cast(null as {{ dbt.type_string() }}) as component_id where false)
    {%- endset -%}
    {%- set labels_merged = labels_final -%}
{%- endif %}

-- noqa: enable=LT02
with

int_identity_links as (

    select * from {{ links }}

),

labels_final as (

    select * from {{ labels_final }}

),

labels_merged as (

    select * from {{ labels_merged }}

),

record_nodes as (

    select
        record_node_id as node_id,
        'record' as node_type,
        source,
        record_key,
        cast(null as {{ dbt.type_string() }}) as identifier_id,
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_string() }}) as identifier_value,
        cast(null as integer) as identifier_rank,
        min(first_seen_at) as first_seen_at
    from int_identity_links
    group by record_node_id, source, record_key

),

identifier_nodes as (

    select
        identifier_node_id as node_id,
        'identifier' as node_type,
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as record_key,
        identifier_id,
        identifier_type,
        identifier_value,
        identifier_rank,
        min(first_seen_at) as first_seen_at
    from int_identity_links
    where is_link
    group by identifier_node_id, identifier_id, identifier_type, identifier_value, identifier_rank

),

nodes as (

    select * from record_nodes
    union all
    select * from identifier_nodes

),

-- A merged component stitched into more than one final component.
split_components as (

    select labels_merged.component_id as merged_component_id
    from labels_merged
    inner join labels_final
        on labels_merged.node_id = labels_final.node_id
    group by labels_merged.component_id
    having count(distinct labels_final.component_id) > 1

),

final as (

    select
        nodes.node_id,
        nodes.node_type,
        nodes.source,
        nodes.record_key,
        nodes.identifier_id,
        nodes.identifier_type,
        nodes.identifier_value,
        nodes.identifier_rank,
        nodes.first_seen_at,
        labels_final.component_id,
        labels_merged.component_id as merged_component_id,
        labels_merged.component_id in (
            select split_components.merged_component_id from split_components
        ) as is_split,
        {{ state.rounds if state is defined else 0 }} as stitch_rounds,
        {{ state.passes if state is defined else 0 }} as stitch_passes,
        {{ state.max_pass_rounds if state is defined else 0 }} as stitch_max_pass_rounds,
        {{ profile360.load_timestamp() }} as _loaded_at
    from nodes
    inner join labels_final
        on nodes.node_id = labels_final.node_id
    inner join labels_merged
        on nodes.node_id = labels_merged.node_id

)

select * from final
