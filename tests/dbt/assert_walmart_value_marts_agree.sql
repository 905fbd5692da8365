{#- Reconciliation: the Walmart customer value and product revenue marts slice the
    same revenue as fct_walmart_sales, exactly, and each set of shares adds up to 100%.
    An empty source means zero: without the Walmart file both marts are empty, their
    revenue and shares add up to 0. -#}
with

sales as (

    select coalesce(cast(sum(purchase_amount) as bigint), 0) as revenue
    from {{ ref('fct_walmart_sales') }}

),

totals as (

    select
        'customers' as mart,
        coalesce(cast(sum(lifetime_value) as bigint), 0) as revenue,
        coalesce(sum(revenue_share), 0) as share_total
    from {{ ref('walmart_customer_value') }}
    union all
    select
        'products' as mart,
        coalesce(cast(sum(revenue) as bigint), 0) as revenue,
        coalesce(sum(revenue_share), 0) as share_total
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
    or abs(totals.share_total - case when sales.revenue > 0 then 1 else 0 end) > 0.000001
