{#- Grain: one row per customer_id (Olist creates one per order), carrying the person's
    lifetime figures (by customer_unique_id), plus the unknown member. -#}
with

customers as (

    select * from {{ ref('stg_olist__customers') }}

),

states as (

    select * from {{ ref('brazil_states') }}

),

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

lifetime as (

    select
        customer_unique_id,
        count(*) as lifetime_order_count,
        sum(payments_brl) as lifetime_payments_brl,
        min(purchased_at) as first_order_at,
        max(purchased_at) as last_order_at
    from orders
    group by customer_unique_id

),

known as (

    select
        customers.customer_id,
        customers.customer_unique_id,
        customers.customer_zip_code_prefix as zip_code_prefix,
        customers.customer_city as city,
        customers.customer_city_normalized as city_normalized,
        customers.customer_state as state_code,
        states.state_name,
        states.region,
        coalesce(lifetime.lifetime_order_count, 0) as lifetime_order_count,
        cast(
            coalesce(lifetime.lifetime_payments_brl, 0) as decimal(18, 2)
        ) as lifetime_payments_brl,
        coalesce(lifetime.lifetime_order_count, 0) > 1 as is_repeat_customer,
        lifetime.first_order_at,
        lifetime.last_order_at
    from customers
    left join states
        on customers.customer_state = states.state_code
    left join lifetime
        on customers.customer_unique_id = lifetime.customer_unique_id

),

unknown_member as (

    select
        {{ unknown_key() }} as customer_id,
        {{ unknown_key() }} as customer_unique_id,
        cast(null as varchar) as zip_code_prefix,
        'unknown' as city,
        'unknown' as city_normalized,
        cast(null as varchar) as state_code,
        'Unknown' as state_name,
        'Unknown' as region,
        0 as lifetime_order_count,
        cast(0 as decimal(18, 2)) as lifetime_payments_brl,
        false as is_repeat_customer,
        cast(null as timestamp) as first_order_at,
        cast(null as timestamp) as last_order_at

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final
