"""Serving domain: the published scores written into the serving database the web site reads."""
