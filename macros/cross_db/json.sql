{#
    JSON helpers for JSON Lines sources, which staging reads one raw line per
    row so that a broken line can be quarantined.

    try_parse_json(text)   -> the text when it is one valid JSON object, else NULL
    json_text(doc, key)    -> the value at top-level key as text (NULL if absent)
    json_object(doc, key)  -> the nested object at key, as JSON text (NULL if
                              absent or JSON null)
#}
{% macro try_parse_json(text) -%}
    {{ return(adapter.dispatch('try_parse_json', 'profile360')(text)) }}
{%- endmacro %}

{% macro default__try_parse_json(text) -%}
    case when json_valid({{ text }}) and json_type({{ text }}) = 'OBJECT' then {{ text }} end
{%- endmacro %}

{% macro spark__try_parse_json(text) -%}
    case when from_json({{ text }}, 'map<string,string>') is not null then {{ text }} end
{%- endmacro %}


{% macro json_text(doc, key) -%}
    {{ return(adapter.dispatch('json_text', 'profile360')(doc, key)) }}
{%- endmacro %}

{% macro default__json_text(doc, key) -%}
    json_extract_string({{ doc }}, '$.{{ key }}')
{%- endmacro %}

{% macro spark__json_text(doc, key) -%}
    get_json_object({{ doc }}, '$.{{ key }}')
{%- endmacro %}


{% macro json_object(doc, key) -%}
    {{ return(adapter.dispatch('json_object', 'profile360')(doc, key)) }}
{%- endmacro %}

{% macro default__json_object(doc, key) -%}
    nullif(cast(json_extract({{ doc }}, '$.{{ key }}') as varchar), 'null')
{%- endmacro %}

{% macro spark__json_object(doc, key) -%}
    get_json_object({{ doc }}, '$.{{ key }}')
{%- endmacro %}


{#
    record_as_json(columns): the named columns of the current row as one JSON
    object text, so a quarantined CSV row keeps its raw values.
#}
{% macro record_as_json(columns) -%}
    {{ return(adapter.dispatch('record_as_json', 'profile360')(columns)) }}
{%- endmacro %}

{% macro default__record_as_json(columns) -%}
    cast(to_json({ {%- for column in columns %}'{{ column }}': {{ column }}{{ ", " if not loop.last }}{% endfor -%} }) as varchar)
{%- endmacro %}

{% macro spark__record_as_json(columns) -%}
    to_json(named_struct({%- for column in columns %}'{{ column }}', {{ column }}{{ ", " if not loop.last }}{% endfor -%}), map('ignoreNullFields', 'false'))
{%- endmacro %}
