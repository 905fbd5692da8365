with

source as (

    select * from {{ source('olist', 'geolocation') }}

),

renamed as (

    select
        geolocation_zip_code_prefix as zip_code_prefix,
        geolocation_city as city,
        geolocation_city_normalized as city_normalized,
        upper(geolocation_state) as state,
        geolocation_lat as latitude,
        geolocation_lng as longitude,
        geolocation_points as raw_point_count
    from source

)

select * from renamed
