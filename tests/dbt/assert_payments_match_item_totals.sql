{#- Reconciliation: what customers paid matches what they bought. Among orders with both
    items and payments, the payments equal items + freight within 5% or 1 BRL (interest
    on installments and vouchers move a few orders); fails when more than 1% of those
    orders are off by more, which a broken join or a lost payment row would cause. -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

compared as (

    select
        count(*) as order_count,
        sum(
            case
                when abs(payments_brl - order_total_brl) > greatest(1.00, 0.05 * order_total_brl)
                    then 1
                else 0
            end
        ) as mismatched_count
    from orders
    where item_count > 0 and payment_count > 0

)

select *
from compared
where mismatched_count > 0.01 * order_count
