{#- Grain: one row per Walmart product that sold: its revenue, share of all revenue,
    the cumulative share of the products ranked above it and its Pareto class, by the
    same macro as the Olist sales_product_pareto. -#}
with

sales as (

    select * from {{ ref('fct_walmart_sales') }}

),

products as (

    select * from {{ ref('dim_walmart_product') }}

),

per_product as (

    select
        product_id,
        count(*) as buyer_count,
        cast(sum(purchase_amount) as bigint) as revenue
    from sales
    group by product_id

),

ranked as (

    {{ revenue_contribution('per_product', 'product_id', 'revenue') }}

),

final as (

    {{ pareto_products('ranked', 'products', 'product_category_code', ['buyer_count', 'revenue']) }}

)

select * from final
