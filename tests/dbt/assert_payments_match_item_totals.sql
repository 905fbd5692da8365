{#- Reconciliation, tolerance class (see the severity policy, docs/star-schema.md): what
    customers paid matches what they bought. Among orders with both items and payments,
    the payments equal items + freight within 5% or 1 BRL (interest on installments and
    vouchers move a few orders). It warns when more than 1% of those orders are off by
    more (a delivery with odd payments: recorded, the build goes on) and fails above 20%
    (a broken join or a lost payment table). One row per threshold passed. -#}
{{ config(warn_if=">=1", error_if=">=2", tags=["tolerance"]) }}

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

),

thresholds as (

    select
        'warn' as threshold_name,
        0.01 as threshold
    union all
    select
        'error' as threshold_name,
        0.20 as threshold

)

select
    compared.order_count,
    compared.mismatched_count,
    thresholds.threshold_name,
    thresholds.threshold
from compared
cross join thresholds
where compared.mismatched_count > thresholds.threshold * compared.order_count
