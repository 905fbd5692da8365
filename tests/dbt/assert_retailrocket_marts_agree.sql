{#- Reconciliation of the Retailrocket models: the visitor funnel counts every view,
    add-to-cart and transaction of the events fact and every visitor once; each item's
    current version (int_retailrocket_item_versions) has the latest values the pivot
    (int_retailrocket_items_pivoted) reads. Returns the checks that disagree. -#}
with

events as (

    select
        count(distinct visitor_id) as visitor_count,
        count(case when event_type = 'view' then 1 end) as view_count,
        count(case when event_type = 'addtocart' then 1 end) as add_to_cart_count,
        count(distinct transaction_id) as transaction_count
    from {{ ref('fct_retailrocket_events') }}

),

visitors as (

    select
        count(*) as visitor_count,
        sum(view_count) as view_count,
        sum(add_to_cart_count) as add_to_cart_count,
        sum(transaction_count) as transaction_count
    from {{ ref('retailrocket_visitor_funnel') }}

),

current_versions as (

    select * from {{ ref('int_retailrocket_item_versions') }}
    where is_current

),

version_mismatches as (

    select count(*) as mismatch_count
    from {{ ref('int_retailrocket_items_pivoted') }} as items
    inner join current_versions
        on items.item_id = current_versions.item_id
    where
        not (
            coalesce(
                items.price = current_versions.price,
                items.price is null and current_versions.price is null
            )
            and coalesce(
                items.is_available = current_versions.is_available,
                items.is_available is null and current_versions.is_available is null
            )
            and coalesce(
                items.category_id = current_versions.category_id,
                items.category_id is null and current_versions.category_id is null
            )
        )

),

checks as (

    select
        'visitor funnel vs events' as check_name,
        cast(
            events.visitor_count != visitors.visitor_count
            or events.view_count != coalesce(visitors.view_count, 0)
            or events.add_to_cart_count != coalesce(visitors.add_to_cart_count, 0)
            or events.transaction_count != coalesce(visitors.transaction_count, 0)
            as integer
        ) as failures
    from events
    cross join visitors
    union all
    select
        'current versions vs latest values' as check_name,
        cast(mismatch_count as integer) as failures
    from version_mismatches

)

select * from checks
where failures > 0
