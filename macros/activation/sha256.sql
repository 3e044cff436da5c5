{#
    sha256_hex(expression): the SHA-256 digest of a text, as 64 lower-case
    hex characters (what Google and Meta customer-match uploads expect);
    NULL for NULL. Unsalted: only for values the platforms hash themselves
    (audience uploads), never for erasure (that is salted_sha256).
#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'profile360')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}
