with

source as (

    select * from {{ source('olist', 'order_items') }}

),

renamed as (

    select
        {{ dbt.concat(['order_id', "'-'", 'cast(order_item_id as varchar)']) }} as order_item_key,
        order_id,
        product_id,
        seller_id,
        order_item_id as order_item_number,
        price as price_brl,
        freight_value as freight_brl,
        shipping_limit_date as shipping_limit_at
    from source

)

select * from renamed
