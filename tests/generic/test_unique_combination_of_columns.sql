{#
    unique_combination_of_columns(combination_of_columns): no two rows share
    the same values of all the listed columns (a compound primary key; pair
    it with not_null on each column). Fails with each duplicated combination
    and how often it occurs. (dbt_utils' test of the same name, which we
    cannot install.)
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
