with

source as (

    select * from {{ source('olist', 'order_payments') }}

),

renamed as (

    select
        {{ dbt.concat(['order_id', "'-'", 'cast(payment_sequential as varchar)']) }} as payment_key,
        order_id,
        payment_type,
        payment_sequential as payment_sequence_number,
        payment_installments as installment_count,
        payment_value as payment_brl
    from source

)

select * from renamed
