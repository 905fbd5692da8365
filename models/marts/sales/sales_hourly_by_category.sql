{#- Grain: one row per hour and product category with sales in it: items, orders and
    revenue, for the hourly sales trend by category. -#}
with

order_items as (

    select * from {{ ref('fct_order_items') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

final as (

    select
        {{ dbt.date_trunc('hour', 'orders.purchased_at') }} as sales_hour_at,
        products.category_name_english,
        count(*) as units_sold,
        count(distinct orders.order_id) as order_count,
        cast(sum(order_items.revenue_brl) as decimal(18, 2)) as revenue_brl
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    inner join products
        on order_items.product_id = products.product_id
    group by {{ dbt.date_trunc('hour', 'orders.purchased_at') }}, products.category_name_english

)

select * from final
