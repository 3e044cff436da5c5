{#
    is_between(min_value, max_value): every non-NULL value of the column lies
    in [min_value, max_value] (either bound may be omitted). Fails with the
    offending rows. (dbt_utils.accepted_range, which we cannot install.)
#}
{% test is_between(model, column_name, min_value=none, max_value=none) %}
    select *
    from {{ model }}
    where {{ column_name }} is not null
        and (
            {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% else %} false{% endif %}
            or {%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% else %} false{% endif %}
        )
{% endtest %}
