{#- Reconciliation: the revenue marts slice the same revenue. Categories, products,
    states, new-vs-repeat months and daily KPIs all add up to the revenue of fct_orders
    (to the cent), and the category, product and state shares add up to 100%.
    An empty source means zero: a lake without the Olist files has no revenue, every
    slice adds up to 0 (the states are still listed, at 0) and so do the shares. -#}
with

orders as (

    select coalesce(cast(sum(fct_orders.revenue_brl) as decimal(18, 2)), 0) as revenue_brl
    from {{ ref('fct_orders') }}

),

totals as (

    select
        'categories' as mart,
        coalesce(sum(revenue_brl), 0) as revenue_brl,
        coalesce(sum(revenue_share), 0) as share_total
    from {{ ref('sales_category_performance') }}
    union all
    select
        'products' as mart,
        coalesce(sum(revenue_brl), 0) as revenue_brl,
        coalesce(sum(revenue_share), 0) as share_total
    from {{ ref('sales_product_pareto') }}
    union all
    select
        'states' as mart,
        coalesce(sum(revenue_brl), 0) as revenue_brl,
        coalesce(sum(revenue_share), 0) as share_total
    from {{ ref('sales_by_state') }}
    union all
    select
        'new vs repeat' as mart,
        coalesce(sum(revenue_brl), 0) as revenue_brl,
        cast(null as double) as share_total
    from {{ ref('customer_revenue_new_vs_repeat') }}
    union all
    select
        'daily kpis' as mart,
        coalesce(sum(revenue_brl), 0) as revenue_brl,
        cast(null as double) as share_total
    from {{ ref('sales_daily_kpis') }}

)

select
    totals.mart,
    totals.revenue_brl,
    orders.revenue_brl as order_revenue_brl,
    totals.share_total
from totals
cross join orders
where
    abs(totals.revenue_brl - orders.revenue_brl) > 0.01
    -- marts without shares carry none (null)
    or abs(totals.share_total - case when orders.revenue_brl > 0 then 1 else 0 end) > 0.000001
