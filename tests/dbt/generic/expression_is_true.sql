{#- Generic test: fails for every row where the SQL expression is not true.
    Usage (column or model level):
      data_tests:
        - expression_is_true:
            arguments:
              expression: "price_brl >= 0"
    The optional `where` config restricts the rows checked. -#}
{% test expression_is_true(model, expression, column_name=none) %}

    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)

{% endtest %}
