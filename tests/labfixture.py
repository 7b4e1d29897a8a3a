"""Start and drive a lab from tests: a profile dict in, a running lab with its admin APIs out.

Tests judge the lab's own state through these admin calls, never a module's word for it.
"""

import copy
import json
import os
import subprocess
import sys

import requests
import yaml

TESTS_DIR = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(TESTS_DIR)
LABCTL = os.path.join(TESTS_DIR, 'lab', 'labctl.py')
PROFILES_DIR = os.path.join(TESTS_DIR, 'lab', 'profiles')
CA_PATH = os.path.join(REPO_ROOT, '.lab', 'certs', 'ca.pem')


def deep_merge(base, override):
    """A copy of ``base`` with ``override`` merged in; dicts merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def emulator_packages():
    """The emulator packages beside labctl (a profile section with one of these names starts one)."""
    lab_dir = os.path.dirname(LABCTL)
    return sorted(name for name in os.listdir(lab_dir) if os.path.isfile(os.path.join(lab_dir, name, '__main__.py')))


def only_these_emulators(overrides):
    """``overrides`` with every other emulator of the base profile left out (set to None, which
    labctl skips), so a test lab never binds the addresses of the default lab's other emulators."""
    result = dict(overrides)
    for kind in emulator_packages():
        result.setdefault(kind, None)
    return result


def load_profile(name='default'):
    with open(os.path.join(PROFILES_DIR, name + '.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle) or {}


def labctl(*args, check=True):
    result = subprocess.run([sys.executable, LABCTL] + list(args), capture_output=True, text=True,
                            timeout=300, check=False)
    if check and result.returncode != 0:
        raise RuntimeError('labctl %s failed (%d):\n%s%s' % (' '.join(args), result.returncode,
                                                             result.stdout, result.stderr))
    return result


class Lab:
    """One running lab: its state directory, its emulators' ready files and admin APIs."""

    def __init__(self, state_dir, profile):
        self.state_dir = state_dir
        self.profile = profile
        self.profile_path = os.path.join(state_dir, 'input-profile.yml')
        self.ca_path = CA_PATH
        self.running = False

    def up(self):
        os.makedirs(self.state_dir, exist_ok=True)
        # Relative paths in the profile (phones files, seeds) stay relative to the profiles folder.
        self.profile.setdefault('profile_dir', PROFILES_DIR)
        with open(self.profile_path, 'w', encoding='utf-8') as handle:
            yaml.safe_dump(self.profile, handle, sort_keys=False)
        labctl('up', '--profile', self.profile_path, '--state-dir', self.state_dir)
        self.running = True
        return self

    def down(self):
        if self.running:
            labctl('down', '--state-dir', self.state_dir)
            self.running = False

    def ready(self, kind):
        with open(os.path.join(self.state_dir, kind + '.ready'), encoding='utf-8') as handle:
            return json.load(handle)

    def admin_url(self, kind):
        return self.ready(kind)['admin'].rstrip('/')

    def call(self, kind, method, path, payload=None, timeout=60):
        """An admin API call; returns the decoded JSON (or None for an empty answer)."""
        answer = requests.request(method, self.admin_url(kind) + path, json=payload, timeout=timeout)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def get(self, kind, path):
        return self.call(kind, 'GET', path)

    def put(self, kind, path, payload):
        return self.call(kind, 'PUT', path, payload)

    def post(self, kind, path, payload=None):
        return self.call(kind, 'POST', path, payload)
