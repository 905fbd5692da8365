{#- Reconciliation: the payments allocated to an order's items add up to the order's
    payments to the cent (orders without items have nothing to allocate to). -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

items as (

    select * from {{ ref('fct_order_items') }}

),

allocated as (

    select
        order_id,
        sum(allocated_payment_brl) as allocated_brl
    from items
    group by order_id

)

select
    orders.order_id,
    orders.payments_brl,
    allocated.allocated_brl
from orders
inner join allocated
    on orders.order_id = allocated.order_id
where orders.payments_brl != allocated.allocated_brl
