"""Helpers shared by the lab emulators (certificates from the lab CA, ...).

Nothing here may import collection code: the lab stands in for real devices.
"""
