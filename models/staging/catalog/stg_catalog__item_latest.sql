with

source as (

    select * from {{ source('catalog', 'item_latest') }}

),

renamed as (

    select
        itemid as item_id,
        olist_product_id as product_id,
        categoryid as category_id,
        price as current_price_brl,
        is_available,
        price_changed_at,
        availability_changed_at,
        last_changed_at
    from source

)

select * from renamed
