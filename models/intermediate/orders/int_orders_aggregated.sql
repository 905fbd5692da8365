{#- One row per order with its item, payment and review figures rolled up, the buyer's
    order sequence (by customer_unique_id, the person), and whether the order earns
    revenue: the one place the revenue rule is written (doc block `revenue`). -#}
with

orders as (

    select * from {{ ref('stg_olist__orders') }}

),

customers as (

    select * from {{ ref('stg_olist__customers') }}

),

order_items as (

    select * from {{ ref('stg_olist__order_items') }}

),

payments as (

    select * from {{ ref('stg_olist__order_payments') }}

),

reviews as (

    select * from {{ ref('stg_olist__order_reviews') }}

),

items_per_order as (

    select
        order_id,
        count(*) as item_count,
        count(distinct seller_id) as seller_count,
        sum(price_brl) as items_brl,
        sum(freight_brl) as freight_brl
    from order_items
    group by order_id

),

payments_per_order as (

    select
        order_id,
        count(*) as payment_count,
        sum(payment_brl) as payments_brl,
        max(case when payment_sequence_number = 1 then payment_type end) as primary_payment_type,
        max(installment_count) as max_installment_count
    from payments
    group by order_id

),

distinct_payment_methods as (

    select distinct
        order_id,
        payment_type
    from payments

),

payment_methods_per_order as (

    select
        order_id,
        {{ dbt.listagg('payment_type', "', '", 'order by payment_type') }} as payment_methods
    from distinct_payment_methods
    group by order_id

),

reviews_per_order as (

    select
        order_id,
        count(*) as review_count,
        avg(cast(review_score as double)) as review_score
    from reviews
    group by order_id

),

joined as (

    select
        orders.order_id,
        orders.customer_id,
        customers.customer_unique_id,
        orders.order_status,
        payments_per_order.primary_payment_type,
        payment_methods_per_order.payment_methods,
        coalesce(items_per_order.item_count, 0) as item_count,
        coalesce(items_per_order.seller_count, 0) as seller_count,
        coalesce(payments_per_order.payment_count, 0) as payment_count,
        coalesce(reviews_per_order.review_count, 0) as review_count,
        coalesce(items_per_order.items_brl, 0) as items_brl,
        coalesce(items_per_order.freight_brl, 0) as freight_brl,
        coalesce(payments_per_order.payments_brl, 0) as payments_brl,
        payments_per_order.max_installment_count,
        reviews_per_order.review_score,
        -- Canceled orders and orders the seller could not fulfil earn nothing.
        orders.order_status not in ('canceled', 'unavailable') as is_revenue_earning,
        orders.estimated_delivery_date,
        orders.purchased_at,
        orders.approved_at,
        orders.delivered_to_carrier_at,
        orders.delivered_at
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
    left join items_per_order
        on orders.order_id = items_per_order.order_id
    left join payments_per_order
        on orders.order_id = payments_per_order.order_id
    left join payment_methods_per_order
        on orders.order_id = payment_methods_per_order.order_id
    left join reviews_per_order
        on orders.order_id = reviews_per_order.order_id

),

sequenced as (

    select
        *,
        row_number() over (
            partition by customer_unique_id
            order by purchased_at, order_id
        ) as customer_order_sequence_number
    from joined

)

select * from sequenced
