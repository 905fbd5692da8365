{#- Grain: one row per order, with its money totals, revenue, durations and delivery
    outcome. Business rules live here as columns (revenue_brl, delivery_delay_days,
    is_late) so every mart and the semantic layer read the same numbers. -#}
with

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

final as (

    select
        orders.order_id,
        coalesce(customers.customer_id, {{ unknown_key() }}) as customer_id,
        orders.customer_unique_id,
        orders.order_status,
        orders.primary_payment_type,
        orders.payment_methods,
        orders.customer_order_sequence_number,
        orders.item_count,
        orders.seller_count,
        orders.payment_count,
        orders.review_count,
        cast(orders.items_brl as decimal(18, 2)) as items_brl,
        cast(orders.freight_brl as decimal(18, 2)) as freight_brl,
        cast(orders.items_brl + orders.freight_brl as decimal(18, 2)) as order_total_brl,
        cast(orders.payments_brl as decimal(18, 2)) as payments_brl,
        cast(case
            when orders.is_revenue_earning then orders.items_brl + orders.freight_brl
            else 0
        end as decimal(18, 2)) as revenue_brl,
        orders.review_score,
        {{ duration_hours('orders.purchased_at', 'orders.approved_at') }} as approval_hours,
        {{ duration_hours('orders.approved_at', 'orders.delivered_to_carrier_at') }}
            as carrier_handover_hours,
        {{ duration_hours('orders.purchased_at', 'orders.delivered_at') }} / 24.0
            as delivery_days,
        {{ dbt.datediff(
            'orders.estimated_delivery_date', 'cast(orders.delivered_at as date)', 'day'
        ) }} as delivery_delay_days,
        orders.customer_order_sequence_number > 1 as is_repeat_order,
        orders.is_revenue_earning,
        case
            when orders.delivered_at is null then null
            else cast(orders.delivered_at as date) > orders.estimated_delivery_date
        end as is_late,
        cast(orders.purchased_at as date) as purchase_date,
        orders.estimated_delivery_date,
        orders.purchased_at,
        orders.approved_at,
        orders.delivered_to_carrier_at,
        orders.delivered_at
    from orders
    left join customers
        on orders.customer_id = customers.customer_id

)

select * from final
