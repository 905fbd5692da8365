{#- Generic test: no two rows share the same values of `combination_of_columns`
    (a composite primary key). Fails with one row per duplicated combination. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

    {%- set columns = combination_of_columns | join(', ') %}
    select
        {{ columns }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns }}
    having count(*) > 1

{% endtest %}
