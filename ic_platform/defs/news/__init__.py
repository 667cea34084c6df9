"""News, sentiment and analyst ratings."""
