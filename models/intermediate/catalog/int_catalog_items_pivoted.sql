{#- One row per catalog item: the Olist product it describes and its leaf category, the
    latest value of each of those properties in the change log. Prices and availability
    are versioned in dim_product_history; their current values come from there. -#}
with

properties as (

    select * from {{ ref('stg_catalog__item_properties') }}

),

identity_changes as (

    select
        item_id,
        property_name,
        property_value,
        row_number() over (
            partition by item_id, property_name
            order by changed_at desc
        ) as recency_rank
    from properties
    where property_name in ('olist_product_id', 'categoryid')

),

final as (

    select
        item_id,
        max(case when property_name = 'olist_product_id' then property_value end) as product_id,
        cast(
            max(case when property_name = 'categoryid' then property_value end) as bigint
        ) as category_id
    from identity_changes
    where recency_rank = 1
    group by item_id

)

select * from final
