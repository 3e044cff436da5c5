{#
    Layers are built into schemas named after them (`staging`, `identity`,
    `profiles`, ...), not `<target schema>_<layer>`: BI tools and the masked
    schema are pointed at stable names. Models without a custom schema go to
    the target's schema.

    A segment backfill (`profile360 backfill-segments`, the Dagster job
    profile360_segment_backfill) sets PROFILE360_SEGMENT_BACKFILL=1: the
    models computed as of a day (tag `as_of`: traits and segments) are then
    built into their own schemas, `<layer>_backfill` (traits_backfill,
    segments_backfill), from the live identity and profiles. The live traits,
    segments, their history and everything read from them stay as they are.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif profile360.is_segment_backfill() and 'as_of' in (node.config.tags or []) -%}
        {{ custom_schema_name | trim }}_backfill
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}


{#- True in a segment backfill (env var PROFILE360_SEGMENT_BACKFILL set to 1). -#}
{% macro is_segment_backfill() -%}
    {{ return(env_var('PROFILE360_SEGMENT_BACKFILL', '0') | trim in ('1', 'true', 'on', 'yes')) }}
{%- endmacro %}
