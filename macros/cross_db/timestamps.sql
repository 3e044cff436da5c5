{#
    parse_timestamp_utc(text): an ISO-8601 timestamp with offset
    ('2026-11-22T08:15:00+07:00') as a timestamp without time zone in UTC, or
    NULL when the text is not a timestamp or lies outside 1900..2100 (DuckDB
    happily casts 'infinity'; no real event happens there).
#}
{% macro parse_timestamp_utc(text) -%}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'profile360')(text)) }}
{%- endmacro %}

{% macro default__parse_timestamp_utc(text) -%}
    case
        when {{ profile360.try_cast(text, 'timestamptz') }}
            between timestamptz '1900-01-01 00:00:00+00' and timestamptz '2100-01-01 00:00:00+00'
            then {{ profile360.try_cast(text, 'timestamptz') }} at time zone 'UTC'
    end
{%- endmacro %}

{% macro spark__parse_timestamp_utc(text) -%}
    {# Spark reads the offset and stores an instant; the session time zone must be UTC. #}
    case
        when try_cast({{ text }} as timestamp)
            between timestamp '1900-01-01 00:00:00' and timestamp '2100-01-01 00:00:00'
            then try_cast({{ text }} as timestamp)
    end
{%- endmacro %}


{#
    parse_date(text): a 'YYYY-MM-DD' date, or NULL when the text is not one.
#}
{% macro parse_date(text) -%}
    case
        when {{ profile360.try_cast(text, 'date') }}
            between cast('1900-01-01' as date) and cast('2100-01-01' as date)
            then {{ profile360.try_cast(text, 'date') }}
    end
{%- endmacro %}


{#
    load_timestamp(): the time this dbt invocation started, as a UTC timestamp.
    Used as the load time of staged rows, the same value for every model of a run.
#}
{% macro load_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#
    previous_load_at(relation): a scalar subquery, the newest _loaded_at in
    `relation` written before this invocation (its previous build), NULL when
    it holds none. What incremental models compare "since my last build" with.
#}
{% macro previous_load_at(relation) -%}
    (select max(_previous._loaded_at) from {{ relation }} as _previous
    where _previous._loaded_at < {{ profile360.load_timestamp() }})
{%- endmacro %}
