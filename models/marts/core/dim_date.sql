{#- Grain: one row per calendar day, 2016-01-01 .. 2020-12-31 (covers every Olist date,
    including the shipping-limit outliers of 2020). -#}
with

spine as (

    {{ date_spine('2016-01-01', '2020-12-31') }}

),

final as (

    select
        spine.date_day,
        {{ dbt.concat([
            'cast(extract(year from spine.date_day) as varchar)', "'-'",
            "lpad(cast(extract(month from spine.date_day) as varchar), 2, '0')"
        ]) }} as calendar_month,
        extract(year from spine.date_day) as year_number,
        extract(quarter from spine.date_day) as quarter_number,
        extract(month from spine.date_day) as month_number,
        extract(day from spine.date_day) as day_of_month,
        {{ iso_day_of_week('spine.date_day') }} as iso_day_of_week,
        {{ iso_day_of_week('spine.date_day') }} >= 6 as is_weekend,
        cast({{ dbt.date_trunc('week', 'spine.date_day') }} as date) as week_start_date,
        cast({{ dbt.date_trunc('month', 'spine.date_day') }} as date) as month_start_date
    from spine

)

select * from final
