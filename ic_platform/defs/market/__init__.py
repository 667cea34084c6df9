"""Market-data domain: daily bars and the features built on them."""
