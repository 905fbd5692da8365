{#- Grain: one row per Walmart customer with their coded demographics. The file repeats
    them on each of a customer's rows; should two rows disagree, the smallest value is
    kept, so the dimension stays one row per customer. -#}
with

sales as (

    select * from {{ ref('stg_walmart__sales') }}

),

final as (

    select
        user_id,
        min(gender) as gender,
        min(age_band) as age_band,
        min(occupation_code) as occupation_code,
        min(city_category) as city_category,
        min(stay_in_current_city_years) as stay_in_current_city_years,
        bool_or(is_married) as is_married
    from sales
    group by user_id

)

select * from final
