-- The latest catalog price and availability of each product: the current version of
-- the type-2 history, next to the current values dim_product carries.
with

current_versions as (

    select * from {{ ref('dim_product_history') }}
    where is_current

),

products as (

    select * from {{ ref('dim_product') }}

)

select
    products.product_id,
    products.category_name_english,
    current_versions.price_brl as history_price_brl,
    products.current_price_brl,
    current_versions.is_available,
    current_versions.valid_from as price_since
from products
inner join current_versions
    on products.product_id = current_versions.product_id
order by current_versions.valid_from desc
