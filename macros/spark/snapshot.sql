{#
    dbt-spark's snapshot materialization (dbt-spark 1.11.0,
    macros/materializations/snapshot.sql), copied with one change: plain
    Parquet tables are accepted (the spark target without Delta). The first
    run creates the table as dbt-spark does; a later run has no MERGE on
    Parquet, so spark_parquet_snapshot_merge() writes the merged rows aside,
    overwrites the snapshot with them and drops them (the same rows as dbt-spark's
    MERGE: open periods closed by an update or delete, new periods
    inserted). Delta, Iceberg and Hudi go through dbt-spark's MERGE as
    before. Defined in the root project, it takes precedence over the
    adapter's.
#}
{% macro spark_parquet_snapshot_merge(target, source) -%}
    {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
    {%- set aside = api.Relation.create(schema=target.schema, identifier=target.identifier ~ '__merged', type='table') -%}
    {%- set target_columns = adapter.get_columns_in_relation(target) | map(attribute='name') | list -%}
    {%- set closed = [] -%}
    {%- set inserted = [] -%}
    {%- for name in target_columns -%}
        {%- if name | lower == columns.dbt_valid_to | lower -%}
            {%- do closed.append('case when changed.' ~ columns.dbt_scd_id ~ ' is not null and stored.' ~ name
                ~ ' is null then changed.' ~ name ~ ' else stored.' ~ name ~ ' end as ' ~ name) -%}
        {%- else -%}
            {%- do closed.append('stored.' ~ name) -%}
        {%- endif -%}
        {%- do inserted.append('new_rows.' ~ name) -%}
    {%- endfor -%}
    {%- if execute -%}
        {%- do run_query('drop table if exists ' ~ aside) -%}
        {%- do run_query(
            'create table ' ~ aside ~ ' using parquet as select ' ~ closed | join(', ')
            ~ ' from ' ~ target ~ ' as stored left join (select ' ~ columns.dbt_scd_id ~ ', ' ~ columns.dbt_valid_to
            ~ ' from ' ~ source ~ " where dbt_change_type in ('update', 'delete')) as changed on changed."
            ~ columns.dbt_scd_id ~ ' = stored.' ~ columns.dbt_scd_id
            ~ ' union all select ' ~ inserted | join(', ') ~ ' from ' ~ source ~ ' as new_rows'
            ~ " where new_rows.dbt_change_type = 'insert' and new_rows." ~ columns.dbt_scd_id
            ~ ' not in (select ' ~ columns.dbt_scd_id ~ ' from ' ~ target ~ ')'
        ) -%}
        {#- The overwrite here, so that the snapshot's main statement drops
            the merged rows written aside (they hold every record's row,
            erased ones too until the post-hooks forget them). -#}
        {%- do run_query('insert overwrite table ' ~ target ~ ' select * from ' ~ aside) -%}
    {%- endif -%}
    drop table if exists {{ aside }}
{%- endmacro %}


{% materialization snapshot, adapter='spark' %}

  {%- set target_table = model.get('alias', model.get('name')) -%}

  {%- set strategy_name = config.get('strategy') -%}
  {%- set unique_key = config.get('unique_key') %}
  {%- set file_format = config.get('file_format') or 'parquet' -%}
  {%- set grant_config = config.get('grants') -%}

  {% set target_relation_exists, target_relation = get_or_create_relation(
          database=none,
          schema=model.schema,
          identifier=target_table,
          type='table') -%}

  {%- if file_format not in ['delta', 'iceberg', 'hudi', 'parquet'] -%}
    {% set invalid_format_msg -%}
      Invalid file format: {{ file_format }}
      Snapshot functionality requires file_format be set to 'delta' or 'iceberg' or 'hudi'
    {%- endset %}
    {% do exceptions.raise_compiler_error(invalid_format_msg) %}
  {% endif %}

  {%- if target_relation_exists and file_format != 'parquet' -%}
    {%- if not target_relation.is_delta and not target_relation.is_iceberg and not target_relation.is_hudi -%}
      {% set invalid_format_msg -%}
        The existing table {{ model.schema }}.{{ target_table }} is in another format than 'delta' or 'iceberg' or 'hudi'
      {%- endset %}
      {% do exceptions.raise_compiler_error(invalid_format_msg) %}
    {% endif %}
  {% endif %}

  {% if not adapter.check_schema_exists(model.database, model.schema) %}
    {% do create_schema(model.schema) %}
  {% endif %}

  {%- if not target_relation.is_table -%}
    {% do exceptions.relation_wrong_type(target_relation, 'table') %}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set strategy_macro = strategy_dispatch(strategy_name) %}
  {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

  {% if not target_relation_exists %}

      {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
      {% set final_sql = create_table_as(False, target_relation, build_sql) %}

  {% else %}

      {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}

      {{ adapter.valid_snapshot_target(target_relation, columns) }}

      {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}

      -- this may no-op if the database does not require column expansion
      {% do adapter.expand_target_column_types(from_relation=staging_table,
                                               to_relation=target_relation) %}

      {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
                                   | rejectattr('name', 'equalto', 'dbt_change_type')
                                   | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                   | rejectattr('name', 'equalto', 'dbt_unique_key')
                                   | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                   | list %}

      {% do create_columns(target_relation, missing_columns) %}

      {% set source_columns = adapter.get_columns_in_relation(staging_table)
                                   | rejectattr('name', 'equalto', 'dbt_change_type')
                                   | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                   | rejectattr('name', 'equalto', 'dbt_unique_key')
                                   | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                   | list %}

      {% set quoted_source_columns = [] %}
      {% for column in source_columns %}
        {% do quoted_source_columns.append(adapter.quote(column.name)) %}
      {% endfor %}

      {% if file_format == 'parquet' %}
        {% set final_sql = profile360.spark_parquet_snapshot_merge(target_relation, staging_table) %}
      {% else %}
      {% set final_sql = snapshot_merge_sql(
            target = target_relation,
            source = staging_table,
            insert_cols = quoted_source_columns
         )
      %}
      {% endif %}

  {% endif %}

  {% call statement('main') %}
      {{ final_sql }}
  {% endcall %}

  {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  {{ adapter.commit() }}

  {% if staging_table is defined %}
      {% do post_snapshot(staging_table) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}
