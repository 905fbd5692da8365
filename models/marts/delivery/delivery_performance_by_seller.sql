{#- Grain: one row per seller with delivered orders: how many of the orders it sold in
    arrived late, by how many days, and how they were reviewed. An order with several
    sellers counts for each of them. -#}
{{ delivery_performance_by('seller_id') }}
