{#
    app_sql_literal(sql_text): a rendered SQL expression written as a SQL
    string literal (quotes doubled, one line), so a model can store the
    expression as data (dim_search_normalizers_masked: the identity
    normalisers the Profile 360 app runs on a search term).
#}
{% macro app_sql_literal(sql_text) -%}
    {{ profile360.sql_string_literal(sql_text | replace("\n", " ")) }}
{%- endmacro %}


{#- sql_string_literal(text): any text as a SQL string literal. DuckDB: quotes
    doubled. Spark (string literals kept raw on the spark target, so neither
    '' nor \' is a quote there): the pieces between quotes joined with chr(39). -#}
{% macro sql_string_literal(text) -%}
    {{ return(adapter.dispatch('sql_string_literal', 'profile360')(text)) }}
{%- endmacro %}

{% macro default__sql_string_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_string_literal(text) -%}
    {%- if "'" in text -%}
    concat('{{ text.split("'") | join("', chr(39), '") }}')
    {%- else -%}
    '{{ text }}'
    {%- endif -%}
{%- endmacro %}
