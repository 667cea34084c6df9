"""Scores domain: factor scores, the IC Score and its evaluation."""
