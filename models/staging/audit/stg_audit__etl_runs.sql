with

source as (

    select * from {{ source('lakehouse_audit', 'run_log') }}

),

renamed as (

    select
        {{ dbt.concat(['run_id', "'-'", 'entity']) }} as etl_run_key,
        run_id,
        entity,
        source as source_system,
        raw_rows as raw_row_count,
        cleaned_rows as cleaned_row_count,
        quarantined_rows as quarantined_row_count,
        duplicate_rows as duplicate_row_count,
        landed_rows as landed_row_count,
        is_balanced,
        started_at,
        finished_at
    from source

)

select * from renamed
