{#
    segment_declarations(): every declared segment, the one list segments are
    made from: var `profile360__segments` (dbt_project.yml) followed by var
    `profile360__extra_segments` (empty by default: a place to add segments on
    the command line or in a deployment without editing the shipped list).
    Each declaration: key (lower-case snake case, unique), name, description,
    owner, and condition, a SQL boolean over the columns of dim_profile_traits
    plus lifecycle_stage, lifecycle_tier and lifecycle_stage_tier. Adding a
    segment is adding a declaration: no SQL file.
#}
{% macro segment_declarations() -%}
    {%- set declarations = (var('profile360__segments', []) or []) + (var('profile360__extra_segments', []) or []) -%}
    {%- set seen = [] -%}
    {%- for declaration in declarations -%}
        {#- A lookalike audience (macros/segments/lookalikes.sql) has lookalike_of and size instead of a condition. -#}
        {%- set rule_fields = ['lookalike_of', 'size'] if declaration.get('lookalike_of') is not none else ['condition'] -%}
        {%- for field in ['key', 'name', 'description', 'owner'] + rule_fields -%}
            {%- if not declaration.get(field) -%}
                {{ exceptions.raise_compiler_error("segment declaration " ~ declaration ~ " has no " ~ field) }}
            {%- endif -%}
        {%- endfor -%}
        {%- if modules.re.match('^[a-z][a-z0-9_]*$', declaration.key) is none -%}
            {{ exceptions.raise_compiler_error("segment key must be lower-case snake case: " ~ declaration.key) }}
        {%- endif -%}
        {%- if declaration.key in seen or declaration.key.startswith('lifecycle_') -%}
            {{ exceptions.raise_compiler_error("segment key declared twice or reserved (lifecycle_*): " ~ declaration.key) }}
        {%- endif -%}
        {%- do seen.append(declaration.key) -%}
    {%- endfor -%}
    {{ return(declarations) }}
{%- endmacro %}


{#
    lifecycle_segment_values(): the lifecycle stages and tiers, which become
    pseudo-segments (`lifecycle_<stage>`, `lifecycle_<stage>_<tier>`) so that
    their membership history is kept like any segment's.
#}
{% macro lifecycle_segment_values() -%}
    {{ return({
        'stages': ['visitor', 'lead', 'customer', 'loyal', 'advocate'],
        'tiers': ['high', 'mid', 'low'],
    }) }}
{%- endmacro %}


{#
    segment_membership(relation): one select per declared segment (but
    lookalike audiences: int_segment_members adds them), in a
    union: profile_id and segment_key of every row of `relation` (a profile
    with its traits and lifecycle columns) for which the condition holds;
    then the lifecycle stage and stage x tier pseudo-segments.
#}
{% macro segment_membership(relation) -%}
    {%- for declaration in profile360.segment_declarations() if declaration.get('lookalike_of') is none %}
    select
        profile_id,
        '{{ declaration.key }}' as segment_key
    from {{ relation }}
    where coalesce(({{ declaration.condition }}), false)
    union all
    {%- endfor %}
    select
        profile_id,
        {{ dbt.concat(["'lifecycle_'", 'lifecycle_stage']) }} as segment_key
    from {{ relation }}
    union all
    select
        profile_id,
        {{ dbt.concat(["'lifecycle_'", 'lifecycle_stage_tier']) }} as segment_key
    from {{ relation }}
{%- endmacro %}
