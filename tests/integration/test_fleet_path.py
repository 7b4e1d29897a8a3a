"""The fleet path (issue 18): one run-once task works every phone of the batch in the controller,
and each phone's own task reports its stored result.

Judged by the lab's admin APIs (configuration, counters) and by the PLAY RECAP, never by the
module's word: the fleet path leaves every phone as the per-host path leaves it, at the same request
cost; a redeploy costs each phone 4 requests; check mode writes nothing and shows each phone's diff;
a phone that fails is named, fails alone, and the others converge; --limit and serial waves work
only their phones; a redeploy is one task result per phone beside the run-once part, and a bad
option of the deployment role stops the play, once, before any write.

Lab: the 13 phones of inventories/lab moved to 127.80.x.y (worker-shifted), GAX and the admin APIs
on 127.0.0.80, high ports 18960.., 1-second reboots.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from deploy_support import copy_lab_inventory, phones_file_from, run_playbook
from labfixture import REPO_ROOT, only_these_emulators
from test_deployments import ALL_PHONES, Run

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.80.%d.' % (8 * WORKER + 1)
SITE_B_NET = '127.80.%d.' % (8 * WORKER + 2)
PORT_BASE = 18960 + 10 * WORKER
ADMIN_HOST = '127.0.0.80'
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 3, PORT_BASE + 4
# Requests while waiting for a restarting phone (the looks until it is back) depend on timing, not on the path.
POLLS = ('requests', 'status', 'login_page', 'login', 'page_get')
PER_HOST = 'audiocodes_phone_fleet=false'
FLEET_TASK = 'Phones | apply the settings of every phone of the batch at once'
RESULTS_RE = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s.*\sskipped=(\d+)', re.M)
BAD_MODE = 'value of business_continuity_mode must be one of: simultaneous, primary_fallback, got: sideways'


def moved(text):
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def address(name):
    site, number = name.split('-')[1][0], int(name.split('-')[1][1:])
    return (SITE_A_NET if site == 'a' else SITE_B_NET) + str(10 + number)


@pytest.fixture(scope='module')
def fleet_lab(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('fleet')
    inventory = copy_lab_inventory(str(tmp / 'inventory'), moved)
    phones_file = phones_file_from(inventory, str(tmp / 'phones.yml'))
    overrides = only_these_emulators({
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1}},
        'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'http'}]},
    })
    return FleetLab(lab_factory('fleet', overrides), inventory, tmp)


class FleetLab:
    def __init__(self, lab, inventory, tmp):
        self.lab, self.inventory, self.tmp = lab, inventory, tmp
        self.runs = 0

    def reset(self):
        self.lab.post('phone', '/reset')
        self.lab.post('gax', '/reset')
        self.clear_counters()

    def clear_counters(self):
        self.lab.post('phone', '/counters/reset')
        self.lab.post('gax', '/counters/reset')

    def play(self, playbook='deploy_bc.yml', extra=(), limit=None, inventory=None):
        run = Run(run_playbook(playbook, inventory or self.inventory, HTTPS_PORT, list(extra), limit))
        self.runs += 1
        (self.tmp / ('run-%d.log' % self.runs)).write_text(run.output, encoding='utf-8')
        return run

    def configs(self):
        return dict((phone['address'], self.lab.get('phone', '/phones/%s/config' % phone['address']))
                    for phone in self.lab.get('phone', '/phones'))

    def counters(self):
        return self.lab.get('phone', '/counters')['phones']

    def gax_total(self):
        return self.lab.get('gax', '/counters')['total']

    def gax_state(self):
        found = {}
        for dn in self.lab.get('gax', '/objects?type=CfgDN'):
            properties = (dn.get('userproperties') or {}).get('property') or []
            found[(dn.get('switchdbid'), dn['number'])] = sorted((p['section'], p['key'], p['value']) for p in properties)
        return found


def without_polls(counters):
    return dict((address, dict((kind, n) for kind, n in counts.items() if kind not in POLLS and n))
                for address, counts in counters.items())


@pytest.fixture(scope='module')
def both_paths(fleet_lab):
    """deploy_bc.yml on a blank lab, per host and then on the fleet path: the lab's state and cost of each."""
    runs = {}
    for name, extra in (('per_host', [PER_HOST]), ('fleet', [])):
        fleet_lab.reset()
        run = fleet_lab.play(extra=extra)
        runs[name] = {'run': run, 'configs': fleet_lab.configs(), 'counters': fleet_lab.counters(),
                      'gax': fleet_lab.gax_state(), 'gax_total': fleet_lab.gax_total()}
    return runs


def test_the_fleet_path_leaves_the_lab_as_the_per_host_path_does(both_paths):
    per_host, fleet = both_paths['per_host'], both_paths['fleet']
    assert per_host['run'].rc == 0, per_host['run'].explain()
    assert fleet['run'].rc == 0, fleet['run'].explain()
    assert FLEET_TASK in fleet['run'].output
    assert fleet['configs'] == per_host['configs']
    assert fleet['gax'] == per_host['gax']


def test_phones_dealt_among_processes_end_as_in_one_process(fleet_lab, both_paths, monkeypatch):
    # The fleet task's processes: three forks' worth of phones, each share with its own reboot wave.
    one = both_paths['fleet']
    fleet_lab.reset()
    monkeypatch.setenv('ANSIBLE_VERBOSITY', '2')
    run = fleet_lab.play(extra=['audiocodes_phone_processes=3'])
    assert run.rc == 0, run.explain()
    assert 'audiocodes_phone_fleet: %d phone(s), 40 at a time, in 3 process(es)' % len(ALL_PHONES) in run.output
    assert 'audiocodes_phone_fleet: worked in 3 process(es)' in run.output     # not refused: the worker runs one thread
    assert fleet_lab.configs() == one['configs']
    assert fleet_lab.gax_state() == one['gax']
    assert without_polls(fleet_lab.counters()) == without_polls(one['counters'])
    assert dict((name, counts['changed']) for name, counts in run.recap.items()) == \
        dict((name, counts['changed']) for name, counts in one['run'].recap.items())


def test_the_role_runs_the_modules_per_host_when_not_in_process(fleet_lab, both_paths):
    # audiocodes_in_process=false: the modules run as modules, which the fleet task cannot do, so the
    # role takes the per-host path (before, the fleet task worked no phone and no task worked them).
    fleet_lab.reset()
    run = fleet_lab.play(extra=['audiocodes_in_process=false'])
    assert run.rc == 0, run.explain()
    assert FLEET_TASK not in run.output.split('PLAY RECAP')[0].split('TASK [')[-1]
    assert fleet_lab.configs() == both_paths['fleet']['configs']
    assert all(counts['changed'] > 0 for counts in run.recap.values()), run.explain()


def test_every_phone_keeps_its_own_result_in_the_recap(both_paths):
    per_host, fleet = both_paths['per_host']['run'], both_paths['fleet']['run']
    assert sorted(fleet.recap) == sorted(ALL_PHONES), fleet.explain()
    changed = dict((name, counts['changed'] > 0) for name, counts in fleet.recap.items())
    assert changed == dict((name, counts['changed'] > 0) for name, counts in per_host.recap.items())
    assert all(changed.values()), fleet.explain()      # a blank lab: every phone is written


def test_the_fleet_path_costs_each_phone_the_same_requests(both_paths):
    per_host, fleet = both_paths['per_host'], both_paths['fleet']
    assert without_polls(fleet['counters']) == without_polls(per_host['counters'])
    assert fleet['gax_total'] == per_host['gax_total']


def test_a_redeploy_changes_nothing_at_four_requests_per_phone(fleet_lab, both_paths):
    assert both_paths['fleet']['run'].rc == 0
    fleet_lab.clear_counters()
    again = fleet_lab.play()
    assert again.rc == 0, again.explain()
    assert all(counts['changed'] == 0 for counts in again.recap.values()), again.explain()
    counters = fleet_lab.counters()
    assert len(counters) == len(ALL_PHONES)
    assert all(counts.get('requests') == 4 for counts in counters.values()), counters
    # Ansible's per-host price once per phone: its reporting task. The run-once part (validation,
    # preflight, GAX, the fleet task, the summary) is counted on the first host of the batch only.
    results = sorted(int(ok) + int(skipped) for _host, ok, skipped
                     in RESULTS_RE.findall(again.output.split('PLAY RECAP', 1)[-1]))
    assert len(results) == len(ALL_PHONES) and results[:-1] == [1] * (len(ALL_PHONES) - 1), again.explain()


def test_check_mode_writes_nothing_and_shows_each_phones_diff(fleet_lab):
    fleet_lab.reset()
    before = fleet_lab.configs()
    drift = fleet_lab.play('drift.yml')
    assert drift.rc == 0, drift.explain()
    assert fleet_lab.configs() == before
    counters = fleet_lab.counters()
    assert not any(counts.get('upload') or counts.get('writes') for counts in counters.values()), counters
    for name in ALL_PHONES:
        assert drift.recap[name]['changed'] >= 1, drift.explain()
        # one diff per phone, under its own task result (the diff header names the phone's address)
        assert address(name) in drift.output, name


def test_a_failing_phone_is_named_and_the_others_converge(fleet_lab):
    fleet_lab.reset()
    broken = 'phone-a03'

    def edit(text):
        return moved(text.replace('address: 127.0.1.13', 'address: 127.0.1.99'))   # no phone answers there

    inventory = copy_lab_inventory(str(fleet_lab.tmp / 'inventory-broken'), edit)
    run = fleet_lab.play(inventory=inventory)
    assert run.rc != 0
    assert run.recap[broken]['failed'] == 1, run.explain()
    others = [name for name in ALL_PHONES if name != broken]
    assert all(run.recap[name]['failed'] == 0 and run.recap[name]['changed'] >= 1 for name in others), run.explain()
    assert 'failed: %s' % broken in run.output or '%s: ' % broken in run.output
    configs = fleet_lab.configs()
    for name in others:
        assert configs[address(name)].get('voip/line/0/enabled') == '1', name


def test_limit_works_only_the_limited_phones(fleet_lab):
    fleet_lab.reset()
    before = fleet_lab.configs()
    run = fleet_lab.play(limit='phone-a01,phone-b02')
    assert run.rc == 0, run.explain()
    assert sorted(run.recap) == ['phone-a01', 'phone-b02']
    after = fleet_lab.configs()
    changed = sorted(a for a in after if after[a] != before[a])
    assert changed == sorted([address('phone-a01'), address('phone-b02')])


def test_serial_waves_each_work_their_own_phones(fleet_lab, tmp_path):
    fleet_lab.reset()
    playbook = tmp_path / 'serial.yml'
    playbook.write_text(
        '- name: Waves of four phones\n'
        '  hosts: phones\n'
        '  gather_facts: false\n'
        '  serial: 4\n'
        '  roles:\n'
        '    - role: telephony.genesys_audiocodes.business_continuity\n', encoding='utf-8')
    run = fleet_lab.play(playbook=str(playbook))
    assert run.rc == 0, run.explain()
    assert all(run.recap[name]['changed'] >= 1 for name in ALL_PHONES), run.explain()
    # one fleet task per wave: ceil(13 / 4) = 4 waves
    assert run.output.count('TASK [telephony.genesys_audiocodes.audiocodes_phone : Phones | apply the settings of every phone') == 4
    assert all(counts.get('upload') == 1 for counts in fleet_lab.counters().values())


@pytest.mark.parametrize('applied_by', ['deploy_bc.yml', 'roles', 'import_role without validation'])
def test_a_bad_role_option_stops_the_play_before_any_write(fleet_lab, tmp_path, applied_by):
    """The role checks its options itself (once): the playbook, a play of the user's, and an import without Ansible's check."""
    fleet_lab.clear_counters()
    playbook = 'deploy_bc.yml'
    if applied_by != 'deploy_bc.yml':
        playbook = tmp_path / 'bad-option.yml'
        apply = ('  roles:\n    - role: telephony.genesys_audiocodes.business_continuity\n' if applied_by == 'roles' else
                 '  tasks:\n    - name: The role\n      ansible.builtin.import_role:\n'
                 '        name: telephony.genesys_audiocodes.business_continuity\n        rolespec_validate: false\n')
        playbook.write_text('- name: A play of the user\'s\n  hosts: phones\n  gather_facts: false\n' + apply, encoding='utf-8')
        playbook = str(playbook)
    run = fleet_lab.play(playbook=playbook, extra=['business_continuity_mode=sideways'])
    assert run.rc != 0 and BAD_MODE in run.output, run.explain()
    assert 'Preflight | check the inventory' not in run.output, run.explain()     # stopped before the preflight
    # checked once for the play, except where Ansible's own check of the entry point runs first (per host)
    assert run.output.count('fatal: [') == (len(ALL_PHONES) if applied_by == 'roles' else 1), run.explain()
    assert fleet_lab.lab.get('phone', '/counters')['totals'].get('requests', 0) == 0
    assert fleet_lab.gax_total() == 0


@pytest.mark.parametrize('bad, says, before', [
    ('genesys_dn_concurrency=many', "argument 'genesys_dn_concurrency' is of type", 'DNs | write'),
    ('genesys_agent_login_state=sideways', 'value of genesys_agent_login_state must be one of: present, absent',
     'Agent Logins | write'),
])
def test_the_gax_roles_check_their_options_once_without_ansibles_check(fleet_lab, bad, says, before):
    # The deployment roles include the GAX roles with rolespec_validate: false (Ansible's check would copy
    # the whole desired state): each GAX role's own check stops the play before its first GAX request,
    # and before any phone is touched.
    fleet_lab.reset()
    run = fleet_lab.play(extra=[bad])
    assert run.rc != 0 and says in run.output, run.explain()
    assert before not in run.output, run.explain()
    checked = "%s | the role's options, checked once before any write" % before.split(' | ')[0]
    assert says in run.output.split(checked, 1)[1].split('TASK [', 1)[0], run.explain()
    assert fleet_lab.lab.get('phone', '/counters')['totals'].get('requests', 0) == 0
    if before.startswith('DNs'):
        assert fleet_lab.gax_total() == 0


def test_a_gax_role_refuses_a_desired_state_that_is_no_mapping(fleet_lab, tmp_path):
    playbook = tmp_path / 'bad-state.yml'
    playbook.write_text(
        '- name: A play of the user\'s\n  hosts: phones\n  gather_facts: false\n  tasks:\n'
        '    - name: DNs\n      ansible.builtin.include_role:\n        name: telephony.genesys_audiocodes.genesys_dn\n'
        '        rolespec_validate: false\n      vars:\n        genesys_dn_desired_state: [not, a, mapping]\n'
        '      run_once: true\n', encoding='utf-8')
    fleet_lab.reset()
    run = fleet_lab.play(playbook=str(playbook))
    assert run.rc != 0 and 'genesys_dn_desired_state must be the desired state' in run.output, run.explain()
    assert fleet_lab.gax_total() == 0


def test_the_gax_modules_run_in_the_controller_process_and_as_modules_alike(fleet_lab):
    """The same read, in-process (the default, connection local) and as a module: the same DNs, no payload."""
    args = json.dumps({'gax_url': 'http://%s' % GAX_LISTEN, 'username': 'operator', 'password': 'operator-lab',
                       'switch': 'SIP_Switch_A'})
    answers = {}
    for name, extra in (('in_process', []), ('module', ['-e', 'audiocodes_in_process=false'])):
        command = [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-m',
                   'telephony.genesys_audiocodes.genesys_dn_info', '-a', args, '-vvv'] + extra
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'), ANSIBLE_CALLBACK_RESULT_FORMAT='json',
                   ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0')
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, env=env, cwd=REPO_ROOT)
        answers[name] = done.stdout + done.stderr
        assert done.returncode == 0, answers[name]
        assert 'operator-lab' not in answers[name]
    assert 'in the controller process' in answers['in_process'] and 'AnsiballZ' not in answers['in_process']
    assert 'AnsiballZ' in answers['module']

    def dns(output):
        return json.loads(output[output.index('{', output.index('SUCCESS')):output.rindex('}') + 1])['dns']
    assert dns(answers['in_process']) == dns(answers['module'])
