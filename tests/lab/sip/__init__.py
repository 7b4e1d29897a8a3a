"""The lab's SIP servers: kamailio registrars standing in for Genesys SIP Server, and SIP proxies.

One `python -m sip` process starts and watches every kamailio instance of the profile's `sip:`
section, keeps each registrar's table of DNs in step with the lab GAX, and serves the admin API.
It never imports collection code (tests/lab/README.md "## sip").
"""
