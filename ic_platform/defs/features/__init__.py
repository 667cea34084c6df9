"""Features domain: daily point-in-time features built from the raw assets."""
