with

source as (

    select * from {{ source('retailrocket', 'retailrocket_events') }}

),

renamed as (

    select
        {{ dbt.concat([
            'cast(visitorid as varchar)', "'-'", 'cast(itemid as varchar)', "'-'",
            'event_type', "'-'", 'cast(' ~ adapter.quote('timestamp') ~ ' as varchar)'
        ]) }} as event_key,
        visitorid as visitor_id,
        itemid as item_id,
        event_type,
        transactionid as transaction_id,
        event_ts as event_at,
        cast(event_date as date) as event_date
    from source

)

select * from renamed
