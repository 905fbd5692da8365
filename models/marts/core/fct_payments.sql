{#- Grain: one row per payment of an order (vouchers add extra rows). -#}
with

payments as (

    select * from {{ ref('stg_olist__order_payments') }}

),

orders as (

    select * from {{ ref('stg_olist__orders') }}

),

final as (

    select
        payments.payment_key,
        payments.order_id,
        payments.payment_type,
        payments.payment_sequence_number,
        payments.installment_count,
        payments.payment_brl,
        payments.payment_type = 'voucher' as is_voucher,
        cast(orders.purchased_at as date) as purchase_date
    from payments
    left join orders
        on payments.order_id = orders.order_id

)

select * from final
