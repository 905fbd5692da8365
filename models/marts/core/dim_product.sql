{#- Grain: one row per product, with the English category label, plus the unknown
    member. Two real categories have no translation: their Portuguese name stands in. -#}
with

products as (

    select * from {{ ref('stg_olist__products') }}

),

translations as (

    select * from {{ ref('stg_olist__product_category_translations') }}

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
        products.category_name is not null as has_category,
        translations.category_name_english is not null as has_category_translation
    from products
    left join translations
        on products.category_name = translations.category_name

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
        false as has_category,
        false as has_category_translation

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final
