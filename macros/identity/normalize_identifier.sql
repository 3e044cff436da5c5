{#
    normalize_identifier(expression): an opaque identifier (cookie, device,
    customer, loyalty, Zalo user id) trimmed, or NULL when it is a
    placeholder rather than an id:
      - one of identifier_placeholders(), compared lower-cased: the landing
        contract's missing markers plus what SDKs, JavaScript and cashiers
        write for "no id" (undefined, unknown, guest, khach le, ...);
      - zeros and dashes only: `0`, `000000`, `-`, and the all-zero UUID
        `00000000-0000-0000-0000-000000000000` (an iOS/Android advertising
        id when tracking is off).
    A UUID-shaped id is lower-cased: UUIDs are case-insensitive (RFC 4122),
    and iOS writes them in upper case where web SDKs use lower case. Any
    other id keeps its case.

    identifier_invalid_reason(expression): `placeholder` when the value
    normalises to NULL, else NULL.
#}
{% macro identifier_placeholders() -%}
    {{ return(var('profile360__missing_markers') + [
        '0', 'nil', 'nan', 'na', 'undefined', 'unknown', '(null)', '[object object]',
        'guest', 'anonymous', 'test', 'khach le', 'khachle', 'khách lẻ',
    ]) }}
{%- endmacro %}


{% macro normalize_identifier(expression) -%}
    case
        when lower(trim({{ expression }})) in (
            {%- for placeholder in profile360.identifier_placeholders() -%}
                '{{ placeholder }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        ) then null
        when {{ profile360.regex_matches('trim(' ~ expression ~ ')', '^[0-]+$') }} then null
        when {{ profile360.regex_matches(
            'trim(' ~ expression ~ ')',
            '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
        ) }} then lower(trim({{ expression }}))
        else trim({{ expression }})
    end
{%- endmacro %}


{% macro identifier_invalid_reason(expression) -%}
    case when {{ profile360.normalize_identifier(expression) }} is null then 'placeholder' end
{%- endmacro %}


{#
    normalize_identifier_by_type(identifier_type, expression) and
    invalid_identifier_reason_by_type(identifier_type, expression): the
    normaliser (or its reason) that fits each row's identifier type, for
    models holding several types in one column. `identifier_type` is a SQL
    expression: email, phone, or any other type (a generic id).
#}
{% macro normalize_identifier_by_type(identifier_type, expression) -%}
    case {{ identifier_type }}
        when 'email' then {{ profile360.normalize_email(expression) }}
        when 'phone' then {{ profile360.normalize_vn_phone(expression) }}
        else {{ profile360.normalize_identifier(expression) }}
    end
{%- endmacro %}


{% macro invalid_identifier_reason_by_type(identifier_type, expression) -%}
    case {{ identifier_type }}
        when 'email' then {{ profile360.email_invalid_reason(expression) }}
        when 'phone' then {{ profile360.vn_phone_invalid_reason(expression) }}
        else {{ profile360.identifier_invalid_reason(expression) }}
    end
{%- endmacro %}
