{#- Grain: one row per person who ordered (customer_unique_id): historical lifetime
    value (revenue to date), orders, average order value, tenure, review habits and a
    frequency segment. -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

per_person as (

    select
        orders.customer_unique_id,
        max(customers.state_code) as state_code,
        count(*) as order_count,
        cast(sum(orders.revenue_brl) as decimal(18, 2)) as lifetime_revenue_brl,
        avg(orders.review_score) as average_review_score,
        min(orders.purchase_date) as first_order_date,
        max(orders.purchase_date) as last_order_date
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
    where orders.customer_unique_id is not null
    group by orders.customer_unique_id

),

final as (

    select
        customer_unique_id,
        state_code,
        {{ frequency_segment(
            'order_count', [['loyal', 3], ['repeat', 2]], otherwise='one-time'
        ) }} as frequency_segment,
        order_count,
        lifetime_revenue_brl,
        {{ average_order_value('lifetime_revenue_brl', 'order_count') }} as average_order_value_brl,
        average_review_score,
        {{ dbt.datediff('first_order_date', 'last_order_date', 'day') }}
            as tenure_days,
        order_count > 1 as is_repeat_customer,
        first_order_date,
        last_order_date
    from per_person

)

select * from final
