{#- One row per catalog item: the latest value of each property it is described by, side
    by side: its Olist product (generated data only), leaf category, price and
    availability. How each value changed over time is int_retailrocket_item_versions;
    a test checks that its current versions agree with these latest values. -#}
with

properties as (

    select * from {{ ref('stg_retailrocket__item_properties') }}

),

latest as (

    select
        item_id,
        property_name,
        property_value,
        property_value_number,
        row_number() over (
            partition by item_id, property_name
            order by changed_at desc
        ) as recency_rank
    from properties
    where property_name in ('olist_product_id', 'categoryid', '790', 'available')

),

first_seen as (

    select
        item_id,
        min(changed_at) as first_seen_at,
        count(*) as property_change_count
    from properties
    group by item_id

),

pivoted as (

    select
        item_id,
        max(case when property_name = 'olist_product_id' then property_value end) as product_id,
        cast(
            max(case when property_name = 'categoryid' then property_value end) as bigint
        ) as category_id,
        max(case when property_name = '790' then property_value_number end) as price,
        max(case when property_name = 'available' then property_value end) = '1' as is_available
    from latest
    where recency_rank = 1
    group by item_id

),

final as (

    select
        first_seen.item_id,
        pivoted.product_id,
        pivoted.category_id,
        pivoted.price,
        pivoted.is_available,
        first_seen.first_seen_at,
        first_seen.property_change_count
    from first_seen
    left join pivoted
        on first_seen.item_id = pivoted.item_id

)

select * from final
