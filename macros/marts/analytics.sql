{#- The customer, product and funnel analytics every source's marts share: a frequency
    segment from how often a customer bought, the revenue contribution (rank, share,
    cumulative share, Pareto class) of whatever a mart ranks by revenue, and how many
    funnel units (sessions, visitors) reached each step. -#}

{#- A case expression naming a customer's frequency segment. `segments` is a list of
    [label, minimum count] pairs, highest minimum first; a count below every minimum
    gets `otherwise`. -#}
{% macro frequency_segment(count_column, segments, otherwise) -%}
    case
        {%- for label, minimum in segments %}
        when {{ count_column }} >= {{ minimum }} then '{{ label }}'
        {%- endfor %}
        else '{{ otherwise }}'
    end
{%- endmacro %}

{#- A select over `relation` (a CTE name or a ref) adding each row's revenue_rank
    (1 = largest `revenue_column`, ties broken by `key_column`), revenue_share of the
    total, cumulative_revenue_share of the rows ranked up to it, and pareto_class:
    A while the rows ranked above it make less than 80% of revenue, B below 95%, else C. -#}
{% macro revenue_contribution(relation, key_column, revenue_column) -%}
    {%- set ranking = 'order by ' ~ revenue_column ~ ' desc, ' ~ key_column ~ ' asc' -%}
    select
        shares.*,
        case
            when shares.cumulative_revenue_share - shares.revenue_share < 0.80 then 'A'
            when shares.cumulative_revenue_share - shares.revenue_share < 0.95 then 'B'
            else 'C'
        end as pareto_class
    from (
        select
            *,
            cast(row_number() over ({{ ranking }}) as integer) as revenue_rank,
            {{ safe_ratio(revenue_column, 'sum(' ~ revenue_column ~ ') over ()') }}
                as revenue_share,
            {{ safe_ratio(
                'sum(' ~ revenue_column ~ ') over (' ~ ranking
                ~ ' rows between unbounded preceding and current row)',
                'sum(' ~ revenue_column ~ ') over ()'
            ) }} as cumulative_revenue_share
        from {{ relation }}
    ) as shares
{%- endmacro %}

{#- Columns counting the funnel units (sessions, visitor-days) that reached each step:
    a unit reached a step when its furthest step number is at least the step's number.
    `steps` is a list of [count column, step number] pairs. -#}
{% macro funnel_reached_counts(furthest_step_column, steps) -%}
    {%- for count_column, step_number in steps %}
        count(case when {{ furthest_step_column }} >= {{ step_number }} then 1 end)
            as {{ count_column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A Pareto mart's rows: each product of `ranked` (revenue_contribution's output) with
    its category from `products`, its class and rank, the `measures` columns, and its
    revenue shares. -#}
{% macro pareto_products(ranked, products, category_column, measures) -%}
    select
        {{ ranked }}.product_id,
        {{ products }}.{{ category_column }},
        {{ ranked }}.pareto_class,
        {{ ranked }}.revenue_rank,
        {%- for measure in measures %}
        {{ ranked }}.{{ measure }},
        {%- endfor %}
        {{ ranked }}.revenue_share,
        {{ ranked }}.cumulative_revenue_share
    from {{ ranked }}
    left join {{ products }}
        on {{ ranked }}.product_id = {{ products }}.product_id
{%- endmacro %}
