{#- Grain: one row per (review_id, order_id): Olist reuses a review_id across orders. -#}
with

reviews as (

    select * from {{ ref('stg_olist__order_reviews') }}

),

final as (

    select
        reviews.review_key,
        reviews.review_id,
        reviews.order_id,
        reviews.review_score,
        {{ duration_hours(
            'cast(reviews.review_created_date as timestamp)', 'reviews.review_answered_at'
        ) }} as answer_hours,
        reviews.review_comment_title is not null as has_title,
        reviews.review_comment_message is not null as has_message,
        reviews.review_created_date,
        reviews.review_answered_at
    from reviews

)

select * from final
