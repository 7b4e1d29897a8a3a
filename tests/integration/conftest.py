"""Fixtures that start labs for integration tests.

``lab_factory(name, overrides)`` starts a lab from the default profile deep-merged with
``overrides`` (each test module picks its own address block and ports so labs never clash), and
stops every lab it started at the end of the session.
"""

import os
import shutil
import tempfile

import pytest

from labfixture import Lab, deep_merge, load_profile


@pytest.fixture(scope='session')
def lab_factory():
    labs = []
    root = tempfile.mkdtemp(prefix='lab-', dir=os.environ.get('LAB_TMP'))

    def start(name, overrides=None, base='default'):
        profile = deep_merge(load_profile(base), overrides or {})
        lab = Lab(os.path.join(root, name), profile)
        labs.append(lab)
        return lab.up()

    yield start
    for lab in labs:
        lab.down()
    shutil.rmtree(root, ignore_errors=True)
