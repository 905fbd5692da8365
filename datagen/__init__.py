"""Data generator: Olist-format files, a website clickstream aligned with the orders, and
a Retailrocket-format catalog feed, deterministic for a seed and scale. Demo and test
tooling, written from the dataset contract (`lakecore.contract`); landing is
`ingestion/`'s job.

One module per feed: `olist` (the 9 marketplace files; `olist_orders` the orders and what
hangs off them), `clickstream` (the CSV export and the Firehose feed), `catalog` (category
tree and item property change log); `generate` draws them in chunks on a pool of worker
processes and writes them in bounded memory; `csv_format` writes the Olist byte format;
`rows` holds the row types keyed by the contract's columns and the random helpers they
share.
"""
