{#- Grain: one row per customer state with delivered orders: how many arrived late,
    by how many days, how long delivery took and how the orders were reviewed. -#}
{{ delivery_performance_by('state_code') }}
