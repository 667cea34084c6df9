"""`pandera.polars` models: the one place that names each table's columns and rules."""
