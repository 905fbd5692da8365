{#- Grain: one row per calendar day from the first order to the last: orders, revenue,
    average order value, sessions and their conversion, and the late rate of the orders
    delivered that day. Days without orders have zeros, not gaps. -#}
with

dates as (

    select * from {{ ref('dim_date') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

bounds as (

    select
        min(purchase_date) as first_date,
        max(purchase_date) as last_date
    from orders

),

orders_per_day as (

    select
        orders.purchase_date,
        count(*) as order_count,
        cast(sum(orders.revenue_brl) as decimal(18, 2)) as revenue_brl
    from orders
    group by orders.purchase_date

),

deliveries_per_day as (

    select
        cast(delivered_at as date) as delivery_date,
        count(*) as delivered_order_count,
        sum(case when is_late then 1 else 0 end) as late_order_count
    from orders
    where delivered_at is not null
    group by cast(delivered_at as date)

),

sessions_per_day as (

    select
        session_date,
        count(*) as session_count,
        sum(case when is_converted then 1 else 0 end) as converted_session_count
    from sessions
    group by session_date

),

final as (

    select
        dates.date_day,
        coalesce(orders_per_day.order_count, 0) as order_count,
        cast(coalesce(orders_per_day.revenue_brl, 0) as decimal(18, 2)) as revenue_brl,
        {{ average_order_value('orders_per_day.revenue_brl', 'orders_per_day.order_count') }}
            as average_order_value_brl,
        coalesce(sessions_per_day.session_count, 0) as session_count,
        coalesce(sessions_per_day.converted_session_count, 0) as converted_session_count,
        {{ conversion_rate(
            'sessions_per_day.converted_session_count', 'sessions_per_day.session_count'
        ) }} as conversion_rate,
        coalesce(deliveries_per_day.delivered_order_count, 0) as delivered_order_count,
        coalesce(deliveries_per_day.late_order_count, 0) as late_order_count,
        {{ late_delivery_rate(
            'deliveries_per_day.late_order_count', 'deliveries_per_day.delivered_order_count'
        ) }} as late_delivery_rate
    from dates
    cross join bounds
    left join orders_per_day
        on dates.date_day = orders_per_day.purchase_date
    left join sessions_per_day
        on dates.date_day = sessions_per_day.session_date
    left join deliveries_per_day
        on dates.date_day = deliveries_per_day.delivery_date
    where dates.date_day between bounds.first_date and bounds.last_date

)

select * from final
