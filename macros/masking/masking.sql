{#
    Masking of personal data for the BI schema `marts_masked`
    (models/marts/masked/, docs/privacy.md). The rules live here, once:

      mask_email(expr)     first character of the local part, `***@`, the
                           domain: `an.nguyen@gmail.com` -> `a***@gmail.com`.
                           A value without `@` gives `***`; NULL stays NULL.
      mask_phone(expr)     an E.164 number keeps its first 5 and last 2
                           characters (country code and carrier prefix, not
                           the subscriber): `+84901234567` -> `+8490*****67`.
                           A shorter value gives `***`; NULL stays NULL.
      name_initials(expr)  the initial of each word, upper case, with a dot:
                           `Nguyễn Văn An` -> `N. V. A.`; NULL stays NULL.
      year_only(expr)      the year of a date, as an integer (birth date ->
                           birth year).
    Free text that may hold personal data (identifier lists, addresses,
    names in other spellings) is not masked but left out of the masked
    models altogether.
#}
{% macro mask_email(expression) -%}
    case
        when {{ expression }} is null then null
        when {{ expression }} not like '%@%' then '***'
        else
            substr({{ dbt.split_part(expression, "'@'", 1) }}, 1, 1)
            || '***@'
            || {{ dbt.split_part(expression, "'@'", 2) }}
    end
{%- endmacro %}


{% macro mask_phone(expression) -%}
    case
        when {{ expression }} is null then null
        when length({{ expression }}) < 9 then '***'
        else
            substr({{ expression }}, 1, 5)
            || '*****'
            || substr({{ expression }}, length({{ expression }}) - 1)
    end
{%- endmacro %}


{% macro name_initials(expression) -%}
    {{ return(adapter.dispatch('name_initials', 'profile360')(expression)) }}
{%- endmacro %}

{#- The regex replacement refers to the captured initial: `\1` in DuckDB,
    `$1` in Spark (so not the shared regex_replace_all macro). -#}
{% macro default__name_initials(expression) -%}
    nullif(trim(upper(regexp_replace(trim({{ expression }}), '(\S)\S*\s*', '\1. ', 'g'))), '')
{%- endmacro %}

{% macro spark__name_initials(expression) -%}
    nullif(trim(upper(regexp_replace(trim({{ expression }}), '(\S)\S*\s*', '$1. '))), '')
{%- endmacro %}


{% macro year_only(expression) -%}
    cast(extract(year from {{ expression }}) as {{ dbt.type_int() }})
{%- endmacro %}
