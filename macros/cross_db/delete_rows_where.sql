{#
    delete_rows_where(relation, condition): the statement deleting the rows
    of `relation` where `condition` holds (a hook's row clean-up).
    Spark on Parquet has no DELETE: the rows kept are written aside
    (<relation>__kept, at execute time) and overwrite the table; Delta: the
    same DELETE.
#}
{% macro delete_rows_where(relation, condition) -%}
    {{ return(adapter.dispatch('delete_rows_where', 'profile360')(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_rows_where(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}

{% macro spark__delete_rows_where(relation, condition) -%}
    {%- if profile360.spark_file_format() == 'delta' -%}
        {{ profile360.default__delete_rows_where(relation, condition) }}
    {%- else -%}
        {%- set kept = relation.schema ~ '.' ~ relation.identifier ~ '__kept' -%}
        {%- if execute -%}
            {%- do run_query('drop table if exists ' ~ kept) -%}
            {%- do run_query('create table ' ~ kept ~ ' using parquet as select * from ' ~ relation
                ~ ' where not coalesce((' ~ condition ~ '), false)') -%}
        {%- endif -%}
    insert overwrite table {{ relation }} select * from {{ kept }}
    {%- endif -%}
{%- endmacro %}
