{#
    as_of_date_override(): the date traits and segments are computed as of,
    when one is asked for: var `profile360__as_of_date` (YYYY-MM-DD), by hand
    (`--vars '{profile360__as_of_date: 2026-10-01}'`), else the environment
    variable PROFILE360_AS_OF_DATE, which the backfill
    (`profile360 backfill-segments`) sets per day. The variable is read at
    execution only (not while parsing): a backfill's days share one parse,
    where a changed --vars, or an env var read at parse time, re-parses
    (the whole project, ~12 s a day). None when neither is set: the
    default, the latest day seen in the data, is then computed by
    int_as_of_date (not the wall clock, so the demo gives the same answer
    every day it is built). The one place the var is read.
#}
{% macro as_of_date_override() -%}
    {%- set value = var('profile360__as_of_date', none) -%}
    {%- if value is none or value | string | trim in ('', 'none', 'None', 'null') -%}
        {%- set value = env_var('PROFILE360_AS_OF_DATE', '') if execute else '' -%}
    {%- endif -%}
    {%- if value is none or value | string | trim in ('', 'none', 'None', 'null') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) is none -%}
        {{ exceptions.raise_compiler_error("profile360__as_of_date must be YYYY-MM-DD, got " ~ text) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{#
    days_before_as_of(timestamp_expression, as_of_date_expression): whole
    calendar days from the day of the timestamp to the as-of day (0 = on the
    as-of day). A window of N days holds the values 0 .. N-1.
#}
{% macro days_before_as_of(timestamp_expression, as_of_date_expression) -%}
    {{ dbt.datediff('cast(' ~ timestamp_expression ~ ' as date)', as_of_date_expression, 'day') }}
{%- endmacro %}
