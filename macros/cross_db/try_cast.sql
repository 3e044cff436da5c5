{#
    try_cast(expression, type): cast that yields NULL instead of failing on
    a value that cannot be converted. dbt's own `dbt.safe_cast` is a plain
    cast on DuckDB (it errors on bad input), and staging needs NULL so the row
    can be quarantined with a reason.
#}
{% macro try_cast(expression, type) -%}
    {{ return(adapter.dispatch('try_cast', 'profile360')(expression, type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}
