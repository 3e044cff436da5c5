{#
    clean_text(expression): trimmed text, or NULL when the value is one of the
    landing contract's missing markers (var profile360__missing_markers:
    empty, null, NULL, N/A, none, -), compared case-insensitively.
#}
{% macro clean_text(expression) -%}
    case
        when lower(trim({{ expression }})) in (
            {%- for marker in var('profile360__missing_markers') -%}
                '{{ marker }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        ) then null
        else trim({{ expression }})
    end
{%- endmacro %}


{#
    landing_file(path): the file a row came from, relative to the landing root
    ('web_events/2026-06-01.jsonl'), so it reads the same on every machine.
#}
{% macro landing_file(path) -%}
    regexp_extract({{ path }}, '[^/\\\\]+[/\\\\][^/\\\\]+$', 0)
{%- endmacro %}


{#
    landing_columns(columns): the select list of a CSV source's `cleaned`
    step: every landing column through clean_text under its own name, then
    the lineage columns _source_file and _raw_record (the untouched values).
#}
{% macro landing_columns(columns) -%}
    {%- for column in columns %}
    {{ profile360.clean_text(column) }} as {{ column }},
    {%- endfor %}
    {{ profile360.landing_file('filename') }} as _source_file,
    {{ profile360.record_as_json(columns) }} as _raw_record
{%- endmacro %}


{#
    landing_json_fields(fields): the select list of a JSON Lines source's
    `cleaned` step, over a relation with (_source_file, _raw_record, doc):
    the lineage and parsed document, every top-level field through clean_text
    under its own name, and the nested `properties` object as JSON text
    (NULL when absent or JSON null).
#}
{% macro landing_json_fields(fields) -%}
    _source_file,
    _raw_record,
    doc,
    {%- for field in fields %}
    {{ profile360.clean_text(profile360.json_text('doc', field)) }} as {{ field }},
    {%- endfor %}
    {{ profile360.json_object('doc', 'properties') }} as properties
{%- endmacro %}
