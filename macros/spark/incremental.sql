{#
    Incremental models on plain Parquet tables (the spark target without
    Delta, docs/spark.md). Parquet has no DELETE and no MERGE; what Spark
    has is INSERT OVERWRITE, which in dynamic mode replaces only the
    partitions it writes. So the project's strategies (replace_scope,
    macros/incremental/replace_scope.sql, and delete+insert, the staging
    models with a unique key) are carried out as:

      1. the new rows written aside once (<table>__added), then the stored
         rows of the touched partitions that stay (not deleted) plus the new
         rows, written aside (<table>__rewrite);
      2. the touched partitions left with no row dropped
         (ALTER TABLE ... DROP PARTITION: an overwrite only replaces the
         partitions it writes);
      3. INSERT OVERWRITE of the table from the rows written aside
         (dynamic partition overwrite), then the aside tables dropped.

    A touched partition is one holding a deleted row or receiving a new
    row. A table partitioned by the drop it came from (partition_by
    _source_file: the staging tables, profile360.drop_partition()) rewrites
    only the drops of the night and the drops holding an erased person's
    rows; an unpartitioned table is rewritten whole (no parsing or joining
    again: a copy of its rows).

    dbt-spark 1.11 accepts only its own strategy names (append, merge,
    insert_overwrite, microbatch; dbt-labs/dbt-adapters#833): the two
    macros below, defined in the root project, take precedence over the
    adapter's and let replace_scope and delete+insert through on Parquet;
    every other strategy goes to dbt-spark's own macros.
#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy == 'replace_scope'
          or (raw_strategy == 'delete+insert' and file_format not in ('delta', 'iceberg', 'hudi')) -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy == 'replace_scope' -%}
        {{ return(profile360.get_incremental_replace_scope_sql({
            'target_relation': target, 'temp_relation': source, 'unique_key': unique_key,
            'dest_columns': none, 'incremental_predicates': incremental_predicates})) }}
    {%- elif strategy == 'delete+insert' -%}
        {{ return(profile360.spark_rewrite_rows(target, profile360.rows_with_keys_of(unique_key, source), source,
                                                 config.get('partition_by'))) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates)) }}
{%- endmacro %}


{#- The condition "this row's unique key is among `relation`'s": the
    delete of a delete+insert. -#}
{% macro rows_with_keys_of(unique_key, relation) -%}
    {%- set key_columns = ([unique_key] if unique_key is string else unique_key) | join(', ') -%}
    {{ return('(' ~ key_columns ~ ') in (select ' ~ key_columns ~ ' from ' ~ relation ~ ')') }}
{%- endmacro %}


{#- partition_by of the tables that keep every drop's rows apart: the
    drop (_source_file) on Spark; none on DuckDB (its tables are not
    partitioned, DELETE does the work). -#}
{% macro drop_partition() -%}
    {{ return('_source_file' if target.type == 'spark' else none) }}
{%- endmacro %}


{#
    spark_rewrite_rows(relation, deleted, new_rows=none, partition_by=none):
    removes the rows of `relation` where `deleted` holds (a condition on its
    columns; NULL keeps the row, as DELETE does) and adds the rows of
    `new_rows` (a relation with the same columns), by the three steps above.
    partition_by: the table's partition columns (a column or a list; none:
    not partitioned, the whole table is rewritten).
    Steps 1 and 2 and the overwrite run at execute time; returns the last
    statement (dropping the aside table) for the caller to run.
#}
{% macro spark_rewrite_rows(relation, deleted, new_rows=none, partition_by=none) -%}
    {%- set parts = ([partition_by] if partition_by is string else (partition_by or [])) -%}
    {%- set aside = api.Relation.create(schema=relation.schema, identifier=relation.identifier ~ '__rewrite',
                                        type='table') -%}
    {%- set added = api.Relation.create(schema=relation.schema, identifier=relation.identifier ~ '__added',
                                        type='table') -%}
    {%- if execute -%}
        {%- if new_rows is not none -%}
            {#- The new rows computed once: dbt's temporary view is the
                model's query, evaluated again at every reference (the
                touched partitions, the keys deleted, the rows added); the
                view then reads the rows written aside. -#}
            {%- do run_query('drop table if exists ' ~ added) -%}
            {%- do run_query('create table ' ~ added ~ ' using parquet as select * from ' ~ new_rows) -%}
            {%- do run_query('create or replace temporary view ' ~ new_rows ~ ' as select * from ' ~ added) -%}
        {%- endif -%}
        {%- set removed = 'coalesce((' ~ deleted ~ '), false)' -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='quoted') | join(', ') -%}
        {%- set kept = 'not ' ~ removed -%}
        {%- if parts -%}
            {%- set part_list = parts | join(', ') -%}
            {%- set touched = 'select ' ~ part_list ~ ' from ' ~ relation ~ ' where ' ~ removed
                ~ ((' union select ' ~ part_list ~ ' from ' ~ new_rows) if new_rows is not none else '') -%}
            {%- set kept = '(' ~ part_list ~ ') in (' ~ touched ~ ') and ' ~ kept -%}
        {%- endif -%}
        {%- do run_query('drop table if exists ' ~ aside) -%}
        {%- do run_query('create table ' ~ aside ~ ' using parquet as select ' ~ columns ~ ' from ' ~ relation
            ~ ' where ' ~ kept
            ~ ((' union all select ' ~ columns ~ ' from ' ~ new_rows) if new_rows is not none else '')) -%}
        {%- if parts -%}
            {%- set emptied = run_query('select distinct ' ~ part_list ~ ' from ' ~ relation ~ ' where ' ~ removed
                ~ ' except select distinct ' ~ part_list ~ ' from ' ~ aside) -%}
            {%- for row in emptied.rows -%}
                {%- set spec = [] -%}
                {%- for value in row -%}
                    {%- if value is none or "'" in (value | string) -%}
                        {{ exceptions.raise_compiler_error(relation ~ ": cannot name partition " ~ parts[loop.index0]
                            ~ " = " ~ value ~ " in ALTER TABLE DROP PARTITION") }}
                    {%- endif -%}
                    {%- do spec.append(parts[loop.index0] ~ " = '" ~ value ~ "'") -%}
                {%- endfor -%}
                {%- do run_query('alter table ' ~ relation ~ ' drop if exists partition (' ~ spec | join(', ') ~ ')') -%}
            {%- endfor -%}
            {%- do run_query('set spark.sql.sources.partitionOverwriteMode = DYNAMIC') -%}
        {%- endif -%}
        {%- do run_query('insert overwrite table ' ~ relation
            ~ ((' partition (' ~ part_list ~ ')') if parts else '')
            ~ ' select ' ~ columns ~ ' from ' ~ aside) -%}
        {%- do run_query('drop table if exists ' ~ added) -%}
    {%- endif -%}
    drop table if exists {{ aside }}
{%- endmacro %}
