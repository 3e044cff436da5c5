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

    Spark (dispatched): on plain Parquet every incremental model is rebuilt
    whole (+full_refresh, dbt_project.yml) and no strategy runs;
    replace_scope_strategy() names `insert_overwrite` there, a name dbt-spark
    accepts. With Delta it names replace_scope, and
    spark__get_incremental_replace_scope_sql runs the DELETEs then the
    INSERT; but dbt-spark 1.11's incremental materialization only accepts
    append, merge, insert_overwrite and microbatch, so Delta builds stop
    with dbt-spark's "Invalid incremental strategy" error until that
    validation lets a custom strategy through (untested here).
#}
{% macro replace_scope_strategy() -%}
    {{ return(adapter.dispatch('replace_scope_strategy', 'profile360')()) }}
{%- endmacro %}

{% macro default__replace_scope_strategy() -%}
    {{ return('replace_scope') }}
{%- endmacro %}

{% macro spark__replace_scope_strategy() -%}
    {{ return('replace_scope' if profile360.spark_file_format() == 'delta' else 'insert_overwrite') }}
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

{#- The DELETE statements of a build: scope keys, then unique_key. -#}
{% macro replace_scope_deletes(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set settings = config.get('replace_scope') -%}
    {%- if settings is none or settings.get('keys') is none -%}
        {{ exceptions.raise_compiler_error(this ~ ": incremental_strategy replace_scope needs config "
            ~ "replace_scope={'from': ..., 'keys': [...]}") }}
    {%- endif -%}
    {%- set scope = profile360.replace_scope_relation(settings['from']) -%}
    {%- set deletes = [] -%}
    {%- if scope is none -%}
        {%- do deletes.append('delete from ' ~ target) -%}
    {%- else -%}
        {%- for key, columns in settings['keys'] -%}
            {%- do deletes.append('delete from ' ~ target ~ ' where ' ~ key ~ ' in (select ' ~ columns
                ~ ' from ' ~ scope ~ ')') -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- if unique_key -%}
        {%- set key_columns = ([unique_key] if unique_key is string else unique_key) | join(', ') -%}
        {%- do deletes.append('delete from ' ~ target ~ ' where (' ~ key_columns ~ ') in (select '
            ~ key_columns ~ ' from ' ~ arg_dict['temp_relation'] ~ ')') -%}
    {%- endif -%}
    {{ return(deletes) }}
{%- endmacro %}

{% macro default__get_incremental_replace_scope_sql(arg_dict) -%}
    {%- for statement in profile360.replace_scope_deletes(arg_dict) %}
    {{ statement }};
    {%- endfor %}
    {{ get_insert_into_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns']) }}
    {%- if config.get('replace_scope')['from'] == 'work' %};
    {{ profile360.identity_drop_table(profile360.identity_work_relation('scope')) }}
    {%- endif %}
{%- endmacro %}

{#- Delta (one statement per call on Spark): the DELETEs run first, the
    INSERT is the main statement; the work scope is replaced at the next build. -#}
{% macro spark__get_incremental_replace_scope_sql(arg_dict) -%}
    {%- for statement in profile360.replace_scope_deletes(arg_dict) -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ return(get_insert_into_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns'])) }}
{%- endmacro %}
