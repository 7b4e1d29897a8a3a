"""Make the collection importable as ``ansible_collections.telephony.genesys_audiocodes``.

The Makefile lays ``.collections/ansible_collections/telephony/genesys_audiocodes`` as a link to
the checkout; tests run through that tree, and this puts its root on ``sys.path`` however pytest
was started.
"""

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
COLLECTIONS_ROOT = os.path.join(REPO_ROOT, '.collections')
TESTS_DIR = os.path.join(REPO_ROOT, 'tests')

for path in (COLLECTIONS_ROOT, TESTS_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)


def pytest_configure(config):
    config.addinivalue_line('markers', 'lab_scale: starts a lab with a thousand phones (a few seconds)')
