{#
    Generic test is_normalized_identifier(identifier_type_column): fails on
    every row whose value is not already in the form the identity
    normalisers give (normalising it again would change it or reject it).
    For an identifier type: normalize_identifier_by_type(type, value) =
    value. For the blocklist's email_domain / email_local_part entries:
    lower-case, no @, no whitespace. NULL values pass (not_null is its own test).
#}
{% test is_normalized_identifier(model, column_name, identifier_type_column) %}

select *
from {{ model }}
where {{ column_name }} is not null
    and not coalesce(
        case
            when {{ identifier_type_column }} in ('email_domain', 'email_local_part')
                then {{ column_name }} = lower({{ column_name }})
                and {{ column_name }} not like '%@%'
                and not {{ profile360.regex_matches(column_name, '\\s') }}
            else {{ profile360.normalize_identifier_by_type(identifier_type_column, column_name) }}
                = {{ column_name }}
        end,
        false
    )

{% endtest %}
