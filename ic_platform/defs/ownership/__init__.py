"""Insider (Form 4) and institutional (13F) ownership."""
