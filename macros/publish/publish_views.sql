{#- Write-audit-publish on Athena (lakehouse/publish.py): after a build into one of two
    schema sets passed every test, each relation readers use becomes a view over the
    built one. `views` is a list of [published schema, built schema, name]. Run as
    `dbt run-operation publish_views --args '{views: [...]}'` with the published
    schema prefix as the target's. -#}
{% macro publish_views(views) %}
    {%- set schemas = [] -%}
    {%- for published, built, name in views -%}
        {%- if published not in schemas -%}
            {%- do adapter.create_schema(api.Relation.create(database=target.database, schema=published)) -%}
            {%- do schemas.append(published) -%}
        {%- endif -%}
        {%- set view = api.Relation.create(database=target.database, schema=published, identifier=name, type='view') -%}
        {%- set source = api.Relation.create(database=target.database, schema=built, identifier=name) -%}
        {%- do run_query('create or replace view ' ~ view ~ ' as select * from ' ~ source) -%}
    {%- endfor -%}
    {{ log('published ' ~ views | length ~ ' views in ' ~ schemas | length ~ ' schemas', info=True) }}
{% endmacro %}
