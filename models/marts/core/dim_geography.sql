{#- Grain: one row per zip code prefix with its coordinates, plus the unknown member. -#}
with

geolocations as (

    select * from {{ ref('stg_olist__geolocations') }}

),

states as (

    select * from {{ ref('brazil_states') }}

),

known as (

    select
        geolocations.zip_code_prefix,
        geolocations.city,
        geolocations.city_normalized,
        geolocations.state as state_code,
        states.state_name,
        coalesce(states.region, 'Unknown') as region,
        geolocations.latitude,
        geolocations.longitude,
        geolocations.raw_point_count
    from geolocations
    left join states
        on geolocations.state = states.state_code

),

unknown_member as (

    select
        {{ unknown_key() }} as zip_code_prefix,
        'unknown' as city,
        'unknown' as city_normalized,
        cast(null as varchar) as state_code,
        'Unknown' as state_name,
        'Unknown' as region,
        cast(null as double) as latitude,
        cast(null as double) as longitude,
        cast(0 as bigint) as raw_point_count

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final
