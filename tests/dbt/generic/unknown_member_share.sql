{#- Generic test, tolerance class (see the severity policy, docs/star-schema.md): the share of
    a foreign key's non-null values that point to the dimension's unknown member.
    Above `max_share` it warns (some keys had no match: recorded, the build goes on);
    above `error_share` it fails (a broken join sends every row there). It returns one
    row per threshold passed, so dbt's warn_if / error_if read the level. -#}
{% test unknown_member_share(model, column_name, max_share=0.01, error_share=0.5) %}

    {{ config(warn_if=">=1", error_if=">=2", tags=["tolerance"]) }}

    with

    keyed as (

        select
            count(*) as row_count,
            sum(case when {{ column_name }} = {{ unknown_key() }} then 1 else 0 end) as unknown_count
        from {{ model }}
        where {{ column_name }} is not null

    ),

    measured as (

        select
            row_count,
            unknown_count,
            cast(unknown_count as double) / row_count as unknown_share
        from keyed
        where row_count > 0

    ),

    thresholds as (

        select 'warn' as threshold_name, {{ max_share }} as threshold
        union all
        select 'error' as threshold_name, {{ error_share }} as threshold

    )

    select
        measured.row_count,
        measured.unknown_count,
        measured.unknown_share,
        thresholds.threshold_name,
        thresholds.threshold
    from measured
    cross join thresholds
    where measured.unknown_share > thresholds.threshold

{% endtest %}
