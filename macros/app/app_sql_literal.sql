{#
    app_sql_literal(sql_text): a rendered SQL expression written as a SQL
    string literal (quotes doubled, one line), so a model can store the
    expression as data (dim_search_normalizers_masked: the identity
    normalisers the Profile 360 app runs on a search term).
#}
{% macro app_sql_literal(sql_text) -%}
    '{{ sql_text | replace("'", "''") | replace("\n", " ") }}'
{%- endmacro %}
