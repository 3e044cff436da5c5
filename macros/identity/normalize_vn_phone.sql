{#
    normalize_vn_phone(expression): a Vietnamese mobile number in E.164,
    `+84` and 9 digits, or NULL when the value is not one.

      1. every non-digit is removed: `+84 912 345 678`, `0912.345.678`,
         `(+84) 912-345-678` and `0912345678` all become digits;
      2. the country code goes: a leading `0084`, or `84` when 11+ digits
         remain (84 + 9 or 10 national digits; a 9- or 10-digit string
         starting with 84 is a national number, 084 being a mobile prefix);
         then one trunk `0` (`+84 (0) 912...` is common);
      3. the national number left has 9 digits; a 10-digit number with an
         old 11-digit-era prefix (1xx) is converted by the 2018 table in
         vn_mobile_prefix_changes();
      4. only mobile prefixes 3, 5, 7, 8, 9 (03x/05x/07x/08x/09x) are
         kept. Placeholders are NULL: the 8+ digits after the first all
         the same (0000000000, 0999999999, 0900000000, 1111111111) or the
         runs 123456789 / 987654321 (0123456789, 0987654321). Landlines
         (02x + 8 digits), unconverted 1xx numbers, foreign and short
         numbers are NULL.
         A number missing its leading 0 (a spreadsheet ate it: `912345678`)
         is read as national.

    vn_phone_invalid_reason(expression): why a non-NULL value normalises to
    NULL, NULL when it is valid: no_digits, placeholder, landline,
    unmapped_old_prefix, not_mobile_prefix, bad_length.
#}

{#
    The 2018 conversion of 11-digit mobile numbers to 10 digits (Ministry of
    Information and Communications, September to November 2018): old prefix
    -> new prefix, both written without the trunk 0 (0162 -> 032 is
    '162': '32'). The one place this table lives.
#}
{% macro vn_mobile_prefix_changes() -%}
    {{ return({
        '162': '32', '163': '33', '164': '34', '165': '35',
        '166': '36', '167': '37', '168': '38', '169': '39',
        '120': '70', '121': '79', '122': '77', '126': '76', '128': '78',
        '123': '83', '124': '84', '125': '85', '127': '81', '129': '82',
        '186': '56', '188': '58', '199': '59',
    }) }}
{%- endmacro %}


{#
    The steps as SQL expressions over `expression`: digits, national (no
    country code, no trunk 0), current (old prefix converted; NULL for a
    10-digit number whose 1xx prefix is not in the table), is_placeholder
    (a 9+ digit national number typed to fill the field, not a subscriber's).
#}
{% macro _vn_phone_parts(expression) -%}
    {%- set digits = profile360.regex_replace_all(expression, '[^0-9]', '') -%}
    {%- set without_country = "case when length(" ~ digits ~ ") >= 11 then "
        ~ profile360.regex_replace_all(digits, '^(00)?84', '') ~ " else " ~ digits ~ " end" -%}
    {%- set national = profile360.regex_replace_all(without_country, '^0', '') -%}
    {%- set old_prefix -%}
        case substr({{ national }}, 1, 3)
            {%- for old, new in profile360.vn_mobile_prefix_changes().items() %}
            when '{{ old }}' then '{{ new }}'
            {%- endfor %}
        end
    {%- endset -%}
    {%- set current = "case when length(" ~ national ~ ") = 10 then " ~ old_prefix
        ~ " || substr(" ~ national ~ ", 4) else " ~ national ~ " end" -%}
    {%- set is_placeholder = "(length(" ~ national ~ ") >= 9 and (replace(substr(" ~ national ~ ", 2), substr("
        ~ national ~ ", 2, 1), '') = '' or " ~ national ~ " in ('123456789', '1234567890', '987654321', '9876543210')))" -%}
    {{ return({'digits': digits, 'national': national, 'current': current, 'is_placeholder': is_placeholder}) }}
{%- endmacro %}


{% macro normalize_vn_phone(expression) -%}
    {%- set phone = profile360._vn_phone_parts(expression) -%}
    case
        when {{ phone.is_placeholder }} then null
        when {{ profile360.regex_matches(phone.current, '^[35789][0-9]{8}$') }}
            then '+84' || {{ phone.current }}
    end
{%- endmacro %}


{% macro vn_phone_invalid_reason(expression) -%}
    {%- set phone = profile360._vn_phone_parts(expression) -%}
    case
        when {{ phone.digits }} = '' then 'no_digits'
        when {{ phone.is_placeholder }} then 'placeholder'
        when {{ profile360.regex_matches(phone.current, '^[35789][0-9]{8}$') }} then null
        when length({{ phone.national }}) = 10 and {{ phone.national }} like '2%' then 'landline'
        when length({{ phone.national }}) = 10 and {{ phone.national }} like '1%' then 'unmapped_old_prefix'
        when length({{ phone.national }}) = 9 then 'not_mobile_prefix'
        else 'bad_length'
    end
{%- endmacro %}
