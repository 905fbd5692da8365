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
        cast(raw_files as bigint) as raw_file_count,
        cast(raw_rows as bigint) as raw_row_count,
        cast(cleaned_rows as bigint) as cleaned_row_count,
        cast(quarantined_rows as bigint) as quarantined_row_count,
        cast(duplicate_rows as bigint) as duplicate_row_count,
        cast(landed_rows as bigint) as landed_row_count,
        cast(is_balanced as boolean) as is_balanced,
        cast(started_at as timestamp) as started_at,
        cast(finished_at as timestamp) as finished_at
    from source

)

select * from renamed
