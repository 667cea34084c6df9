"""Clients and parsers for the external sources, free of Dagster so they can be tested alone."""
