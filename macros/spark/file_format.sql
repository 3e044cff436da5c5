{#- spark_file_format(): the table format of the spark target, var
    profile360__spark_file_format: parquet (default: plain Spark tables, no
    MERGE, UPDATE or DELETE) or delta where Delta Lake is installed. -#}
{% macro spark_file_format() -%}
    {{ return(var('profile360__spark_file_format', 'parquet')) }}
{%- endmacro %}
