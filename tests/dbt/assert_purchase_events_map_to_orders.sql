{#- Reconciliation: every purchase on the website is an order in the order fact. -#}
with

purchases as (

    select * from {{ ref('fct_events') }}
    where event_type = 'purchase'

),

orders as (

    select * from {{ ref('fct_orders') }}

)

select
    purchases.event_id,
    purchases.order_id
from purchases
left join orders
    on purchases.order_id = orders.order_id
where orders.order_id is null
