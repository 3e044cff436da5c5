{#
    profile_attributes(): the golden-record attributes chosen by survivorship,
    in the order dim_profiles shows them. Which sources may supply each one,
    and the rule that picks the winner, are data: seeds/survivorship_rules.csv.
    Where each candidate value comes from is int_profile_attribute_candidates.
#}
{% macro profile_attributes() -%}
    {{ return(['full_name', 'gender', 'birth_date', 'occupation', 'city', 'province', 'email', 'phone']) }}
{%- endmacro %}


{#
    consent_purposes(): the consent purposes of the landing contract, one
    dim_profiles column each.
#}
{% macro consent_purposes() -%}
    {{ return(var('profile360__accepted_values')['consent_purpose']) }}
{%- endmacro %}
