{#- Grain: one row per device type: sessions, conversion and the revenue of the orders
    the sessions placed. -#}
with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

per_device_type as (

    select
        sessions.device_type,
        count(*) as session_count,
        sum(case when sessions.is_converted then 1 else 0 end) as converted_session_count,
        sum(case when sessions.is_cart_abandoned then 1 else 0 end) as cart_abandoned_count,
        count(distinct sessions.customer_id) as known_customer_count,
        cast(sum(coalesce(orders.revenue_brl, 0)) as decimal(18, 2)) as revenue_brl
    from sessions
    left join orders
        on sessions.order_id = orders.order_id
    group by sessions.device_type

),

final as (

    select
        device_type,
        session_count,
        converted_session_count,
        cart_abandoned_count,
        known_customer_count,
        revenue_brl,
        {{ safe_ratio('converted_session_count', 'session_count') }} as conversion_rate,
        {{ safe_ratio('cart_abandoned_count', 'session_count') }} as cart_abandonment_rate,
        {{ safe_ratio('revenue_brl', 'session_count') }} as revenue_per_session_brl,
        {{ safe_ratio('session_count', 'sum(session_count) over ()') }} as session_share
    from per_device_type

)

select * from final
