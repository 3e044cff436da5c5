{#
    normalize_email(expression): the canonical form of an e-mail address, or
    NULL when it is not one.

      1. lower-case, every whitespace character removed (spaces typed inside
         the address, tabs, no-break and zero-width spaces), which trims too;
      2. syntax: one @, a non-empty local part of the characters mail systems
         accept, a domain of dot-separated labels (letters, digits, inner
         hyphens) ending in a TLD of 2+ letters: `a@a.a`, `an@gmail`,
         `an@@x.vn`, `an@gmail..com`, `unknown` are NULL;
      3. Gmail (gmail.com, googlemail.com): Gmail ignores dots in the local
         part and delivers `local+tag@` to `local@`, so dots and the `+tag`
         are removed and googlemail.com becomes gmail.com. Other providers
         keep both (a dot or a plus may be significant there). A Gmail address
         with nothing left of its local part is NULL.

    email_invalid_reason(expression): why a non-NULL value normalises to NULL
    (`bad_syntax`), NULL when it is valid.
#}
{% macro _email_syntax_pattern() -%}
    {{ return('^[a-z0-9!#$%&*+/=?^_{|}~.-]+@([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])+[a-z][a-z]+$') }}
{%- endmacro %}


{% macro _email_compact(expression) -%}
    lower({{ profile360.regex_replace_all(expression, '[\\s\\p{Z}\\x{200B}\\x{FEFF}]', '') }})
{%- endmacro %}


{% macro normalize_email(expression) -%}
    {%- set email = profile360._email_compact(expression) -%}
    {%- set gmail_local = "replace(" ~ profile360.regex_replace_all(email, '[+@].*$', '') ~ ", '.', '')" -%}
    case
        when not {{ profile360.regex_matches(email, profile360._email_syntax_pattern()) }} then null
        when {{ profile360.regex_matches(email, '@(gmail|googlemail)[.]com$') }} then
            case when {{ gmail_local }} <> '' then {{ gmail_local }} || '@gmail.com' end
        else {{ email }}
    end
{%- endmacro %}


{% macro email_invalid_reason(expression) -%}
    case when {{ profile360.normalize_email(expression) }} is null then 'bad_syntax' end
{%- endmacro %}
