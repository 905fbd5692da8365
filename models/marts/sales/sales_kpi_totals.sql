{#- Grain: one row, the whole period: the headline KPIs, each through the macro of the
    semantic layer's metric (macros/marts/metrics.sql). -#}
with

daily as (

    select * from {{ ref('sales_daily_kpis') }}

),

totals as (

    select
        min(date_day) as first_day,
        max(date_day) as last_day,
        sum(order_count) as order_count,
        cast(sum(revenue_brl) as decimal(18, 2)) as revenue_brl,
        sum(session_count) as session_count,
        sum(converted_session_count) as converted_session_count,
        sum(delivered_order_count) as delivered_order_count,
        sum(late_order_count) as late_order_count
    from daily
    -- No order day at all (a lake without Olist orders): no row, rather than one of nulls.
    having count(*) > 0

),

final as (

    select
        first_day,
        last_day,
        order_count,
        revenue_brl,
        {{ average_order_value('revenue_brl', 'order_count') }} as average_order_value_brl,
        session_count,
        converted_session_count,
        {{ conversion_rate('converted_session_count', 'session_count') }} as conversion_rate,
        delivered_order_count,
        late_order_count,
        {{ late_delivery_rate('late_order_count', 'delivered_order_count') }}
            as late_delivery_rate
    from totals

)

select * from final
