"""The IC Score from the daily features, and how well it predicts returns: pure Polars functions."""
