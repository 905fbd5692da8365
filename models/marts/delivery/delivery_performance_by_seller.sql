{#- Grain: one row per seller with delivered orders: how many of the orders it sold in
    arrived late, by how many days, and how they were reviewed. An order with several
    sellers counts for each of them (macros/marts/metrics.sql). -#}
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

{{ delivery_performance('orders', 'order_sellers', 'seller_id') }}

select * from final
