{#- Grain: one row per Walmart product that sold: its revenue, share of all revenue,
    the cumulative share of the products ranked above it and its Pareto class, by the
    same macro as the Olist sales_product_pareto. -#}
with

sales as (

    select * from {{ ref('fct_walmart_sales') }}

),

products as (

    select * from {{ ref('dim_walmart_products') }}

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

    select
        ranked.product_id,
        products.product_category_code,
        ranked.pareto_class,
        ranked.revenue_rank,
        ranked.buyer_count,
        ranked.revenue,
        ranked.revenue_share,
        ranked.cumulative_revenue_share
    from ranked
    left join products
        on ranked.product_id = products.product_id

)

select * from final
