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
    {%- set refused = [] -%}
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
        {%- set problem = profile360.validate_segment_condition(declaration.key, declaration.condition) -%}
        {%- if problem -%}
            {%- do refused.append(problem) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Every refused condition at once, one line each, so one build names them all. -#}
    {%- if refused -%}
        {{ exceptions.raise_compiler_error(refused | join('\n')) }}
    {%- endif -%}
    {{ return(declarations) }}
{%- endmacro %}


{#
    validate_segment_condition(key, condition): a condition is pasted into
    SQL, so it may hold only (docs/segments.md, "Who may edit segments"):
      - the columns of dim_profile_traits (its documented, contract-enforced
        columns) and lifecycle_stage, lifecycle_tier, lifecycle_stage_tier;
      - string literals in single quotes, numbers;
      - the keywords and operators of segment_condition_grammar();
      - calls of the functions it lists.
    Anything else (a dot, as in profiles.dim_profiles; a double quote; a
    semicolon or comment; a subquery; a function such as read_csv) fails the
    build, naming the segment key and the offending token. Returns that
    message (the first offending token of the condition), or '' when the
    condition is allowed: segment_declarations() fails once, listing every
    refused segment.
#}
{% macro segment_condition_grammar() -%}
    {{ return({
        'keywords': ['and', 'or', 'not', 'is', 'null', 'true', 'false', 'in', 'between', 'like',
                     'case', 'when', 'then', 'else', 'end', 'distinct', 'from'],
        'functions': ['coalesce', 'nullif', 'abs', 'round', 'floor', 'ceil', 'greatest', 'least',
                      'lower', 'upper', 'length', 'trim'],
        'operators': ['=', '<>', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '(', ')', ','],
        'lifecycle_columns': ['lifecycle_stage', 'lifecycle_tier', 'lifecycle_stage_tier'],
    }) }}
{%- endmacro %}

{% macro validate_segment_condition(key, condition) -%}
    {%- set nodes = (graph.get('nodes') or {}) if graph is mapping else {} -%}
    {#- Unit tests compile without the project graph: their conditions are fixtures. -#}
    {%- if execute and nodes -%}
        {%- set grammar = profile360.segment_condition_grammar() -%}
        {%- set columns = grammar.lifecycle_columns | list -%}
        {%- for node in nodes.values() if node.resource_type == 'model' and node.name == 'dim_profile_traits' -%}
            {%- for column in node.columns -%}
                {%- do columns.append(column | lower) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set pattern = "\\s+|'(?:[^']|'')*'|[0-9]+(?:[.][0-9]+)?|[A-Za-z_][A-Za-z0-9_]*|<=|>=|<>|!=|[-=<>()+*/%,]|." -%}
        {%- set tokens = [] -%}
        {%- for token in modules.re.findall(pattern, condition | string) if token | trim != '' -%}
            {%- do tokens.append(token) -%}
        {%- endfor -%}
        {%- for token in tokens -%}
            {%- set word = token | lower -%}
            {%- set next = tokens[loop.index] if loop.index < tokens | length else '' -%}
            {%- if modules.re.match('^[a-z_]', word) -%}
                {%- set allowed = (word in grammar.functions and next == '(')
                    or (word in grammar.keywords) or (word in columns and next != '(') -%}
            {%- else -%}
                {%- set allowed = token in grammar.operators or modules.re.match("^('(?:[^']|'')*'|[0-9]+([.][0-9]+)?)$", token) -%}
            {%- endif -%}
            {%- if not allowed -%}
                {{ return("segment " ~ key ~ ": the condition may not use " ~ token ~ " (only the columns of "
                    ~ "dim_profile_traits and lifecycle_stage/tier, literals, and the functions and operators "
                    ~ "of segment_condition_grammar() in macros/segments/segments.sql): " ~ condition) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
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
