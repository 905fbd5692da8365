{#- Reconciliation: the Walmart customer value and product revenue marts slice the
    same revenue as fct_walmart_sales, exactly, and each set of shares adds up to 100%. -#}
with

sales as (

    select cast(sum(purchase_amount) as bigint) as revenue
    from {{ ref('fct_walmart_sales') }}

),

totals as (

    select
        'customers' as mart,
        cast(sum(lifetime_value) as bigint) as revenue,
        sum(revenue_share) as share_total
    from {{ ref('walmart_customer_value') }}
    union all
    select
        'products' as mart,
        cast(sum(revenue) as bigint) as revenue,
        sum(revenue_share) as share_total
    from {{ ref('walmart_product_revenue_contribution') }}

)

select
    totals.mart,
    totals.revenue,
    sales.revenue as sales_revenue,
    totals.share_total
from totals
cross join sales
where
    totals.revenue != sales.revenue
    or abs(totals.share_total - 1) > 0.000001
