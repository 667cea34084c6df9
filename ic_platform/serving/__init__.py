"""The serving database the web site reads: the published scores and the companies."""
