-- Orders, revenue and late-delivery rate per purchase month: the curve with the
-- Black Friday peak in November 2017. Compile with `dbt compile --select
-- monthly_orders_and_revenue` and run the SQL in target/compiled on either engine.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

monthly as (

    select
        {{ dbt.date_trunc('month', 'orders.purchase_date') }} as purchase_month,
        count(*) as order_count,
        sum(orders.payments_brl) as revenue_brl,
        avg(case when orders.is_late then 1.0 else 0.0 end) as late_rate
    from orders
    group by {{ dbt.date_trunc('month', 'orders.purchase_date') }}

)

select * from monthly
order by purchase_month
