{#
    unique_combination_of_columns(combination_of_columns): no two rows share
    the same values of the listed columns, and none of them is NULL (a
    composite primary key). Fails with the offending combinations.
    (dbt_utils.unique_combination_of_columns, which we cannot install; the
    project-structure check counts it as a primary-key test.)
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as count_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having
        count(*) > 1
        {%- for column in combination_of_columns %}
            or {{ column }} is null
        {%- endfor %}
{% endtest %}
