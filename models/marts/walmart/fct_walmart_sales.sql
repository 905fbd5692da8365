{#- Grain: one row per Walmart purchase (a customer and a product), with its amount and
    the product's category; the customer's demographics are in dim_walmart_customer. -#}
with

sales as (

    select * from {{ ref('stg_walmart__sales') }}

),

final as (

    select
        sale_key,
        user_id,
        product_id,
        product_category_code,
        purchase_amount
    from sales

)

select * from final
