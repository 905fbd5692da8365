with

source as (

    select * from {{ source('clickstream', 'events') }}

),

renamed as (

    select
        event_id,
        session_id,
        customer_id,
        product_id,
        order_id,
        event_type,
        device_type,
        traffic_source,
        customer_city,
        upper(customer_state) as customer_state,
        is_authenticated,
        cast(event_date as date) as event_date,
        event_ts as event_at
    from source

)

select * from renamed
