-- One row per segment: every declaration of var profile360__segments (and
-- profile360__extra_segments) as data, and the lifecycle stage and
-- stage x tier pseudo-segments. Built from the declarations, so it always
-- lists exactly the segments int_segment_members computes.
{%- set rows = [] %}
{%- for declaration in profile360.segment_declarations() %}
    {%- set lookalike_of = declaration.get('lookalike_of') %}
    {%- do rows.append({
        'key': declaration.key, 'name': declaration.name, 'description': declaration.description,
        'owner': declaration.owner,
        'condition': declaration.condition if lookalike_of is none else
            'the ' ~ declaration.size ~ ' profiles outside ' ~ lookalike_of ~ ' most like its members (int_lookalike_scores)',
        'kind': 'declared' if lookalike_of is none else 'lookalike',
    }) %}
{%- endfor %}
{%- set lifecycle = profile360.lifecycle_segment_values() %}
{%- for stage in lifecycle.stages %}
    {%- do rows.append({
        'key': 'lifecycle_' ~ stage, 'name': 'Lifecycle stage: ' ~ stage,
        'description': 'Profiles in the ' ~ stage ~ ' lifecycle stage (int_lifecycle_stages).',
        'owner': 'profile360', 'condition': "lifecycle_stage = '" ~ stage ~ "'",
        'kind': 'lifecycle_stage',
    }) %}
    {%- for tier in lifecycle.tiers %}
        {%- do rows.append({
            'key': 'lifecycle_' ~ stage ~ '_' ~ tier, 'name': 'Lifecycle: ' ~ stage ~ ' x ' ~ tier,
            'description': 'Profiles in the ' ~ stage ~ ' stage and the ' ~ tier ~ ' tier (int_lifecycle_stages).',
            'owner': 'profile360',
            'condition': "lifecycle_stage_tier = '" ~ stage ~ '_' ~ tier ~ "'",
            'kind': 'lifecycle_stage_tier',
        }) %}
    {%- endfor %}
{%- endfor %}

with

declared as (

    {%- for row in rows %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ row.key }}' as segment_key,
            '{{ row.name | replace("'", "''") }}' as segment_name,
            '{{ row.description | replace("'", "''") }}' as segment_description,
            '{{ row.owner | replace("'", "''") }}' as segment_owner,
            {{ profile360.sql_string_literal(row.condition) }} as segment_condition,
            '{{ row.kind }}' as segment_kind,
            {{ loop.index }} as segment_order
    {%- endfor %}

),

final as (

    select
        cast(segment_key as {{ dbt.type_string() }}) as segment_key,
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(segment_description as {{ dbt.type_string() }}) as segment_description,
        cast(segment_owner as {{ dbt.type_string() }}) as segment_owner,
        cast(segment_condition as {{ dbt.type_string() }}) as segment_condition,
        cast(segment_kind as {{ dbt.type_string() }}) as segment_kind,
        cast(segment_order as {{ dbt.type_int() }}) as segment_order
    from declared

)

select * from final
