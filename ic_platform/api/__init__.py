"""The scores API: the serving database over HTTP, as JSON."""
