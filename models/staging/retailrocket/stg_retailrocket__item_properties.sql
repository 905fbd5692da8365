with

source as (

    select * from {{ source('retailrocket', 'item_properties') }}

),

renamed as (

    select
        {{ dbt.concat([
            'cast(itemid as varchar)', "'-'", 'property', "'-'",
            'cast(' ~ adapter.quote('timestamp') ~ ' as varchar)'
        ]) }} as item_property_change_key,
        itemid as item_id,
        property as property_name,
        value as property_value,
        value_number as property_value_number,
        changed_at
    from source

)

select * from renamed
