{#
    Connected components: the one place the project computes them. A model
    declares it with one call and stays plain SQL:

        with components as (
            {{ profile360.connected_components(ref('int_identity_graph_edges')) }}
        )
        select ... from components

    connected_components(edges): SQL selecting (node_id, component_id,
    stitch_rounds) for every node of `edges`, a relation with integer columns
    (node_a, node_b), one row per undirected edge; a node without neighbours
    is given as a self edge (n, n). component_id is the smallest node_id of
    the node's component; stitch_rounds the rounds it took (same on every row).

    Algorithm: min-label propagation with hooking and pointer jumping. Every
    node starts as its own label. Each round, in one statement:
      1. m(v)  = the smallest label in v's closed neighbourhood;
      2. hook: the node a label points at takes the smallest m of the nodes
         pointing at it (so a whole label tree moves at once);
      3. jump: label(v) = min(label(v), label(label(v))) (halves tree depth).
    A label never grows, so a round changed nothing exactly when the sum of
    the labels did not move: the convergence check is one scan of the new
    labels (no join with the previous round). At that point every node has
    its neighbours' label, the component's smallest node. Components shrink
    to stars in O(log n) rounds; more than var profile360__identity_max_rounds
    rounds raises an error instead of returning a half-stitched graph.

    When `edges` is a real table (a build), the rounds run as statements on
    work tables beside the model (<model>__cc_edges, __cc_labels,
    __cc_labels_next; dropped by identity_drop_cc_work_tables() in the
    model's post-hook) and the returned SQL reads the last one. Otherwise
    (dbt unit tests, where refs are fixture CTEs; parse; compile before the
    first build) the same rounds are unrolled into CTEs, `inline_rounds` of
    them: enough for hand-made fixtures (a path of n nodes needs about
    log2(n) + 2).
#}
{% macro connected_components(edges, inline_rounds=8) -%}
    {{ return(adapter.dispatch('connected_components', 'profile360')(edges, inline_rounds)) }}
{%- endmacro %}

{#- One round: labels `current` -> new labels, over the two-way edges `edges2`. -#}
{% macro identity_cc_round_sql(edges2, current) -%}
    with neighbourhood as (
        select edges.node_a as node_id, labels.component_id
        from {{ edges2 }} as edges
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
{%- endmacro %}

{% macro identity_cc_edges2_sql(edges) -%}
    select cast(node_a as {{ dbt.type_bigint() }}) as node_a, cast(node_b as {{ dbt.type_bigint() }}) as node_b
    from {{ edges }}
    union all
    select cast(node_b as {{ dbt.type_bigint() }}) as node_a, cast(node_a as {{ dbt.type_bigint() }}) as node_b
    from {{ edges }}
    where node_a <> node_b
{%- endmacro %}

{% macro default__connected_components(edges, inline_rounds) -%}
    {%- if not profile360.identity_relation_exists(edges) -%}
        {#- Unrolled rounds (unit tests, parse, compile). -#}
        with cc_edges as (
            {{ profile360.identity_cc_edges2_sql(edges) }}
        ),
        cc_labels_0 as (
            select distinct node_a as node_id, node_a as component_id from cc_edges
        )
        {%- for round in range(1, inline_rounds + 1) %},
        cc_labels_{{ round }} as (
            {{ profile360.identity_cc_round_sql('cc_edges', 'cc_labels_' ~ (round - 1)) }}
        )
        {%- endfor %}
        select node_id, component_id, {{ inline_rounds }} as stitch_rounds
        from cc_labels_{{ inline_rounds }}
    {%- else -%}
        {%- set max_rounds = var('profile360__identity_max_rounds') | int -%}
        {%- set int_edges = profile360.identity_work_relation('cc_edges') -%}
        {%- set tables = [profile360.identity_work_relation('cc_labels'),
            profile360.identity_work_relation('cc_labels_next')] -%}
        {%- do run_query(profile360.identity_replace_table(int_edges, profile360.identity_cc_edges2_sql(edges))) -%}
        {%- do run_query(profile360.identity_replace_table(tables[0],
            'select distinct node_a as node_id, node_a as component_id from ' ~ int_edges)) -%}
        {%- set state = {'rounds': 0, 'converged': false, 'final': tables[0],
            'sum': run_query('select sum(component_id) from ' ~ tables[0]).columns[0].values()[0]} -%}
        {%- for round in range(1, max_rounds + 1) if not state.converged -%}
            {#- Rounds alternate between the two label tables: no copy per round. -#}
            {%- set current = tables[(round - 1) % 2] -%}
            {%- set candidate = tables[round % 2] -%}
            {%- do run_query(profile360.identity_replace_table(candidate,
                profile360.identity_cc_round_sql(int_edges, current))) -%}
            {%- set total = run_query('select sum(component_id) from ' ~ candidate).columns[0].values()[0] -%}
            {%- do state.update({'rounds': round, 'converged': total == state.sum, 'sum': total,
                'final': candidate}) -%}
        {%- endfor -%}
        {%- if not state.converged -%}
            {%- do exceptions.raise_compiler_error(
                'identity stitching (' ~ this.identifier ~ ') did not converge in ' ~ max_rounds
                ~ ' rounds (var profile360__identity_max_rounds); the graph is not stitched.'
            ) -%}
        {%- endif -%}
        select node_id, component_id, {{ state.rounds }} as stitch_rounds
        from {{ state.final }}
    {%- endif -%}
{%- endmacro %}


{#- The post-hooks of a model calling connected_components(): drop its work tables. -#}
{% macro identity_cc_work_tables() -%}
    {{ return(['cc_edges', 'cc_labels', 'cc_labels_next']) }}
{%- endmacro %}

{#- The one post_hook config of a model calling connected_components():
        post_hook=profile360.identity_drop_cc_work_tables()
    one DROP per work table (a list: Spark runs one statement per hook). -#}
{% macro identity_drop_cc_work_tables() -%}
    {%- set hooks = [] -%}
    {%- for name in profile360.identity_cc_work_tables() -%}
        {%- do hooks.append("{{ profile360.identity_drop_table(profile360.identity_work_relation('" ~ name ~ "')) }}") -%}
    {%- endfor -%}
    {{ return(hooks) }}
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
    {%- if not execute or relation is string or relation.schema is none
        or relation.identifier is none -%}{{ return(false) }}{%- endif -%}
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

{#- Spark: Parquet has no CREATE OR REPLACE (Delta only): drop, then create. -#}
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


{#
    Spark: a build (real tables) runs the same O(log n) rounds as statements
    on Parquet work tables (default__). Without tables (dbt unit tests,
    parse, compile) the rounds must be unrolled into CTEs, and Spark inlines
    every deterministic CTE: a hook-and-jump round names the previous labels
    ten times over, so eight unrolled rounds are 10^8 copies of the first
    and the planner never finishes. There the labels are propagated by plain
    min-label rounds that name the previous round once (closed neighbourhood
    through self edges), enough rounds for a fixture's graph (its longest
    shortest path); the labels they converge to are the same (the smallest
    node of each component).
#}
{% macro spark__connected_components(edges, inline_rounds) -%}
    {%- if profile360.identity_relation_exists(edges) -%}
        {{ profile360.default__connected_components(edges, inline_rounds) }}
    {%- else -%}
        {%- set rounds = [inline_rounds * 2, 16] | max -%}
        with cc_edges as (
            {{ profile360.identity_cc_edges2_sql(edges) }}
        ),
        cc_closed as (
            select node_a, node_b from cc_edges
            union
            select node_a, node_a as node_b from cc_edges
        ),
        cc_labels_0 as (
            select distinct node_a as node_id, node_a as component_id from cc_edges
        )
        {%- for round in range(1, rounds + 1) %},
        cc_labels_{{ round }} as (
            select cc_closed.node_a as node_id, min(labels.component_id) as component_id
            from cc_closed
            inner join cc_labels_{{ round - 1 }} as labels on cc_closed.node_b = labels.node_id
            group by cc_closed.node_a
        )
        {%- endfor %}
        select node_id, component_id, {{ inline_rounds }} as stitch_rounds
        from cc_labels_{{ rounds }}
    {%- endif -%}
{%- endmacro %}
