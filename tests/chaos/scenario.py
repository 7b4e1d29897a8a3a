"""Faults and concurrent slices: what the fault tests and `make chaos` share.

A scenario is a lab (phones + GAX) on its own loopback block, an inventory (inventories/lab moved
to that block, optionally with generated extra phones), and runs of deploy_bc.yml against it. Every
judgement reads the lab's own admin APIs:

- the final state: each phone's /phones/<addr>/config, and the GAX store's DNs and Agent Logins
  (keyed by switch and number/login code, DBIDs left out since a retried create may get another);
- partial configurations: /phones/<addr>/history?full=1 lists every configuration a phone held.
  A configuration recorded during a run is PARTIAL when it is neither the configuration the phone
  held when the run began (S) nor the one it holds at the end (F, which must equal the fault-free
  run's): deploy_bc writes each phone's whole configuration in one upload, so any third
  configuration is some of the run's changes applied without the others;
- duplicates: the GAX store's DNs per (switch, number) and Agent Logins per (switch, login code),
  plus the lab's own /duplicates, plus the write history (no key created twice in one run);
- faults injected: the lab's own counters (phone fault_* kinds, GAX faults and expired sessions).
"""

import copy
import os
import sys
import threading
import time

import yaml

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
for _path in (TESTS_DIR, os.path.join(TESTS_DIR, 'integration')):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from deploy_support import copy_lab_inventory, phones_file_from, run_playbook  # noqa: E402  pylint: disable=wrong-import-position
from labfixture import PROFILES_DIR, only_these_emulators  # noqa: E402  pylint: disable=wrong-import-position

SWITCHES = ('SIP_Switch_A', 'SIP_Switch_B')
PHONE_FAULT_KINDS = ('fault_5xx', 'fault_reset', 'fault_slow', 'fault_lost_reply', 'fault_reboot')

# "5 % transient faults": per request, 2 % answer 500, 2 % reset the connection, 1 % answer slowly.
TRANSIENT = {'error_rate': 0.02, 'reset_rate': 0.02, 'slow_rate': 0.01}


class Block:
    """Addresses and ports of one scenario: phones on 127.<b>.<a|b>.y, admin APIs on one 127.0.0.x."""

    def __init__(self, phone_octet, admin_host, port_base):
        self.site_a = '127.%d.1.' % phone_octet
        self.site_b = '127.%d.2.' % phone_octet
        self.admin_host = admin_host
        self.port_base = port_base
        self.phone_admin = '%s:%d' % (admin_host, port_base)
        self.gax_listen = '%s:%d' % (admin_host, port_base + 1)
        self.gax_admin = '%s:%d' % (admin_host, port_base + 2)
        self.http_port, self.https_port = port_base + 3, port_base + 4

    def moved(self, text):
        return (text.replace('127.0.1.', self.site_a).replace('127.0.2.', self.site_b)
                .replace('http://127.0.0.3:8080', 'http://%s' % self.gax_listen))


# --- the inventory -----------------------------------------------------------------------------------

def extra_phones(count, block):
    """``count`` more phones, alternately on sites A and B: one SIP-authenticated line each."""
    hosts = {'site_a': {}, 'site_b': {}}
    passwords = {}
    for index in range(count):
        site = 'site_a' if index % 2 == 0 else 'site_b'
        net = block.site_a if site == 'site_a' else block.site_b
        last = 100 + index // 2
        number = str(1600 + index)
        passwords[number] = 'lab-sip-%s-Xx%d' % (number, index % 10)
        hosts[site]['phone-x%03d' % index] = {
            'address': '%s%d' % (net, last),
            'model': ('420HD', '440HD', '405HD', '430HD')[index % 4],
            'mac': '00:90:8F:%02X:%02X:%02X' % (0xC1 + (site == 'site_b'), last // 256, last % 256),
            'firmware': '2.2.16.501',
            'lines': [{'dn': number, 'display_name': 'Desk %s' % number,
                       'sip_password': "{{ lab_sip_passwords['%s'] }}" % number,
                       'features': {'sip_auth': True, 'dnd': True}}],
        }
    return hosts, passwords


def write_inventory(dest, block, extra=0):
    """inventories/lab copied to ``dest``, addresses moved to ``block``, ``extra`` phones added."""
    copy_lab_inventory(dest, block.moved)
    if extra:
        hosts, passwords = extra_phones(extra, block)
        path = os.path.join(dest, 'hosts.yml')
        with open(path, encoding='utf-8') as handle:
            data = yaml.safe_load(handle)
        for group, members in hosts.items():
            data['phones']['children'][group]['hosts'].update(members)
        with open(path, 'w', encoding='utf-8') as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
        path = os.path.join(dest, 'group_vars', 'all', 'lab_secrets.yml')
        with open(path, encoding='utf-8') as handle:
            data = yaml.safe_load(handle)
        data['lab_sip_passwords'].update(passwords)
        with open(path, 'w', encoding='utf-8') as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
    return dest


def seed_with_users(workdir, users):
    """A copy of the lab GAX seed with more users (one per slice: GAX's history then says which run wrote what)."""
    with open(os.path.join(PROFILES_DIR, 'gax-seed.yml'), encoding='utf-8') as handle:
        seed = yaml.safe_load(handle)
    seed['users'] = list(seed['users']) + [{'username': name, 'password': password} for name, password in users]
    path = os.path.join(workdir, 'gax-seed.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(seed, handle, sort_keys=False)
    return path


def lab_overrides(block, phones_file, reboot_seconds=1, gax_seed=None):
    gax_seed = {'seed': gax_seed} if gax_seed else {}
    return only_these_emulators({
        'phone': {'admin': block.phone_admin, 'http_port': block.http_port, 'https_port': block.https_port,
                  'phones_file': phones_file,
                  'timings': {'reboot_seconds': reboot_seconds, 'slow_seconds': 1}},
        'gax': dict(gax_seed, admin=block.gax_admin, faults={'slow_seconds': 1.0},
                    instances=[{'name': 'gax', 'listen': block.gax_listen, 'scheme': 'http'}]),
    })


# --- the scenario ------------------------------------------------------------------------------------

class Scenario:
    """A running lab, its inventory, and what its admin APIs say."""

    def __init__(self, lab, inventory, block):
        self.lab = lab
        self.inventory = inventory
        self.block = block

    @classmethod
    def start(cls, start_lab, workdir, block, name, extra=0, gax_users=()):
        """``start_lab(name, overrides)`` starts a lab (the ``lab_factory`` fixture, or chaos's own)."""
        inventory = write_inventory(os.path.join(workdir, 'inventory'), block, extra)
        phones_file = phones_file_from(inventory, os.path.join(workdir, 'phones.yml'))
        seed = seed_with_users(workdir, gax_users) if gax_users else None
        lab = start_lab(name, lab_overrides(block, phones_file, gax_seed=seed))
        return cls(lab, inventory, block)

    # --- knobs ---
    def reset(self):
        self.lab.post('phone', '/reset')
        self.lab.post('gax', '/reset')

    def phones(self):
        return [phone['address'] for phone in self.lab.get('phone', '/phones')]

    def inject(self, seed, transient=True, phone_session_every=0, gax_session_every=0, lost_creates=0,
               lost_create_rate=0.0, reboot_rate=0.0, lost_reply_rate=0.0, reboot_after=None):
        """Set the faults of a run (after a reset). ``reboot_after``: {address: N} restarts that phone
        as its Nth request from now arrives."""
        phone_faults = dict(TRANSIENT if transient else dict.fromkeys(TRANSIENT, 0.0), seed=seed,
                            reboot_rate=reboot_rate, lost_reply_rate=lost_reply_rate)
        self.lab.put('phone', '/faults', phone_faults)
        self.lab.put('phone', '/timings', {'expire_session_every': phone_session_every})
        gax_faults = dict(TRANSIENT if transient else dict.fromkeys(TRANSIENT, 0.0), seed=seed,
                          lost_create_next=lost_creates, lost_create_rate=lost_create_rate)
        self.lab.put('gax', '/faults', gax_faults)
        self.lab.put('gax', '/variants', {'session_expire_every': gax_session_every})
        for address, count in (reboot_after or {}).items():
            self.lab.post('phone', '/phones/%s/reboot' % address, {'after_requests': count})

    def quiet(self):
        """No fault at all (for a check run after a faulty one)."""
        self.lab.put('phone', '/faults', dict.fromkeys(list(TRANSIENT) + ['reboot_rate', 'lost_reply_rate'], 0.0))
        self.lab.put('phone', '/timings', {'expire_session_every': 0})
        self.lab.put('gax', '/faults', dict(dict.fromkeys(TRANSIENT, 0.0), lost_create_next=0, lost_create_rate=0.0))
        self.lab.put('gax', '/variants', {'session_expire_every': 0})

    def wait_phones_up(self, seconds=30):
        deadline = time.monotonic() + seconds
        while self.lab.get('phone', '/health')['rebooting'] and time.monotonic() < deadline:
            time.sleep(0.2)

    # --- runs ---
    def play(self, limit=None, extra=(), inventory=None):
        started = time.monotonic()
        result = run_playbook('deploy_bc.yml', inventory or self.inventory, self.block.https_port, extra, limit)
        return Run(result, time.monotonic() - started)

    def play_at_once(self, limits, extra=(), extra_each=None):
        """One run per ``--limit`` slice, all at the same time (as AWX job slicing);
        ``extra_each[i]``: more extra vars for slice i."""
        runs = [None] * len(limits)

        def one(index):
            more = tuple(extra_each[index]) if extra_each else ()
            runs[index] = self.play(limit=limits[index], extra=tuple(extra) + more)
        threads = [threading.Thread(target=one, args=(index,)) for index in range(len(limits))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return runs

    # --- the lab's own word ---
    def marks(self):
        """Where each phone's history stands before a run (and the configuration it holds)."""
        return dict((address, len(self.lab.get('phone', '/phones/%s/history' % address))) for address in self.phones())

    def state(self):
        """Phones' configurations and the GAX store's DNs and Agent Logins, comparable across runs."""
        phones = dict((address, self.lab.get('phone', '/phones/%s/config' % address)) for address in self.phones())
        switches = dict((switch['dbid'], switch['name']) for switch in self.lab.get('gax', '/objects?type=CfgSwitch'))
        dns, logins = {}, {}
        for dn in self.lab.get('gax', '/objects?type=CfgDN'):
            dns.setdefault((switches.get(dn['switchdbid']), dn['number']), []).append(_without_dbid(dn))
        for login in self.lab.get('gax', '/objects?type=CfgAgentLogin'):
            logins.setdefault((switches.get(login['switchdbid']), login['logincode']), []).append(_without_dbid(login))
        return {'phones': phones, 'dns': dns, 'logins': logins}

    def partial_configs(self, marks, final):
        """Every configuration a phone held during the run that is neither S nor F (see the module doc)."""
        found = []
        for address, mark in marks.items():
            history = self.lab.get('phone', '/phones/%s/history?full=1' % address)
            start = history[mark - 1]['config']
            end = dict((k, v) for k, v in final['phones'][address].items() if v is not None)
            for entry in history[mark:]:
                if entry['config'] not in (start, end):
                    keys = sorted(k for k in set(entry['config']) | set(end) if entry['config'].get(k) != end.get(k))
                    found.append({'phone': address, 'cause': entry['cause'], 'keys_not_final': keys[:8]})
        return found

    def configs_recorded(self, marks):
        return sum(len(self.lab.get('phone', '/phones/%s/history' % address)) - mark for address, mark in marks.items())

    def duplicates(self, state=None, since=0):
        """Objects GAX holds twice, objects created twice in the run, and the lab's own list."""
        state = state or self.state()
        twice = ['DN %s on %s' % (number, switch) for (switch, number), found in state['dns'].items() if len(found) > 1]
        twice += ['Agent Login %s on %s' % (code, switch) for (switch, code), found in state['logins'].items()
                  if len(found) > 1]
        created = {}
        for entry in self.lab.get('gax', '/history?action=create&since=%d' % since):
            after = entry.get('after') or {}
            key = (entry['type'], after.get('switchdbid'), after.get('number') or after.get('logincode'))
            created[key] = created.get(key, 0) + 1
        twice += ['%s %s created %d times' % (key[0], key[2], count) for key, count in created.items() if count > 1]
        twice += ['lab: %r' % item for item in self.lab.get('gax', '/duplicates')]
        return twice

    def history_seq(self):
        history = self.lab.get('gax', '/history')
        return history[-1]['seq'] if history else 0

    def gax_writes(self, since=0):
        """GAX write history since ``since``: [(action, type, key, session, user_agent)]."""
        rows = []
        for entry in self.lab.get('gax', '/history?since=%d' % since):
            obj = entry.get('after') or entry.get('before') or {}
            rows.append({'action': entry['action'], 'type': entry['type'], 'switchdbid': obj.get('switchdbid'),
                         'key': obj.get('number') or obj.get('logincode'), 'session': entry.get('session'),
                         'before': entry.get('before'), 'after': entry.get('after')})
        return rows

    def counters(self):
        phone = self.lab.get('phone', '/counters')['totals']
        gax = self.lab.get('gax', '/counters')
        figures = dict((kind, phone.get(kind, 0)) for kind in PHONE_FAULT_KINDS)
        figures['phone_requests'] = sum(count for kind, count in phone.items() if not kind.startswith('fault_'))
        figures['phone_restarts'] = phone.get('restarts', 0)
        figures['phone_expired_sessions'] = phone.get('login_page', 0)
        figures['gax_requests'] = gax['total']
        for name, count in gax['faults'].items():
            figures['gax_%s' % name] = count
        figures['gax_expired_sessions'] = gax['sessions']['expired']
        figures['gax_rejected_writes'] = gax['writes']['rejected']
        return figures

    def clear_counters(self):
        self.lab.post('phone', '/counters/reset')
        self.lab.post('gax', '/counters/reset')


def _without_dbid(obj):
    obj = copy.deepcopy(obj)
    obj.pop('dbid', None)
    return obj


def differences(want, have):
    """What differs between two ``Scenario.state()`` results, as short lines (empty when equal)."""
    lines = []
    for address in sorted(set(want['phones']) | set(have['phones'])):
        a, b = want['phones'].get(address, {}), have['phones'].get(address, {})
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if keys:
            lines.append('phone %s: %s' % (address, ', '.join('%s=%r (want %r)' % (k, b.get(k), a.get(k)) for k in keys[:6])))
    for kind in ('dns', 'logins'):
        for key in sorted(set(want[kind]) | set(have[kind]), key=str):
            if want[kind].get(key) != have[kind].get(key):
                lines.append('%s %s/%s: %r, want %r' % (kind, key[0], key[1], have[kind].get(key), want[kind].get(key)))
    return lines


class Run:
    def __init__(self, result, seconds):
        self.rc = result.returncode
        self.output = result.stdout + result.stderr
        self.seconds = seconds

    def explain(self):
        lines = self.output.splitlines()
        failures = [index for index, line in enumerate(lines) if line.startswith(('fatal:', 'failed:', '[ERROR]'))]
        shown = '\n'.join('\n'.join(lines[index:index + 8]) for index in failures[:6])
        return 'exit %d; failures:\n%s\noutput ends:\n%s' % (self.rc, shown, self.output[-3000:])
