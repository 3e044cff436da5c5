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

    `from` names the scope:
      'work'               the model's own scope table <model>__scope, which
                           the model writes while it compiles (identity:
                           identity_write_scope(), the keys re-derived around
                           the change log); the strategy drops it once used.
      'profiles','traits'  the layer's to-refresh model (int_profiles_to_refresh,
                           int_traits_to_refresh; macros/profiles/incremental.sql),
                           or every row when the whole layer is recomputed
                           (layer_refresh_all()).

    Replaces the pre-hooks identity_delete_scope() / layer_delete_refreshed_profiles()
    and the post-hooks dropping <model>__scope: no DELETE in a hook.

    On a first build or --full-refresh dbt creates the table from the select;
    the strategy is not called.

    Spark (dispatched): dbt-spark 1.11 accepts only its own strategy names,
    so replace_scope_strategy() names `insert_overwrite` on plain Parquet,
    where every incremental model is rebuilt whole (+full_refresh,
    dbt_project.yml) and no strategy runs. spark__get_incremental_replace_scope_sql
    is the Delta version (DELETE ... WHERE ... IN, then INSERT INTO).
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
    {%- endif -%}
    {{ exceptions.raise_compiler_error(this ~ ": replace_scope.from must be 'work', 'profiles' or 'traits', not "
        ~ scope_from) }}
{%- endmacro %}


{% macro get_incremental_replace_scope_sql(arg_dict) -%}
    {{ return(adapter.dispatch('get_incremental_replace_scope_sql', 'profile360')(arg_dict)) }}
{%- endmacro %}

{% macro default__get_incremental_replace_scope_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set settings = config.get('replace_scope') -%}
    {%- if settings is none or settings.get('keys') is none -%}
        {{ exceptions.raise_compiler_error(this ~ ": incremental_strategy replace_scope needs config replace_scope={'from': ..., 'keys': [...]}") }}
    {%- endif -%}
    {%- set scope = profile360.replace_scope_relation(settings['from']) -%}
    {%- if scope is none %}
    delete from {{ target }};
    {%- else -%}
        {%- for key, columns in settings['keys'] %}
    delete from {{ target }}
    where {{ key }} in (select {{ columns }} from {{ scope }});
        {%- endfor -%}
    {%- endif %}
    {%- if settings.get('new_keys') %}
    delete from {{ target }}
    where {{ settings['new_keys'] }} in (select {{ settings['new_keys'] }} from {{ arg_dict['temp_relation'] }});
    {%- endif %}
    {{ get_insert_into_sql(target, arg_dict['temp_relation'], arg_dict['dest_columns']) }}
    {%- if settings['from'] == 'work' %};
    {{ profile360.identity_drop_table(scope) }}
    {%- endif %}
{%- endmacro %}

{#- Delta: the same statements (DELETE with an IN subquery, INSERT INTO). -#}
{% macro spark__get_incremental_replace_scope_sql(arg_dict) -%}
    {{ return(profile360.default__get_incremental_replace_scope_sql(arg_dict)) }}
{%- endmacro %}
