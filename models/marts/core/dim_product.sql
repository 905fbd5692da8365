{#- Grain: one row per product, with the English category label, plus the unknown
    member. Two real categories have no translation: their Portuguese name stands in. -#}
with

products as (

    select * from {{ ref('stg_olist__products') }}

),

translations as (

    select * from {{ ref('stg_olist__product_category_translations') }}

),

catalog_items as (

    select * from {{ ref('int_retailrocket_items_pivoted') }}

),

current_versions as (

    select * from {{ ref('dim_product_history') }}
    where is_current

),

categories as (

    select * from {{ ref('stg_retailrocket__categories') }}

),

known as (

    select
        products.product_id,
        coalesce(products.category_name, 'unknown') as category_name,
        coalesce(
            translations.category_name_english, products.category_name, 'unknown'
        ) as category_name_english,
        products.name_length,
        products.description_length,
        products.photo_count,
        products.weight_g,
        products.length_cm,
        products.height_cm,
        products.width_cm,
        catalog_items.item_id as catalog_item_id,
        catalog_items.category_id as catalog_category_id,
        coalesce(
            category_groups.parent_category_id, leaves.parent_category_id
        ) as department_category_id,
        case
            when category_groups.parent_category_id is not null
                then {{ dbt.concat([
                    'cast(category_groups.parent_category_id as varchar)', "' > '",
                    'cast(leaves.parent_category_id as varchar)', "' > '",
                    'cast(catalog_items.category_id as varchar)'
                ]) }}
            when leaves.parent_category_id is not null
                then {{ dbt.concat([
                    'cast(leaves.parent_category_id as varchar)', "' > '",
                    'cast(catalog_items.category_id as varchar)'
                ]) }}
            else cast(catalog_items.category_id as varchar)
        end as catalog_category_path,
        current_versions.price_brl as current_price_brl,
        products.category_name is not null as has_category,
        translations.category_name_english is not null as has_category_translation,
        current_versions.is_available,
        current_versions.price_changed_at
    from products
    left join translations
        on products.category_name = translations.category_name
    left join catalog_items
        on products.product_id = catalog_items.product_id
    left join categories as leaves
        on catalog_items.category_id = leaves.category_id
    left join categories as category_groups
        on leaves.parent_category_id = category_groups.category_id
    left join current_versions
        on catalog_items.item_id = current_versions.catalog_item_id

),

unknown_member as (

    select
        {{ unknown_key() }} as product_id,
        'unknown' as category_name,
        'unknown' as category_name_english,
        cast(null as integer) as name_length,
        cast(null as integer) as description_length,
        cast(null as integer) as photo_count,
        cast(null as integer) as weight_g,
        cast(null as integer) as length_cm,
        cast(null as integer) as height_cm,
        cast(null as integer) as width_cm,
        cast(null as bigint) as catalog_item_id,
        cast(null as bigint) as catalog_category_id,
        cast(null as bigint) as department_category_id,
        cast(null as varchar) as catalog_category_path,
        cast(null as decimal(12, 2)) as current_price_brl,
        false as has_category,
        false as has_category_translation,
        cast(null as boolean) as is_available,
        cast(null as timestamp) as price_changed_at

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final
