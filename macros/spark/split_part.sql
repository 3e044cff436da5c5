{#
    spark__split_part: dbt.split_part on Spark through Spark's own split_part
    (3.3+; the delimiter is text, not a pattern). dbt-spark's version escapes
    the delimiter with a backslash literal, which the spark target's
    escapedStringLiterals=true keeps doubled, so nothing split (masked
    e-mails were NULL). Overrides dbt-spark's (root project first).
#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}
