{#
    Layers are built into schemas named after them (`staging`, `identity`,
    `profiles`, ...), not `<target schema>_<layer>`: BI tools and the masked
    schema are pointed at stable names. Models without a custom schema go to
    the target's schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
