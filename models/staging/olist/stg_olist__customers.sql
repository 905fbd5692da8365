with

source as (

    select * from {{ source('olist', 'customers') }}

),

renamed as (

    select
        customer_id,
        customer_unique_id,
        customer_zip_code_prefix,
        customer_city,
        customer_city_normalized,
        upper(customer_state) as customer_state,
        ingest_date
    from source

)

select * from renamed
