{#- How the incremental event facts replace the rows of their lookback window. DuckDB
    deletes them by key and inserts the new ones; Athena's Hive tables overwrite the
    `event_month`/`session_month` partitions the new rows fall into. -#}
{% macro event_incremental_strategy() -%}
    {{ return(adapter.dispatch('event_incremental_strategy', 'ecom_lakehouse')()) }}
{%- endmacro %}

{% macro default__event_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro athena__event_incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}


{#- The first date an incremental run rebuilds: the newest `date_column` already in the
    table minus `event_lookback_days` (late events land inside the window). An empty
    table rebuilds everything. Whole days on DuckDB (rows are replaced by key); on Athena
    the first day of that month, so each overwritten monthly partition is rebuilt whole. -#}
{% macro incremental_cutoff_date(date_column) -%}
    {{ return(adapter.dispatch('incremental_cutoff_date', 'ecom_lakehouse')(date_column)) }}
{%- endmacro %}

{% macro default__incremental_cutoff_date(date_column) -%}
    (
        select
            coalesce(
                cast({{ dbt.dateadd('day', -1 * integer_var('event_lookback_days'), 'max(' ~ date_column ~ ')') }} as date),
                cast('1900-01-01' as date)
            )
        from {{ this }}
    )
{%- endmacro %}

{% macro athena__incremental_cutoff_date(date_column) -%}
    cast({{ dbt.date_trunc('month', default__incremental_cutoff_date(date_column)) }} as date)
{%- endmacro %}
