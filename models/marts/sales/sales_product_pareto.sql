{#- Grain: one row per product that sold: its revenue, share of all revenue, the
    cumulative share of the products ranked above it, and its Pareto class: A for the
    products making the first 80% of revenue, B for the next 15%, C for the last 5%. -#}
with

order_items as (

    select * from {{ ref('fct_order_items') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

per_product as (

    select
        order_items.product_id,
        count(*) as units_sold,
        cast(sum(order_items.revenue_brl) as decimal(18, 2)) as revenue_brl
    from order_items
    group by order_items.product_id

),

ranked as (

    {{ revenue_contribution('per_product', 'product_id', 'revenue_brl') }}

),

final as (

    {{ pareto_products(
        'ranked', 'products', 'category_name_english', ['units_sold', 'revenue_brl']
    ) }}

)

select * from final
