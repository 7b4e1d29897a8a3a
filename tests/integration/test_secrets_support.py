"""Shared by test_secrets.py, test_tls.py and test_bad_input.py: a small lab made from
inventories/lab, and ansible-playbook runs against it that keep everything they write in one place.

Not a test module itself (it holds no tests). Each of the three modules starts its own lab on its own
block of 127.85-127.89 (``Block``), so they run side by side under xdist without clashing; the
lab's phones are generated from a copy of inventories/lab reduced to a few hosts, as ``make lab-up``
generates them from the whole inventory. The lab is judged through its admin APIs only.
"""

import base64
import json
import os
import subprocess
import sys
import time
from urllib.parse import quote, quote_plus

import yaml

from deploy_support import copy_lab_inventory, phones_file_from
from labfixture import CA_PATH, REPO_ROOT, only_these_emulators

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
PLAYBOOKS = os.path.join(REPO_ROOT, 'playbooks')
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

# Three phones per site: agent desks, the shared lines' primaries and secondaries, SIP passwords on both.
SMALL_FLEET = ('phone-a01', 'phone-a02', 'phone-a03', 'phone-b01', 'phone-b02', 'phone-b03')


class Block:
    """One test module's addresses: phones on 127.<octet>.<8W+1|2>.y, admin APIs and GAX on 127.0.0.<octet>."""

    def __init__(self, octet):
        self.octet = octet
        self.site_a = '127.%d.%d.' % (octet, 8 * WORKER + 1)
        self.site_b = '127.%d.%d.' % (octet, 8 * WORKER + 2)
        self.admin_host = '127.0.0.%d' % octet
        base = 18850 + 10 * WORKER
        self.phone_admin = '%s:%d' % (self.admin_host, base)
        self.gax_listen = '%s:%d' % (self.admin_host, base + 1)
        self.gax_admin = '%s:%d' % (self.admin_host, base + 2)
        self.http_port, self.https_port = base + 3, base + 4
        self.gax_tls_listen = '%s:%d' % (self.admin_host, base + 5)
        self.closed_port = base + 9          # nothing ever listens there
        self.gax_url = 'http://%s' % self.gax_listen
        self.gax_tls_url = 'https://%s' % self.gax_tls_listen

    def moved(self, text, gax_url=None):
        return (text.replace('127.0.1.', self.site_a).replace('127.0.2.', self.site_b)
                .replace('http://127.0.0.3:8080', gax_url or self.gax_url))

    def address(self, host):
        site, number = host.split('-')[1][0], int(host.split('-')[1][1:])
        return (self.site_a if site == 'a' else self.site_b) + str(10 + number)


def write_inventory(block, dest, keep=SMALL_FLEET, hosts=None, sites=None, secrets=None, main=None, gax_url=None):
    """Copy inventories/lab to ``dest`` with the block's addresses and only the hosts ``keep``.

    ``hosts(children)``, ``sites(list)``, ``secrets(dict)`` and ``main(dict)`` edit hosts.yml, the
    sites, lab_secrets.yml and the rest of group_vars/all/main.yml.
    """
    copy_lab_inventory(dest, lambda text: block.moved(text, gax_url))

    def edit(name, function):
        path = os.path.join(dest, name)
        with open(path, encoding='utf-8') as handle:
            data = yaml.safe_load(handle)
        function(data)
        with open(path, 'w', encoding='utf-8') as handle:
            yaml.safe_dump(data, handle, sort_keys=False)

    def edit_hosts(data):
        children = data['phones']['children']
        for group in children.values():
            for name in list(group['hosts']):
                if name not in keep:
                    del group['hosts'][name]
        if hosts:
            hosts(children)

    def edit_main(data):
        if sites:
            sites(data['gac_sites'])
        if main:
            main(data)

    edit('hosts.yml', edit_hosts)
    edit(os.path.join('group_vars', 'all', 'main.yml'), edit_main)
    if secrets:
        edit(os.path.join('group_vars', 'all', 'lab_secrets.yml'), secrets)
    return dest


def host_vars(children, name):
    for group in children.values():
        if name in (group.get('hosts') or {}):
            return group['hosts'][name]
    raise KeyError(name)


def start_lab(lab_factory, name, block, inventory, phones_file, gax_https=False, phone=None):
    """The block's lab: the inventory's phones (1 s reboots) and one GAX (plus an HTTPS one)."""
    phones_file_from(inventory, phones_file)
    instances = [{'name': 'gax', 'listen': block.gax_listen, 'scheme': 'http'}]
    if gax_https:
        instances.append({'name': 'tls', 'listen': block.gax_tls_listen, 'scheme': 'https'})
    phone_section = {'admin': block.phone_admin, 'http_port': block.http_port, 'https_port': block.https_port,
                     'phones_file': phones_file, 'timings': {'reboot_seconds': 1}}
    phone_section.update(phone or {})
    overrides = only_these_emulators({
        'phone': phone_section,
        'gax': {'admin': block.gax_admin, 'instances': instances},
    })
    return lab_factory(name, overrides)


# --- the lab's own word ---------------------------------------------------------------------------

def phone_writes(lab):
    """Writes per phone address, from the lab's counters (uploads, reboots, changed forms)."""
    return dict((address, kinds.get('writes', 0)) for address, kinds in lab.get('phone', '/counters')['phones'].items()
                if kinds.get('writes', 0))


def phone_histories(lab):
    return dict((phone['address'], lab.get('phone', '/phones/%s/history' % phone['address']))
                for phone in lab.get('phone', '/phones'))


def gax_history(lab, instance='gax'):
    return lab.get('gax', '/history?instance=%s' % instance)


def gax_write_requests(lab, instance='gax'):
    return lab.get('gax', '/counters?instance=%s' % instance)['writes']['requests']


# --- secrets and what they may look like ------------------------------------------------------------

def secret_forms(value):
    """A secret and the encodings it could leak as: base64 (login.cgi sends the phone password so),
    URL-encoded (a form or a query), JSON-escaped (a result or an event), each as text."""
    forms = {value, quote(value, safe=''), quote_plus(value), json.dumps(value)[1:-1],
             base64.b64encode(value.encode('utf-8')).decode('ascii')}
    return sorted(form for form in forms if len(form) >= 4)


def inventory_secrets(inventory):
    """``{label: value}`` of every secret the inventory's group_vars/all hold (the lab's secrets file)."""
    with open(os.path.join(inventory, 'group_vars', 'all', 'lab_secrets.yml'), encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    found = {'audiocodes_password': data['audiocodes_password'], 'gax_password': data['gax_password']}
    for dn, value in data['lab_sip_passwords'].items():
        found['sip password of DN %s' % dn] = value
    for code, value in data['lab_agent_passwords'].items():
        found['Agent Login password %s' % code] = value
    return found


def find_secrets(text, secrets):
    """``[(label, form)]`` of the secrets found in ``text``, in any of their forms."""
    hits = []
    for label, value in sorted(secrets.items()):
        for form in secret_forms(value):
            if form in text:
                hits.append((label, form))
    return hits


# --- ansible-playbook, everything it writes kept under one folder -------------------------------------

CALLBACK = '''
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Every task result as a callback (AWX's, a log shipper's) receives it, one JSON line each."""
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'result_dump'
    CALLBACK_NEEDS_ENABLED = True

    def _dump(self, kind, result):
        data = getattr(result, 'result', None)
        if data is None:
            data = getattr(result, '_result', {})
        with open(os.environ['RESULT_DUMP_FILE'], 'a', encoding='utf-8') as stream:
            stream.write(json.dumps({'kind': kind, 'host': str(getattr(result, 'host', getattr(result, '_host', ''))),
                                     'result': data}, default=repr, sort_keys=True) + '\\n')

    def v2_runner_on_ok(self, result):
        self._dump('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._dump('failed', result)

    def v2_runner_on_skipped(self, result):
        self._dump('skipped', result)

    def v2_runner_on_unreachable(self, result):
        self._dump('unreachable', result)

    def v2_runner_item_on_ok(self, result):
        self._dump('item_ok', result)

    def v2_runner_item_on_failed(self, result):
        self._dump('item_failed', result)

    def v2_runner_item_on_skipped(self, result):
        self._dump('item_skipped', result)

    def v2_runner_retry(self, result):
        self._dump('retry', result)
'''


class Workspace:
    """One folder for everything the runs write: the working directory,
    ANSIBLE_HOME, local and remote temporary files, the fact cache, retry files, the log file and
    the dump of every task result. ``files()`` lists them for the secret scan."""

    def __init__(self, root):
        self.root = root
        self.cwd = os.path.join(root, 'cwd')
        self.home = os.path.join(root, 'ansible-home')
        self.callbacks = os.path.join(root, 'callback_plugins')
        self.results = os.path.join(root, 'results')
        for folder in (self.cwd, self.home, self.callbacks, self.results):
            os.makedirs(folder, exist_ok=True)
        with open(os.path.join(self.callbacks, 'result_dump.py'), 'w', encoding='utf-8') as handle:
            handle.write(CALLBACK)
        self.runs = 0

    def env(self, label):
        return {
            'ANSIBLE_HOME': self.home,
            'ANSIBLE_LOCAL_TEMP': os.path.join(self.root, 'local-tmp'),
            'ANSIBLE_REMOTE_TEMP': os.path.join(self.root, 'remote-tmp'),
            'ANSIBLE_CACHE_PLUGIN': 'jsonfile',
            'ANSIBLE_CACHE_PLUGIN_CONNECTION': os.path.join(self.root, 'fact-cache'),
            'ANSIBLE_RETRY_FILES_ENABLED': '1',
            'ANSIBLE_RETRY_FILES_SAVE_PATH': os.path.join(self.root, 'retry'),
            'ANSIBLE_LOG_PATH': os.path.join(self.root, 'ansible.log'),
            'ANSIBLE_CALLBACK_PLUGINS': self.callbacks,
            'ANSIBLE_CALLBACKS_ENABLED': 'result_dump',
            'RESULT_DUMP_FILE': os.path.join(self.results, '%02d-%s.jsonl' % (self.runs, label)),
        }

    def files(self, skip=()):
        """Every file under the workspace but ``skip`` (folders), as paths."""
        found = []
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = [d for d in dirs if os.path.join(folder, d) not in skip]
            found.extend(os.path.join(folder, name) for name in names)
        return found


class Run:
    def __init__(self, label, done, seconds=None):
        self.label = label
        self.seconds = seconds
        self.rc = done.returncode
        self.output = done.stdout + done.stderr

    def explain(self):
        return '%s: exit %d; output ends:\n%s' % (self.label, self.rc, self.output[-6000:])


def run_playbook(playbook, inventory, block, extra=(), limit=None, check=False, diff=False, verbosity=0,
                 workspace=None, label=None, env=None, ca_path=CA_PATH, options=(), timeout=600):
    """``ansible-playbook`` from the checkout against the block's lab (phones over HTTPS, lab CA, short waits)."""
    command = [ANSIBLE_PLAYBOOK, playbook if os.path.isabs(playbook) else os.path.join(PLAYBOOKS, playbook),
               '-i', inventory, '-e', 'audiocodes_port=%d' % block.https_port,
               '-e', 'audiocodes_phone_verify_delay=1', '-e', 'audiocodes_phone_reboot_timeout=60']
    if ca_path:
        command += ['-e', 'audiocodes_ca_path=%s' % ca_path]
    for item in extra:
        command += ['-e', item]
    if limit:
        command += ['--limit', limit]
    if check:
        command.append('--check')
    if diff:
        command.append('--diff')
    if verbosity:
        command.append('-' + 'v' * verbosity)
    command += list(options)
    environment = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
                       ANSIBLE_FORCE_COLOR='0', ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'))
    for variable in ('AUDIOCODES_PASSWORD', 'AUDIOCODES_USERNAME', 'AUDIOCODES_CA_PATH', 'GAX_USERNAME', 'GAX_PASSWORD',
                     'GAX_CA_PATH'):
        environment.pop(variable, None)
    cwd = REPO_ROOT
    label = label or os.path.basename(playbook)
    if workspace is not None:
        environment.update(workspace.env(label))
        workspace.runs += 1
        cwd = workspace.cwd
    environment.update(env or {})
    started = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout,
                          check=False)
    return Run(label, done, time.monotonic() - started)
