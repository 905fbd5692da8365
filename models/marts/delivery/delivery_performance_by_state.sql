{#- Grain: one row per customer state with delivered orders: how many arrived late,
    by how many days, how long delivery took and how the orders were reviewed
    (macros/marts/metrics.sql). -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

order_states as (

    select
        orders.order_id,
        customers.state_code
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id

),

{{ delivery_performance('orders', 'order_states', 'state_code') }}

select * from final
