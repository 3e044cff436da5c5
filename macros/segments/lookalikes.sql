{#
    Lookalike audiences (docs/segments: models/segments/int_lookalike_*).
    Declared like any segment, in var profile360__segments (or
    profile360__extra_segments), with `lookalike_of` and `size` instead of a
    condition:

        - key: champions_lookalike
          name: Champions lookalike
          description: ...
          owner: crm
          lookalike_of: champions     # a declared segment with a condition
          size: 500                   # members: the most alike profiles

    Their members (int_segment_members) are the `size` profiles outside the
    seed segment whose traits most resemble the seed's members
    (int_lookalike_scores), so they get membership history, the comparison
    report and consent-filtered exports like any segment.

      lookalike_declarations()   the lookalike declarations, validated: the
                                 seed is a declared segment with a condition
                                 (not a lookalike, not a lifecycle stage),
                                 size a positive whole number, no condition
                                 beside them.
      lookalike_features()       var profile360__lookalike_features: name ->
                                 a numeric SQL expression over a profile row
                                 (dim_profile_traits plus lifecycle_stage,
                                 lifecycle_tier, lifecycle_stage_tier).
#}
{% macro lookalike_declarations() -%}
    {%- set declarations = profile360.segment_declarations() -%}
    {%- set seeds = {} -%}
    {%- for declaration in declarations if declaration.get('lookalike_of') is none -%}
        {%- do seeds.update({declaration.key: declaration}) -%}
    {%- endfor -%}
    {%- set lookalikes = [] -%}
    {%- set refused = [] -%}
    {%- for declaration in declarations if declaration.get('lookalike_of') is not none -%}
        {%- set problems = [] -%}
        {%- if declaration.get('condition') -%}
            {%- do problems.append("lookalike segment " ~ declaration.key ~ " has a condition: a lookalike is defined by lookalike_of and size only") -%}
        {%- endif -%}
        {%- if declaration.lookalike_of not in seeds -%}
            {%- do problems.append("lookalike segment " ~ declaration.key ~ ": lookalike_of '" ~ declaration.lookalike_of ~ "' is not a declared segment with a condition") -%}
        {%- endif -%}
        {%- if declaration.size is not number or declaration.size != declaration.size | int or declaration.size < 1 -%}
            {%- do problems.append("lookalike segment " ~ declaration.key ~ ": size must be a positive whole number, got " ~ declaration.size) -%}
        {%- endif -%}
        {%- if problems -%}
            {%- do refused.extend(problems) -%}
        {%- else -%}
            {%- do lookalikes.append({
                'key': declaration.key, 'lookalike_of': declaration.lookalike_of, 'size': declaration.size | int,
                'seed_condition': seeds[declaration.lookalike_of].condition,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Every refused declaration at once, one line each. -#}
    {%- if refused -%}
        {{ exceptions.raise_compiler_error(refused | join('\n')) }}
    {%- endif -%}
    {{ return(lookalikes) }}
{%- endmacro %}


{% macro lookalike_features() -%}
    {%- set features = var('profile360__lookalike_features') -%}
    {%- if not features -%}
        {{ exceptions.raise_compiler_error("var profile360__lookalike_features is empty") }}
    {%- endif -%}
    {%- for name in features -%}
        {%- if modules.re.match('^[a-z][a-z0-9_]*$', name) is none -%}
            {{ exceptions.raise_compiler_error("lookalike feature name must be lower-case snake case: " ~ name) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(features) }}
{%- endmacro %}
