{#- Grain: one row per product category (English label): revenue, units, orders,
    average order value, review score and late-delivery rate of the orders that bought
    from it, and its share of all revenue. -#}
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

items as (

    select
        products.category_name_english,
        order_items.order_id,
        order_items.revenue_brl,
        orders.review_score,
        orders.is_late
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    inner join products
        on order_items.product_id = products.product_id

),

per_category as (

    select
        category_name_english,
        count(*) as units_sold,
        count(distinct order_id) as order_count,
        cast(sum(revenue_brl) as decimal(18, 2)) as revenue_brl,
        avg(review_score) as average_review_score,
        {{ late_delivery_rate(
            'sum(case when is_late then 1 else 0 end)',
            'sum(case when is_late is not null then 1 else 0 end)'
        ) }} as late_delivery_rate
    from items
    group by category_name_english

),

final as (

    select
        category_name_english,
        units_sold,
        order_count,
        revenue_brl,
        {{ average_order_value('revenue_brl', 'order_count') }} as average_order_value_brl,
        {{ safe_ratio('revenue_brl', 'sum(revenue_brl) over ()') }} as revenue_share,
        average_review_score,
        late_delivery_rate
    from per_category

)

select * from final
