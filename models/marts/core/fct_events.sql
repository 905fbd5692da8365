{#- Grain: one row per website event. Anonymous events have no customer_id; events
    about a product missing from the catalog point to the unknown product. -#}
with

events as (

    select * from {{ ref('stg_clickstream__events') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

final as (

    select
        events.event_id,
        events.session_id,
        case
            when events.customer_id is null then null
            else coalesce(customers.customer_id, {{ unknown_key() }})
        end as customer_id,
        case
            when events.product_id is null then null
            else coalesce(products.product_id, {{ unknown_key() }})
        end as product_id,
        events.order_id,
        events.event_type,
        events.device_type,
        events.traffic_source,
        events.customer_state,
        events.is_authenticated,
        events.event_date,
        events.event_at
    from events
    left join products
        on events.product_id = products.product_id
    left join customers
        on events.customer_id = customers.customer_id

)

select * from final
