"""Dagster definitions, one folder per domain, each owning its assets, checks, sensors and resources."""
