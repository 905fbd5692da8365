with

source as (

    select * from {{ source('olist', 'order_reviews') }}

),

renamed as (

    select
        {{ dbt.concat(['review_id', "'-'", 'order_id']) }} as review_key,
        review_id,
        order_id,
        review_comment_title,
        review_comment_message,
        review_score,
        cast(review_creation_date as date) as review_created_date,
        review_answer_timestamp as review_answered_at
    from source

)

select * from renamed
