{#- Grain: one row per customer state with delivered orders: how many arrived late,
    by how many days, how long delivery took and how the orders were reviewed. -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

delivered as (

    select
        customers.state_code,
        orders.order_id,
        orders.is_late,
        orders.delivery_days,
        orders.delivery_delay_days,
        orders.review_score
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
    where orders.delivered_at is not null

),

final as (

    select
        state_code,
        count(*) as delivered_order_count,
        sum(case when is_late then 1 else 0 end) as late_order_count,
        {{ safe_ratio('sum(case when is_late then 1 else 0 end)', 'count(*)') }}
            as late_delivery_rate,
        avg(case when is_late then delivery_delay_days end) as average_delay_days_when_late,
        avg(delivery_days) as average_delivery_days,
        avg(review_score) as average_review_score
    from delivered
    group by state_code

)

select * from final
