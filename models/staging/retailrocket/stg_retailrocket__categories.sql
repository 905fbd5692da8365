with

source as (

    select * from {{ source('retailrocket', 'category_tree') }}

),

renamed as (

    select
        categoryid as category_id,
        parentid as parent_category_id,
        parentid is null as is_department
    from source

)

select * from renamed
