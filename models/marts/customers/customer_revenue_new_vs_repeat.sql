{#- Grain: one row per month and buyer type: the revenue and orders of people ordering
    for the first time (new) and of people who had ordered before (repeat). -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

typed as (

    select
        cast({{ dbt.date_trunc('month', 'purchase_date') }} as date) as order_month,
        case when orders.is_repeat_order then 'repeat' else 'new' end as buyer_type,
        orders.revenue_brl
    from orders

),

per_month as (

    select
        order_month,
        buyer_type,
        count(*) as order_count,
        cast(sum(revenue_brl) as decimal(18, 2)) as revenue_brl
    from typed
    group by order_month, buyer_type

),

final as (

    select
        {{ dbt.concat(['cast(order_month as varchar)', "'-'", 'buyer_type']) }}
            as month_buyer_type_key,
        buyer_type,
        order_count,
        revenue_brl,
        {{ safe_ratio(
            'revenue_brl', 'sum(revenue_brl) over (partition by order_month)'
        ) }} as month_revenue_share,
        order_month
    from per_month

)

select * from final
