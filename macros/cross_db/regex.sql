{#
    Regular expressions, the two operations the identity normalisers need.
    Patterns are RE2/Java-compatible text without single quotes, written
    as one literal for both engines: DuckDB's string literals keep a
    backslash, and so do Spark's under the spark target's
    spark.sql.parser.escapedStringLiterals=true (profiles.yml), which every
    model's literal relies on. Match is partial: anchor with ^ and $.

    regex_replace_all(expression, pattern, replacement) -> every match replaced
    regex_matches(expression, pattern)                  -> true when it matches
#}
{% macro _regex_literal(pattern, backslash_escapes=false) -%}
    {%- if "'" in pattern -%}
        {{ exceptions.raise_compiler_error("regex patterns may not contain a single quote: " ~ pattern) }}
    {%- endif -%}
    '{{ pattern | replace("\\", "\\\\") if backslash_escapes else pattern }}'
{%- endmacro %}


{% macro regex_replace_all(expression, pattern, replacement='') -%}
    {{ return(adapter.dispatch('regex_replace_all', 'profile360')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ profile360._regex_literal(pattern) }}, {{ profile360._regex_literal(replacement) }}, 'g')
{%- endmacro %}

{% macro spark__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ profile360._regex_literal(pattern) }}, {{ profile360._regex_literal(replacement) }})
{%- endmacro %}


{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'profile360')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ profile360._regex_literal(pattern) }})
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    ({{ expression }} rlike {{ profile360._regex_literal(pattern) }})
{%- endmacro %}


{#
    regex_tokens_join(expression, pattern, alias, column): a FROM-clause
    fragment (to follow a relation) that yields one row per match of
    `pattern` in `expression`, the matched text as alias.column; rows without
    a match yield none. DuckDB: CROSS JOIN UNNEST of regexp_extract_all;
    Spark: LATERAL VIEW EXPLODE of regexp_extract_all.
#}
{% macro regex_tokens_join(expression, pattern, alias, column) -%}
    {{ return(adapter.dispatch('regex_tokens_join', 'profile360')(expression, pattern, alias, column)) }}
{%- endmacro %}

{% macro default__regex_tokens_join(expression, pattern, alias, column) -%}
    cross join unnest(regexp_extract_all({{ expression }}, {{ profile360._regex_literal(pattern) }})) as {{ alias }} ({{ column }})
{%- endmacro %}

{% macro spark__regex_tokens_join(expression, pattern, alias, column) -%}
    lateral view explode(regexp_extract_all({{ expression }}, {{ profile360._regex_literal(pattern) }}, 0)) {{ alias }} as {{ column }}
{%- endmacro %}
