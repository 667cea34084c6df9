"""SEC EDGAR domain: companies, filings and fundamentals."""
