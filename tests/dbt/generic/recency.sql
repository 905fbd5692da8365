{#- Generic test: the latest value of `column_name` is no older than `interval` units
    of `datepart` before now (the model is still being loaded). -#}
{% test recency(model, column_name, datepart, interval) %}

    with

    latest as (

        select max({{ column_name }}) as latest_at from {{ model }}

    )

    select latest_at
    from latest
    where latest_at is null
       or latest_at < {{ dbt.dateadd(datepart, -1 * interval, dbt.current_timestamp()) }}

{% endtest %}
