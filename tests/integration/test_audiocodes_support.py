"""Shared by the AudioCodes phone integration tests: a lab of emulated phones and a module runner.

Not a test module itself (it holds no tests); the three ``test_audiocodes_phone*.py`` modules
import it. Each of them starts its own lab on its own addresses, so they never clash.
Tests judge the lab's state through its admin API, never the module's word for it.
"""

import json
import os
import subprocess
import sys
import tempfile

import yaml

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
REPO_ROOT = os.path.dirname(TESTS_DIR)
COLLECTIONS = os.path.join(REPO_ROOT, '.collections')
MODULES = 'ansible_collections.telephony.genesys_audiocodes.plugins.modules.'

ADMIN_PASSWORD = 'Adm1n-Lab-Pw'
HTTP_PORT = 8080
HTTPS_PORT = 8443
# What the lab counts per request answered (each request counts under exactly one of these).
REQUEST_KINDS = ('login', 'login_failed', 'login_page', 'unauthorized', 'page_get', 'page_post',
                 'config_download', 'status')
# Requests made while waiting for a restarting phone: polls are outside the budget.
POLL_KINDS = ('status', 'login_page')


def phone_lab(lab_factory, tmp_path_factory, name, block, admin, models, config=None):
    """Start a lab of emulated phones only: ``127.<block>.0.1..`` with the given models, each
    seeded with line 0 as DN 1501 plus ``config``."""
    folder = tmp_path_factory.mktemp(name)
    phones = []
    for index, model in enumerate(models, start=1):
        seed = dict({'voip/line/0/id': '1501'}, **(config or {}))
        phones.append({'address': '127.%d.0.%d' % (block, index), 'model': model,
                       'admin_password': ADMIN_PASSWORD, 'config': seed})
    phones_file = str(folder / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    overrides = {
        'gax': None,
        'phone': {
            'admin': admin,
            'http_port': HTTP_PORT,
            'https_port': HTTPS_PORT,
            'phones_file': phones_file,
            'variants': {'auth': 'cookie', 'apply': 'replace', 'after_upload': 'reboot'},
            'timings': {'reboot_seconds': 4},
            'faults': {'seed': 1},
        },
    }
    return lab_factory(name, overrides)


class Phone:
    """One emulated phone of a lab, seen through the lab's admin API."""

    def __init__(self, lab, address):
        self.lab = lab
        self.address = address

    def reset(self, **variants):
        """Everything back to the seed (all phones of the lab), then this phone's variants."""
        self.lab.post('phone', '/reset')
        if variants:
            self.lab.put('phone', '/phones/%s/variant' % self.address, variants)
        self.lab.post('phone', '/counters/reset')

    def info(self):
        return self.lab.get('phone', '/phones/%s' % self.address)

    def config(self):
        return self.lab.get('phone', '/phones/%s/config' % self.address)

    def history(self):
        return self.lab.get('phone', '/phones/%s/history' % self.address)

    def counters(self):
        return self.lab.get('phone', '/counters?phone=%s' % self.address)['phones'].get(self.address, {})

    def clear_counters(self):
        self.lab.post('phone', '/counters/reset')

    def requests(self, counters=None, polls=True):
        counters = self.counters() if counters is None else counters
        kinds = REQUEST_KINDS if polls else [kind for kind in REQUEST_KINDS if kind not in POLL_KINDS]
        return sum(counters.get(kind, 0) for kind in kinds)

    def writes(self):
        return self.counters().get('writes', 0)

    def args(self, **extra):
        """Module arguments for this phone over HTTPS, trusting the lab CA."""
        args = {'host': self.address, 'port': HTTPS_PORT, 'ca_path': self.lab.ca_path,
                'password': ADMIN_PASSWORD, 'timeout': 10}
        args.update(extra)
        return args


def run_module(name, args, check=False, diff=False, env=None, timeout=600):
    """Run a module as Ansible would on the target (its file, JSON arguments); returns
    ``(result, output)`` where ``output`` is everything it printed (stdout and stderr)."""
    payload = {'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=check, _ansible_diff=diff)}
    handle, path = tempfile.mkstemp(suffix='.json')
    try:
        with os.fdopen(handle, 'w') as stream:
            json.dump(payload, stream)
        environment = dict(os.environ, PYTHONPATH=COLLECTIONS)
        for variable in ('AUDIOCODES_USERNAME', 'AUDIOCODES_PASSWORD', 'AUDIOCODES_CA_PATH'):
            environment.pop(variable, None)
        environment.update(env or {})
        done = subprocess.run([sys.executable, '-m', MODULES + name, path], capture_output=True, text=True,
                              timeout=timeout, env=environment, cwd=os.path.dirname(path), check=False)
    finally:
        os.unlink(path)
    output = done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith('{')]
    assert lines, 'module %s printed no result:\n%s' % (name, output)
    return json.loads(lines[-1]), output


def same_value(wanted, shown):
    """Compare as the phone stores values: enums in the database's spelling, booleans 0/1."""
    return str(wanted).strip().lower() == str(shown).strip().lower()
