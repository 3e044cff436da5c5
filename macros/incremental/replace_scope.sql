{#
    The project's one incremental strategy for tables rebuilt per key
    (docs/layers.md, "One incremental mechanism"): `replace_scope`.

      {{ config(
          materialized='incremental',
          incremental_strategy=profile360.replace_scope_strategy(),
          replace_scope={'from': <scope>, 'keys': [[<target key>, <scope columns>], ...]},
      ) }}

    An incremental build deletes the stored rows whose key is in the scope,
    then inserts the model's rows (the rows the model selects for the scope
    now; a key in scope without new rows, e.g. erased, merged away, simply
    disappears). One DELETE per key pair: `<target key> in (select <scope
    columns> from <scope>)`, e.g. ['(source, record_key)', 'source, record_key'].
    With a unique_key (a column or a list), the stored rows of every key the
    new rows carry are deleted too, as dbt's delete+insert does: for a model
    whose select also gives keys beyond the scope (dim_profiles: a birthday
    passed; staging: the deduplicated rows of the new drops).

    `from` names the scope:
      'work'               the model's own scope table <model>__scope, which
                           the model writes while it compiles (identity:
                           identity_write_scope(), the keys re-derived around
                           the change log); the strategy drops it once used.
      'profiles','traits'  the layer's to-refresh model (int_profiles_to_refresh,
                           int_traits_to_refresh; macros/profiles/incremental.sql),
                           or every row when the whole layer is recomputed
                           (layer_refresh_all()).
      'blocked_drops'      the landing files stg_landing__files calls blocked
                           in this build (column source_file;
                           macros/staging/blocked_drops.sql): an incremental
                           staging table loses the rows a drop gave before it
                           was blocked.
      'all'                every stored row: the model selects all its rows
                           at each build and reads its own stored rows
                           ({{ this }}) to carry state forward (the
                           probabilistic records' _changed_at, the pairs an
                           incremental scoring keeps).

    Replaces the pre-hooks identity_delete_scope() / layer_delete_refreshed_profiles(),
    the post-hooks dropping <model>__scope and the staging post-hook
    forget_blocked_drops(): no DELETE of these in a hook.

    On a first build or --full-refresh dbt creates the table from the select;
    the strategy is not called.

    Spark (dispatched): the same strategy. On plain Parquet (no DELETE)
    the deleted rows and the new ones are written by rewriting the touched
    partitions (spark_rewrite_rows, macros/spark/incremental.sql: the
    staging tables are partitioned by drop); with Delta the DELETEs run,
    then the INSERT. dbt-spark 1.11 accepts only its own strategy names:
    macros/spark/incremental.sql lets this one through.
#}
{% macro replace_scope_strategy() -%}
    {{ return('replace_scope') }}
{%- endmacro %}



{#- The scope relation named by config replace_scope.from, or none for
    "every stored row". -#}
{% macro replace_scope_relation(scope_from) -%}
    {%- if scope_from == 'work' -%}
        {{ return(profile360.identity_work_relation('scope')) }}
    {%- elif scope_from in profile360.per_profile_layers() -%}
        {%- if profile360.layer_refresh_all(scope_from) -%}
            {{ return(none) }}
        {%- endif -%}
        {{ return(profile360.layer_to_refresh_relation(scope_from)) }}
    {%- elif scope_from == 'all' -%}
        {{ return(none) }}
    {%- elif scope_from == 'blocked_drops' -%}
        {{ return('(' ~ profile360.blocked_landing_files_sql() ~ ') as _blocked_drops') }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(this ~ ": replace_scope.from must be 'work', 'profiles', 'traits', 'blocked_drops' or 'all', not "
        ~ scope_from) }}
{%- endmacro %}


{% macro get_incremental_replace_scope_sql(arg_dict) -%}
    {{ return(adapter.dispatch('get_incremental_replace_scope_sql', 'profile360')(arg_dict)) }}
{%- endmacro %}

{#- The rows a build deletes, as conditions on the stored rows: scope
    keys, then unique_key. -#}
{% macro replace_scope_conditions(arg_dict) -%}
    {%- set settings = config.get('replace_scope') -%}
    {%- if settings is none or settings.get('keys') is none -%}
        {{ exceptions.raise_compiler_error(this ~ ": incremental_strategy replace_scope needs config "
            ~ "replace_scope={'from': ..., 'keys': [...]}") }}
    {%- endif -%}
    {%- set scope = profile360.replace_scope_relation(settings['from']) -%}
    {%- set conditions = [] -%}
    {%- if scope is none -%}
        {%- do conditions.append('true') -%}
    {%- else -%}
        {%- for key, columns in settings['keys'] -%}
            {%- do conditions.append(key ~ ' in (select ' ~ columns ~ ' from ' ~ scope ~ ')') -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if arg_dict['unique_key'] -%}
        {%- do conditions.append(profile360.rows_with_keys_of(arg_dict['unique_key'], arg_dict['temp_relation'])) -%}
    {%- endif -%}
    {{ return(conditions) }}
{%- endmacro %}

{% macro default__get_incremental_replace_scope_sql(arg_dict) -%}
    {%- for condition in profile360.replace_scope_conditions(arg_dict) %}
    delete from {{ arg_dict['target_relation'] }} where {{ condition }};
    {%- endfor %}
    {{ get_insert_into_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns']) }}
    {%- if config.get('replace_scope')['from'] == 'work' %};
    {{ profile360.identity_drop_table(profile360.identity_work_relation('scope')) }}
    {%- endif %}
{%- endmacro %}

{#- Spark, one statement per call. Parquet: the touched partitions are
    rewritten (spark_rewrite_rows, the new rows read once), then the work
    scope dropped, as on DuckDB; the main statement drops the rows written
    aside. Delta: the DELETEs run first, the INSERT is the main statement
    (it reads the model's query, which reads the work scope: replaced at
    the next build). -#}
{% macro spark__get_incremental_replace_scope_sql(arg_dict) -%}
    {%- set conditions = profile360.replace_scope_conditions(arg_dict) -%}
    {%- if profile360.spark_file_format() != 'delta' -%}
        {%- set last = profile360.spark_rewrite_rows(arg_dict['target_relation'], '(' ~ conditions | join(') or (') ~ ')',
                                                     arg_dict['temp_relation'], config.get('partition_by')) -%}
        {%- if execute and config.get('replace_scope')['from'] == 'work' -%}
            {%- do run_query(profile360.identity_drop_table(profile360.identity_work_relation('scope'))) -%}
        {%- endif -%}
        {{ return(last) }}
    {%- endif -%}
    {%- for condition in conditions -%}
        {%- do run_query('delete from ' ~ arg_dict['target_relation'] ~ ' where ' ~ condition) -%}
    {%- endfor -%}
    {{ return(get_insert_into_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns'])) }}
{%- endmacro %}
