{#
    delete_rows_where(relation, condition): the statement deleting the rows
    of `relation` where `condition` holds (a hook's row clean-up).
    Spark on Parquet has no DELETE: the touched partitions are rewritten
    without those rows (spark_rewrite_rows, macros/spark/incremental.sql;
    the model's partition_by when `relation` is the model's own table, a
    whole rewrite otherwise); Delta: the same DELETE.
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
        {{ profile360.spark_rewrite_rows(relation, condition,
            partition_by=config.get('partition_by') if (relation | string) == (this | string) else none) }}
    {%- endif -%}
{%- endmacro %}
