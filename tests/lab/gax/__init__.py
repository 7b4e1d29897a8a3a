"""Emulated Genesys Administrator Extension (GAX) REST in front of a Configuration Server.

Written from the shared reference (INTERFACES.md section 2, genesys-config-research.md), never
from the collection's code. Profile, seed, REST and admin API: README.md beside this file.
"""
