{#- The key of a dimension's unknown member: facts whose key has no match point here
    instead of losing the row. -#}
{% macro unknown_key() -%}
    '-1'
{%- endmacro %}
