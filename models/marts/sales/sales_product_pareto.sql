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

    select
        ranked.product_id,
        products.category_name_english,
        ranked.pareto_class,
        ranked.revenue_rank,
        ranked.units_sold,
        ranked.revenue_brl,
        ranked.revenue_share,
        ranked.cumulative_revenue_share
    from ranked
    left join products
        on ranked.product_id = products.product_id

)

select * from final
