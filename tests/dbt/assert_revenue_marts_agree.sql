{#- Reconciliation: the revenue marts slice the same revenue. Categories, products,
    states, new-vs-repeat months and daily KPIs all add up to the revenue of fct_orders
    (to the cent), and the category and product shares add up to 100%. -#}
with

orders as (

    select cast(sum(fct_orders.revenue_brl) as decimal(18, 2)) as revenue_brl
    from {{ ref('fct_orders') }}

),

totals as (

    select
        'categories' as mart,
        sum(revenue_brl) as revenue_brl,
        sum(revenue_share) as share_total
    from {{ ref('sales_category_performance') }}
    union all
    select
        'products' as mart,
        sum(revenue_brl) as revenue_brl,
        sum(revenue_share) as share_total
    from {{ ref('sales_product_pareto') }}
    union all
    select
        'states' as mart,
        sum(revenue_brl) as revenue_brl,
        sum(revenue_share) as share_total
    from {{ ref('sales_by_state') }}
    union all
    select
        'new vs repeat' as mart,
        sum(revenue_brl) as revenue_brl,
        1 as share_total
    from {{ ref('customer_revenue_new_vs_repeat') }}
    union all
    select
        'daily kpis' as mart,
        sum(revenue_brl) as revenue_brl,
        1 as share_total
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
    or abs(totals.share_total - 1) > 0.000001
