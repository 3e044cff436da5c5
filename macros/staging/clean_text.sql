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
