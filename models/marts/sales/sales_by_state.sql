{#- Grain: one row per Brazilian state (all 27, with zeros where nothing sold): the
    orders, buyers and revenue of its customers. -#}
with

states as (

    select * from {{ ref('brazil_states') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

per_state as (

    select
        customers.state_code,
        count(*) as order_count,
        count(distinct orders.customer_unique_id) as buyer_count,
        cast(sum(orders.revenue_brl) as decimal(18, 2)) as revenue_brl
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
    group by customers.state_code

),

final as (

    select
        states.state_code,
        states.state_name,
        states.region,
        coalesce(per_state.order_count, 0) as order_count,
        coalesce(per_state.buyer_count, 0) as buyer_count,
        cast(coalesce(per_state.revenue_brl, 0) as decimal(18, 2)) as revenue_brl,
        {{ average_order_value('per_state.revenue_brl', 'per_state.order_count') }}
            as average_order_value_brl,
        coalesce(
            {{ safe_ratio('per_state.revenue_brl', 'sum(per_state.revenue_brl) over ()') }}, 0
        ) as revenue_share
    from states
    left join per_state
        on states.state_code = per_state.state_code

)

select * from final
