{#- Generic test: the model has exactly as many rows as `compare_model` (a ref or a
    source), e.g. a fact and the cleaned table it is built from. It always counts the
    whole model (see rebuilt_rows.sql). -#}
{% test equal_row_count(model, compare_model) %}

    {#- Totals of the whole table: never limited to an incremental build's rows. -#}
    {{ config(meta={'checks_whole_table': true}) }}

    with

    model_rows as (

        select count(*) as row_count from {{ model }}

    ),

    compare_rows as (

        select count(*) as row_count from {{ compare_model }}

    )

    select
        model_rows.row_count as model_row_count,
        compare_rows.row_count as compare_row_count
    from model_rows
    cross join compare_rows
    where model_rows.row_count != compare_rows.row_count

{% endtest %}
