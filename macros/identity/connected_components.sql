{#
    Connected components of the identity graph, computed in rounds of plain
    SQL driven from Jinja (no recursive CTE, no fixed number of rounds).

    identity_connected_components(edges, nodes, labels, work_prefix):
      edges   relation with (node_a, node_b), both directions present;
      nodes   relation with (node_id), every node of the graph (isolated too);
      labels  relation written with (node_id, component_id): component_id is
              the smallest node_id of the node's component.
    Returns the number of rounds it took.

    Algorithm: min-label propagation with hooking and pointer jumping. Every
    node starts as its own label. Each round, in one statement:
      1. m(v)  = the smallest label in v's closed neighbourhood;
      2. hook: the node a label points at takes the smallest m of the nodes
         pointing at it (so a whole label tree moves at once);
      3. jump: label(v) = min(label(v), label(label(v))) (halves tree depth).
    It stops when a round changes no label: then every node has the same
    label as its neighbours, and that label is the component's smallest node
    (which never changes). Components shrink to stars in O(log n) rounds on
    real graphs; more than var profile360__identity_max_rounds rounds raises
    an error instead of returning a half-stitched graph.

    The rounds run on integer node numbers (node_id order, so results match
    the text ids) and alternate between two label tables.
    Work tables are real tables beside the model, named <model>__<name> (DuckDB
    temp tables live per connection); the model drops them in a post-hook:
    <work_prefix>_index, _edges, _labels, _labels_next.
#}
{% macro identity_connected_components(edges, nodes, labels, work_prefix) -%}
    {%- set max_rounds = var('profile360__identity_max_rounds') | int -%}
    {%- set index = profile360.identity_work_relation(work_prefix ~ '_index') -%}
    {%- set int_edges = profile360.identity_work_relation(work_prefix ~ '_edges') -%}
    {%- set tables = [profile360.identity_work_relation(work_prefix ~ '_labels'),
        profile360.identity_work_relation(work_prefix ~ '_labels_next')] -%}

    {#- Integers instead of text ids: the rounds join and compare far faster.
        Numbered in node_id order, so the smallest number of a component is
        its smallest node_id and the result is the same as on the text ids. -#}
    {%- do run_query(profile360.identity_replace_table(index,
        'select node_id, row_number() over (order by node_id) as ix from ' ~ nodes)) -%}
    {%- do run_query(profile360.identity_replace_table(int_edges,
        'select node_a_index.ix as node_a, node_b_index.ix as node_b from ' ~ edges ~ ' as edges'
        ~ ' inner join ' ~ index ~ ' as node_a_index on edges.node_a = node_a_index.node_id'
        ~ ' inner join ' ~ index ~ ' as node_b_index on edges.node_b = node_b_index.node_id')) -%}
    {%- do run_query(profile360.identity_replace_table(tables[0],
        'select ix as node_id, ix as component_id from ' ~ index)) -%}

    {%- set state = {'rounds': 0, 'converged': false} -%}
    {%- for round in range(1, max_rounds + 1) -%}
        {%- if not state.converged -%}
            {#- Rounds alternate between the two label tables: no copy per round. -#}
            {%- set current = tables[(round - 1) % 2] -%}
            {%- set candidate = tables[round % 2] -%}
            {%- set round_sql -%}
                with neighbourhood as (
                    select edges.node_a as node_id, labels.component_id
                    from {{ int_edges }} as edges
                    inner join {{ current }} as labels on edges.node_b = labels.node_id
                    union all
                    select node_id, component_id from {{ current }}
                ),
                smallest as (
                    select node_id, min(component_id) as component_id
                    from neighbourhood
                    group by node_id
                ),
                hooked as (
                    select labels.component_id as node_id, min(smallest.component_id) as component_id
                    from {{ current }} as labels
                    inner join smallest on labels.node_id = smallest.node_id
                    group by labels.component_id
                ),
                relabelled as (
                    select
                        smallest.node_id,
                        least(smallest.component_id, coalesce(hooked.component_id, smallest.component_id))
                            as component_id
                    from smallest
                    left join hooked on smallest.node_id = hooked.node_id
                )
                select
                    relabelled.node_id,
                    least(relabelled.component_id, parent.component_id) as component_id
                from relabelled
                inner join relabelled as parent on relabelled.component_id = parent.node_id
            {%- endset -%}
            {%- do run_query(profile360.identity_replace_table(candidate, round_sql)) -%}
            {%- set changed = run_query(
                'select count(*) from ' ~ candidate ~ ' as candidate inner join ' ~ current
                ~ ' as current_labels on candidate.node_id = current_labels.node_id'
                ~ ' where candidate.component_id <> current_labels.component_id'
            ).columns[0].values()[0] -%}
            {%- do state.update({'rounds': round, 'converged': changed == 0, 'final': candidate}) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if not state.converged -%}
        {%- do exceptions.raise_compiler_error(
            'identity stitching did not converge in ' ~ max_rounds
            ~ ' rounds (var profile360__identity_max_rounds); the graph is not stitched.'
        ) -%}
    {%- endif -%}
    {%- do run_query(profile360.identity_replace_table(labels,
        'select node_index.node_id, component_index.node_id as component_id from ' ~ state.final
        ~ ' as final_labels inner join ' ~ index ~ ' as node_index on final_labels.node_id = node_index.ix'
        ~ ' inner join ' ~ index ~ ' as component_index'
        ~ ' on final_labels.component_id = component_index.ix')) -%}
    {{ return(state.rounds) }}
{%- endmacro %}


{% macro identity_work_relation(name) -%}
    {{ return(api.Relation.create(
        database=this.database, schema=this.schema,
        identifier=this.identifier ~ '__' ~ name, type='table')) }}
{%- endmacro %}


{#
    identity_relation_exists(relation): whether a ref()'d relation is a
    real table. False at parse time, under sqlfluff and in unit tests, where
    the stitching model renders an empty result of the right shape.
#}
{% macro identity_relation_exists(relation) -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set found = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {{ return(found is not none) }}
{%- endmacro %}


{# Engine-specific DDL for the work tables. #}
{% macro identity_replace_table(relation, sql) -%}
    {{ return(adapter.dispatch('identity_replace_table', 'profile360')(relation, sql)) }}
{%- endmacro %}

{% macro default__identity_replace_table(relation, sql) -%}
    create or replace table {{ relation }} as ({{ sql }})
{%- endmacro %}

{#- Spark: CREATE OR REPLACE needs a v2 table (Delta); Parquet tables are
    dropped first (at execute time: this macro's SQL is run by run_query). -#}
{% macro spark__identity_replace_table(relation, sql) -%}
    {%- if profile360.spark_file_format() == 'delta' -%}
    create or replace table {{ relation }} using delta as {{ sql }}
    {%- else -%}
    {%- if execute %}{% do run_query('drop table if exists ' ~ relation) %}{% endif -%}
    create table {{ relation }} using {{ profile360.spark_file_format() }} as {{ sql }}
    {%- endif -%}
{%- endmacro %}


{% macro identity_drop_table(relation) -%}
    {{ return(adapter.dispatch('identity_drop_table', 'profile360')(relation)) }}
{%- endmacro %}

{% macro default__identity_drop_table(relation) -%}
    drop table if exists {{ relation }}
{%- endmacro %}


{#- identity_update_labels(target, source): set target's component_id to
    source's for the nodes source holds (a split's recomputed components). -#}
{% macro identity_update_labels(target, source) -%}
    {{ return(adapter.dispatch('identity_update_labels', 'profile360')(target, source)) }}
{%- endmacro %}

{% macro default__identity_update_labels(target, source) -%}
    update {{ target }} as target_labels
    set component_id = source_labels.component_id
    from {{ source }} as source_labels
    where target_labels.node_id = source_labels.node_id
{%- endmacro %}

{#- Spark without Delta: no MERGE; the updated labels are written aside,
    then replace the target's rows (INSERT OVERWRITE cannot read its target).
    Run by run_query: the aside table is written at execute time. -#}
{% macro spark__identity_update_labels(target, source) -%}
    {%- if profile360.spark_file_format() == 'delta' -%}
    merge into {{ target }} as target_labels
    using {{ source }} as source_labels
    on target_labels.node_id = source_labels.node_id
    when matched then update set component_id = source_labels.component_id
    {%- else -%}
        {%- set aside = api.Relation.create(schema=target.schema, identifier=target.identifier ~ '__updated') -%}
        {%- set select_list = [] -%}
        {%- for column in adapter.get_columns_in_relation(target) -%}
            {%- if column.name | lower == 'component_id' -%}
                {%- do select_list.append('coalesce(source_labels.component_id, target_labels.component_id) as component_id') -%}
            {%- else -%}
                {%- do select_list.append('target_labels.' ~ column.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if execute -%}
            {%- do run_query('drop table if exists ' ~ aside) -%}
            {%- do run_query('create table ' ~ aside ~ ' using parquet as select ' ~ select_list | join(', ')
                ~ ' from ' ~ target ~ ' as target_labels left join ' ~ source ~ ' as source_labels'
                ~ ' on target_labels.node_id = source_labels.node_id') -%}
        {%- endif -%}
    insert overwrite table {{ target }} select * from {{ aside }}
    {%- endif -%}
{%- endmacro %}
