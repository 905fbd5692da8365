{#- Grain: one row per Retailrocket visitor event (a view, an add-to-cart or a bought
    item of a transaction), with the item's price, availability and category at the
    moment of the event: the item version (int_retailrocket_item_versions) valid then.
    An event before the item's first snapshot has none (null). -#}
with

events as (

    select * from {{ ref('stg_retailrocket__events') }}

),

versions as (

    select * from {{ ref('int_retailrocket_item_versions') }}

),

funnel_steps as (

    select * from {{ ref('retailrocket_funnel_steps') }}

),

final as (

    select
        events.event_key,
        events.visitor_id,
        events.item_id,
        events.event_type,
        funnel_steps.funnel_step_number,
        events.transaction_id,
        events.event_at,
        versions.price as item_price,
        versions.is_available as item_is_available,
        versions.category_id,
        events.event_date
    from events
    left join funnel_steps
        on events.event_type = funnel_steps.event_type
    left join versions
        on
            events.item_id = versions.item_id
            and events.event_at >= versions.valid_from
            and (versions.valid_to is null or events.event_at < versions.valid_to)

)

select * from final
