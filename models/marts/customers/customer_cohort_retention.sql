{#- Grain: one row per acquisition cohort (month of a person's first order) and month
    since that first order: how many of the cohort ordered again that month, the
    retention rate, and the cohort's revenue and cumulative revenue per customer.
    Month 0 is the acquisition month, where retention is 100% by definition. -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

person_orders as (

    select
        orders.customer_unique_id,
        cast({{ dbt.date_trunc('month', 'purchase_date') }} as date) as order_month,
        orders.revenue_brl
    from orders
    where orders.customer_unique_id is not null

),

cohorts as (

    select
        customer_unique_id,
        min(order_month) as cohort_month
    from person_orders
    group by customer_unique_id

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_customer_count
    from cohorts
    group by cohort_month

),

activity as (

    select
        cohorts.cohort_month,
        {{ dbt.datediff('cohorts.cohort_month', 'person_orders.order_month', 'month') }}
            as months_since_first_order,
        count(distinct person_orders.customer_unique_id) as active_customer_count,
        sum(person_orders.revenue_brl) as revenue_brl
    from person_orders
    inner join cohorts
        on person_orders.customer_unique_id = cohorts.customer_unique_id
    group by
        cohorts.cohort_month,
        {{ dbt.datediff('cohorts.cohort_month', 'person_orders.order_month', 'month') }}

),

final as (

    select
        {{ dbt.concat([
            'cast(activity.cohort_month as varchar)', "'+'",
            'cast(activity.months_since_first_order as varchar)'
        ]) }} as cohort_month_key,
        cast(activity.months_since_first_order as integer) as months_since_first_order,
        cohort_sizes.cohort_customer_count,
        activity.active_customer_count,
        {{ safe_ratio('activity.active_customer_count', 'cohort_sizes.cohort_customer_count') }}
            as retention_rate,
        cast(activity.revenue_brl as decimal(18, 2)) as revenue_brl,
        cast(sum(activity.revenue_brl) over (
            partition by activity.cohort_month
            order by activity.months_since_first_order
            rows between unbounded preceding and current row
        ) as decimal(18, 2)) as cumulative_revenue_brl,
        {{ safe_ratio(
            'sum(activity.revenue_brl) over (partition by activity.cohort_month'
            ~ ' order by activity.months_since_first_order'
            ~ ' rows between unbounded preceding and current row)',
            'cohort_sizes.cohort_customer_count'
        ) }} as cumulative_revenue_per_customer_brl,
        activity.cohort_month
    from activity
    inner join cohort_sizes
        on activity.cohort_month = cohort_sizes.cohort_month

)

select * from final
