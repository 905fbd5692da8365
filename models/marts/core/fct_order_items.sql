{#- Grain: one row per order item. Unknown products and sellers point to the unknown
    member so no item is lost. -#}
with

order_items as (

    select * from {{ ref('stg_olist__order_items') }}

),

orders as (

    select * from {{ ref('stg_olist__orders') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

sellers as (

    select * from {{ ref('dim_seller') }}

),

final as (

    select
        order_items.order_item_key,
        order_items.order_id,
        coalesce(products.product_id, {{ unknown_key() }}) as product_id,
        coalesce(sellers.seller_id, {{ unknown_key() }}) as seller_id,
        order_items.order_item_number,
        order_items.price_brl,
        order_items.freight_brl,
        cast(order_items.price_brl + order_items.freight_brl as decimal(18, 2)) as item_total_brl,
        cast(orders.purchased_at as date) as purchase_date,
        orders.purchased_at,
        order_items.shipping_limit_at
    from order_items
    left join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
    left join sellers
        on order_items.seller_id = sellers.seller_id

)

select * from final
