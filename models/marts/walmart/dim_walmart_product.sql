{#- Grain: one row per Walmart product with its category (the smallest code, should two
    rows disagree). -#}
with

sales as (

    select * from {{ ref('stg_walmart__sales') }}

),

final as (

    select
        product_id,
        min(product_category_code) as product_category_code
    from sales
    group by product_id

)

select * from final
