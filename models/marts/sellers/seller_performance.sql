{#- Grain: one row per seller who sold: items, orders, revenue, review score, late
    rate, how fast they hand orders to the carrier, and their active period. -#}
with

sellers as (

    select * from {{ ref('dim_seller') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

per_seller as (

    select
        order_items.seller_id,
        count(*) as units_sold,
        count(distinct order_items.order_id) as order_count,
        cast(sum(order_items.revenue_brl) as decimal(18, 2))
            as revenue_brl,
        avg(orders.review_score) as average_review_score,
        {{ late_delivery_rate(
            'sum(case when orders.is_late then 1 else 0 end)',
            'sum(case when orders.is_late is not null then 1 else 0 end)'
        ) }} as late_delivery_rate,
        avg(orders.carrier_handover_hours) as average_carrier_handover_hours,
        min(orders.purchase_date) as first_sale_date,
        max(orders.purchase_date) as last_sale_date
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    group by order_items.seller_id

),

final as (

    select
        per_seller.seller_id,
        sellers.state_code,
        per_seller.units_sold,
        per_seller.order_count,
        per_seller.revenue_brl,
        {{ average_order_value('per_seller.revenue_brl', 'per_seller.order_count') }}
            as average_order_value_brl,
        per_seller.average_review_score,
        per_seller.late_delivery_rate,
        per_seller.average_carrier_handover_hours,
        per_seller.first_sale_date,
        per_seller.last_sale_date
    from per_seller
    left join sellers
        on per_seller.seller_id = sellers.seller_id

)

select * from final
