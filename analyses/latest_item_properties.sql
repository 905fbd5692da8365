-- The current catalog price and availability of each product (the current version of
-- its type-2 history), since when the price holds, and how many versions led there.
with

history as (

    select * from {{ ref('dim_product_history') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

versions as (

    select
        product_id,
        count(*) as version_count
    from history
    group by product_id

)

select
    products.product_id,
    products.category_name_english,
    products.current_price_brl,
    products.is_available,
    products.price_changed_at as price_since,
    versions.version_count
from products
inner join versions
    on products.product_id = versions.product_id
order by products.price_changed_at desc
