{#- Grain: one row per seller, plus the unknown member. -#}
with

sellers as (

    select * from {{ ref('stg_olist__sellers') }}

),

states as (

    select * from {{ ref('brazil_states') }}

),

known as (

    select
        sellers.seller_id,
        sellers.seller_zip_code_prefix as zip_code_prefix,
        sellers.seller_city as city,
        sellers.seller_city_normalized as city_normalized,
        sellers.seller_state as state_code,
        states.state_name,
        coalesce(states.region, 'Unknown') as region
    from sellers
    left join states
        on sellers.seller_state = states.state_code

),

unknown_member as (

    select
        {{ unknown_key() }} as seller_id,
        cast(null as varchar) as zip_code_prefix,
        'unknown' as city,
        'unknown' as city_normalized,
        cast(null as varchar) as state_code,
        'Unknown' as state_name,
        'Unknown' as region

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final
