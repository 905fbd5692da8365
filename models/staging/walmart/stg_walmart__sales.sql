with

source as (

    select * from {{ source('walmart', 'walmart_sales') }}

),

renamed as (

    select
        {{ dbt.concat(['cast(user_id as varchar)', "'-'", 'product_id']) }} as sale_key,
        user_id,
        product_id,
        gender,
        age_band,
        occupation as occupation_code,
        city_category,
        stay_in_current_city_years,
        is_married,
        product_category as product_category_code,
        purchase_amount,
        ingest_date
    from source

)

select * from renamed
