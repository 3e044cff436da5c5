{#
    spark__listagg: dbt's cross-database listagg (dbt.listagg) on Spark,
    honouring `order by` (dbt-spark's own ignores it with a warning, so a
    list's order would depend on the shuffle). The values are collected with
    their sort key and sorted before joining: the same text as DuckDB's
    string_agg(... order by ...). One sort expression, `asc` (default) or
    `desc`. dbt looks up macros of the dbt namespace in the root project
    first, so this one replaces dbt-spark's.
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set match = modules.re.match('(?is)^\s*order\s+by\s+(.+?)(\s+(asc|desc))?\s*$', order_by_clause) -%}
        {%- if match is none or ',' in match.group(1) -%}
            {{ exceptions.raise_compiler_error("spark__listagg supports one sort expression, got: " ~ order_by_clause) }}
        {%- endif -%}
        {%- set sorted -%}
            transform(
                array_sort(collect_list(named_struct('sort_key', {{ match.group(1) }}, 'value', {{ measure }}))),
                listed -> listed.value
            )
        {%- endset -%}
        {%- if match.group(3) and match.group(3) | lower == 'desc' -%}
            {%- set sorted = 'reverse(' ~ sorted ~ ')' -%}
        {%- endif -%}
    {%- else -%}
        {%- set sorted = 'collect_list(' ~ measure ~ ')' -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set sorted = 'slice(' ~ sorted ~ ', 1, ' ~ limit_num ~ ')' -%}
    {%- endif -%}
    array_join({{ sorted }}, {{ delimiter_text }})
{%- endmacro %}
