{#- Data tests of an incremental build check the rows that build rewrote.

    An incremental event fact (int_events_sessionized, fct_events, fct_sessions) replaces
    only the rows from its cutoff on (`incremental_cutoff_date`); the rows before it were
    tested by the build that wrote them and have not changed since. So when a build runs
    such a model incrementally, the model's pre-hook (`record_rebuilt_window`) writes the
    cutoff it used to `<schema>_audit.incremental_windows`, keyed by dbt's invocation id,
    and this project's `get_where_subquery` (dbt's hook for a test's `where` config) reads
    it back: every data test of that model in the same invocation checks
    `<date column> >= <cutoff>`. Nothing recorded (a full build, a first build,
    `--full-refresh`, a `dbt test` on its own) means the whole table is tested.

    Tests that compare the whole table with something else opt out with
    `config: {meta: {checks_whole_table: true}}` (equal_row_count against its source).
    Keys stay unique across the window's edge by construction: delete+insert by
    `unique_key` removes an older row with a rebuilt row's key.

    DuckDB only for now: on Athena these macros record nothing and every test reads its
    whole table (an INSERT per model is an Athena query of its own). -#}

{% macro incremental_windows_relation() -%}
    {{ return(api.Relation.create(
        database=target.database,
        schema=target.schema ~ '_audit',
        identifier='incremental_windows',
    )) }}
{%- endmacro %}


{#- on-run-start: the table the pre-hooks append to (one row per incremental model and
    build; kept, so the warehouse shows which days each build rebuilt). Only commands
    that build models write it: `dbt source freshness` and `dbt test` run the project's
    hooks too, and write nothing. -#}
{% macro create_incremental_windows() -%}
    {{ return(adapter.dispatch('create_incremental_windows', 'ecom_lakehouse')()) }}
{%- endmacro %}

{% macro default__create_incremental_windows() -%}
    {%- if flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set windows = incremental_windows_relation() -%}
    create schema if not exists {{ windows.database }}.{{ windows.schema }};
    create table if not exists {{ windows }} (
        invocation_id varchar,
        relation_name varchar,
        date_column varchar,
        rebuilt_from date,
        recorded_at timestamp
    )
{%- endmacro %}

{% macro athena__create_incremental_windows() -%}{%- endmacro %}


{#- Pre-hook of an incremental model: in an incremental run, record the first
    `date_column` value the run rebuilds (the same cutoff the model's SQL uses, read
    before the model writes). -#}
{% macro record_rebuilt_window(date_column) -%}
    {{ return(adapter.dispatch('record_rebuilt_window', 'ecom_lakehouse')(date_column)) }}
{%- endmacro %}

{% macro default__record_rebuilt_window(date_column) -%}
    {%- if is_incremental() -%}
        insert into {{ incremental_windows_relation() }}
        select
            '{{ invocation_id }}',
            '{{ this | string | replace("'", "''") }}',
            '{{ date_column }}',
            {{ incremental_cutoff_date(date_column) }},
            current_timestamp
    {%- endif -%}
{%- endmacro %}

{% macro athena__record_rebuilt_window(date_column) -%}{%- endmacro %}


{#- The filter limiting a test of `relation` to the rows this invocation rebuilt, or
    none (the whole table). Read at execution time only. -#}
{% macro rebuilt_rows_filter(relation) -%}
    {%- if not execute or (config.get('meta') or {}).get('checks_whole_table') -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.dispatch('rebuilt_rows_filter', 'ecom_lakehouse')(relation)) }}
{%- endmacro %}

{% macro default__rebuilt_rows_filter(relation) -%}
    {#- A source may render as a reader call with quoted paths: compared as a string. -#}
    {%- set windows = incremental_windows_relation() -%}
    {%- if adapter.get_relation(windows.database, windows.schema, windows.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select date_column, cast(rebuilt_from as varchar) from " ~ windows
        ~ " where invocation_id = '" ~ invocation_id ~ "'"
        ~ " and relation_name = '" ~ (relation | string | replace("'", "''")) ~ "'"
    ) -%}
    {%- if found.rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(found.rows[0][0] ~ " >= cast('" ~ found.rows[0][1] ~ "' as date)") }}
{%- endmacro %}

{% macro athena__rebuilt_rows_filter(relation) -%}
    {{ return(none) }}
{%- endmacro %}


{#- dbt's hook for a test's `where` config, extended: the test reads its model through
    the `where` config (when set) and the rebuilt-rows filter (when this invocation
    rebuilt the model incrementally). -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set filters = [] -%}
    {%- if config.get('where') -%}
        {%- do filters.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set rebuilt = rebuilt_rows_filter(relation) -%}
    {%- if rebuilt -%}
        {%- do filters.append(rebuilt) -%}
    {%- endif -%}
    {%- if filters -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ filters | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
