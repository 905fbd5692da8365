{#- Grain: one row per order item. Unknown products and sellers point to the unknown
    member so no item is lost. revenue_brl is the item's price + freight when its order
    earns revenue (the rule of int_orders_aggregated). The order's payments are allocated to its items in
    proportion to each item's price + freight, rounded to the cent; the last item takes
    the rounding remainder, so an order's allocations add up to its payments exactly. -#}
with

order_items as (

    select * from {{ ref('stg_olist__order_items') }}

),

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

sellers as (

    select * from {{ ref('dim_seller') }}

),

item_shares as (

    select
        order_items.*,
        cast(order_items.price_brl + order_items.freight_brl as decimal(18, 2)) as item_total_brl,
        cast(coalesce(orders.payments_brl, 0) as decimal(18, 2)) as order_payments_brl,
        sum(order_items.price_brl + order_items.freight_brl) over (
            partition by order_items.order_id
        ) as order_items_total_brl,
        row_number() over (
            partition by order_items.order_id
            order by order_items.order_item_number desc
        ) as reverse_item_number,
        orders.is_revenue_earning,
        orders.purchased_at
    from order_items
    left join orders
        on order_items.order_id = orders.order_id

),

rounded_shares as (

    select
        *,
        case
            when order_items_total_brl = 0 then cast(0 as decimal(18, 2))
            else cast(round(
                    cast(order_payments_brl as double) * cast(item_total_brl as double)
                    / cast(order_items_total_brl as double), 2
                ) as decimal(18, 2))
        end as rounded_share_brl
    from item_shares

),

allocated as (

    select
        *,
        case
            when reverse_item_number = 1
                then order_payments_brl - (
                        sum(rounded_share_brl) over (partition by order_id) - rounded_share_brl
                    )
            else rounded_share_brl
        end as allocated_payment_brl
    from rounded_shares

),

final as (

    select
        allocated.order_item_key,
        allocated.order_id,
        coalesce(products.product_id, {{ unknown_key() }}) as product_id,
        coalesce(sellers.seller_id, {{ unknown_key() }}) as seller_id,
        allocated.order_item_number,
        allocated.price_brl,
        allocated.freight_brl,
        allocated.item_total_brl,
        cast(case
            when allocated.is_revenue_earning then allocated.item_total_brl
            else 0
        end as decimal(18, 2)) as revenue_brl,
        cast(allocated.allocated_payment_brl as decimal(18, 2)) as allocated_payment_brl,
        cast(allocated.purchased_at as date) as purchase_date,
        allocated.purchased_at,
        allocated.shipping_limit_at
    from allocated
    left join products
        on allocated.product_id = products.product_id
    left join sellers
        on allocated.seller_id = sellers.seller_id

)

select * from final
