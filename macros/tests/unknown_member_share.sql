{#- Generic test: at most `max_share` of the non-null values of a foreign key point to
    the dimension's unknown member. The unknown member keeps facts whose key has no
    match, which also hides a broken join (every row would match nothing); this test
    catches it. Fails with one row giving the share found. -#}
{% test unknown_member_share(model, column_name, max_share=0.01) %}

    with

    keyed as (

        select
            count(*) as row_count,
            sum(case when {{ column_name }} = {{ unknown_key() }} then 1 else 0 end) as unknown_count
        from {{ model }}
        where {{ column_name }} is not null

    )

    select
        row_count,
        unknown_count,
        cast(unknown_count as double) / row_count as unknown_share
    from keyed
    where row_count > 0
      and cast(unknown_count as double) / row_count > {{ max_share }}

{% endtest %}
