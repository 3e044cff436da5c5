{#
    try_cast(expression, type): cast that yields NULL instead of failing on
    a value that cannot be converted. dbt's own `dbt.safe_cast` is a plain
    cast on DuckDB (it errors on bad input), and staging needs NULL so the row
    can be quarantined with a reason.

    Text to an integer type means the same on every engine: the number,
    rounded half away from zero ('12.6' -> 13, '-12.5' -> -13), NULL when it
    is not a number or out of the type's range. DuckDB's try_cast does that
    itself; Spark's gives NULL for a decimal point, so spark__try_cast goes
    through a decimal.
#}
{% macro try_cast(expression, type) -%}
    {{ return(adapter.dispatch('try_cast', 'profile360')(expression, type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast(expression, type) -%}
    {%- if type | trim | lower in ('tinyint', 'smallint', 'int', 'integer', 'bigint', 'byte', 'short', 'long') -%}
    try_cast(round(try_cast({{ expression }} as decimal(38, 10)), 0) as {{ type }})
    {%- else -%}
    try_cast({{ expression }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
