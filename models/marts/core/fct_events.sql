{{
    config(
        unique_key='event_id',
        incremental_strategy=event_incremental_strategy(),
        incremental_predicates=event_merge_predicates('event_date'),
        pre_hook="{{ record_rebuilt_window('event_date') }}",
        partitioned_by=['event_month'],
    )
}}
{#- Grain: one row per website event, with its session, funnel step and the product's
    catalog price when the event happened. Anonymous events have no customer_id; events
    about a product missing from the catalog point to the unknown product.
    Incremental: a run rebuilds the days from `incremental_cutoff_date` on and replaces
    their rows by event_id (a MERGE into the Iceberg table on Athena). -#}
with

events as (

    select * from {{ ref('int_events_sessionized') }}
    {% if is_incremental() -%}
        where event_date >= {{ incremental_cutoff_date('event_date') }}
    {%- endif %}

),

products as (

    select * from {{ ref('dim_product') }}

),

product_versions as (

    select * from {{ ref('dim_product_history') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

final as (

    select
        events.event_id,
        events.session_key,
        events.session_id,
        case
            when events.customer_id is null then null
            else coalesce(customers.customer_id, {{ unknown_key() }})
        end as customer_id,
        case
            when events.product_id is null then null
            else coalesce(products.product_id, {{ unknown_key() }})
        end as product_id,
        events.order_id,
        events.event_type,
        events.funnel_step_name,
        events.device_type,
        events.traffic_source,
        events.customer_state,
        events.event_sequence_number,
        events.funnel_step_number,
        product_versions.price_brl as price_at_event_brl,
        events.seconds_since_previous_event,
        events.is_authenticated,
        events.is_session_start,
        events.event_at,
        events.event_date,
        events.event_month
    from events
    left join products
        on events.product_id = products.product_id
    left join customers
        on events.customer_id = customers.customer_id
    left join product_versions
        on
            events.product_id = product_versions.product_id
            and events.event_at >= product_versions.valid_from
            and (events.event_at < product_versions.valid_to or product_versions.valid_to is null)

)

select * from final
