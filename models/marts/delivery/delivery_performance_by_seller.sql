{#- Grain: one row per seller with delivered orders: how many of the orders it sold in
    arrived late, by how many days, and how they were reviewed. An order with several
    sellers counts for each of them. -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

),

order_sellers as (

    select distinct
        order_id,
        seller_id
    from order_items

),

delivered as (

    select
        order_sellers.seller_id,
        orders.order_id,
        orders.is_late,
        orders.delivery_days,
        orders.delivery_delay_days,
        orders.review_score
    from orders
    inner join order_sellers
        on orders.order_id = order_sellers.order_id
    where orders.delivered_at is not null

),

final as (

    select
        seller_id,
        count(*) as delivered_order_count,
        sum(case when is_late then 1 else 0 end) as late_order_count,
        {{ safe_ratio('sum(case when is_late then 1 else 0 end)', 'count(*)') }}
            as late_delivery_rate,
        avg(case when is_late then delivery_delay_days end) as average_delay_days_when_late,
        avg(delivery_days) as average_delivery_days,
        avg(review_score) as average_review_score
    from delivered
    group by seller_id

)

select * from final
