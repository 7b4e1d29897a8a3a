"""Restarts in waves: the deploy playbooks work deploy_serial phones at a time, and stop after a wave
in which more than deploy_max_fail_percentage percent of the phones failed. Defaults that agree:
deploy_bc.yml, drift.yml and verify.yml read an inventory the same way; two phones whose addresses
swapped get nothing through the roles (the same lab).

Judged from the lab: each phone's history (when its configuration was applied), the GAX objects,
and which phones were never written; the playbook's own lines only say which phones formed a wave.

Lab: the 13 phones of inventories/lab moved to 127.88.x.y (worker-shifted), GAX and the admin APIs
on 127.0.0.88, high ports 18880.., 1-second reboots.
"""

import os
import re

import pytest

from deploy_support import copy_lab_inventory, phones_file_from, run_playbook
from labfixture import only_these_emulators
from test_deployments import ALL_PHONES, Run

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.88.%d.' % (8 * WORKER + 1)
SITE_B_NET = '127.88.%d.' % (8 * WORKER + 2)
PORT_BASE = 18880 + 10 * WORKER
ADMIN_HOST = '127.0.0.88'
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 3, PORT_BASE + 4
WAVE_LINE = re.compile(r'This wave: (\d+) phone\(s\), (\S+)\s+to (\S+) \(deploy_serial=')


def moved(text):
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def address(name):
    site, number = name.split('-')[1][0], int(name.split('-')[1][1:])
    return (SITE_A_NET if site == 'a' else SITE_B_NET) + str(10 + number)


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('waves')
    inventory = copy_lab_inventory(str(tmp / 'inventory'), moved)
    phones_file = phones_file_from(inventory, str(tmp / 'phones.yml'))
    overrides = only_these_emulators({
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1}},
        'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'http'}]},
    })
    started = lab_factory('waves', overrides)
    started.inventory, started.tmp = inventory, tmp
    return started


@pytest.fixture
def blank(lab):
    lab.post('phone', '/reset')
    lab.post('gax', '/reset')
    return lab


def play(lab, extra, inventory=None):
    return Run(run_playbook('deploy_bc.yml', inventory or lab.inventory, HTTPS_PORT, extra))


def written(lab, name):
    """The times at which the phone applied a configuration of the deployment (not its seed)."""
    return [entry['time'] for entry in lab.get('phone', '/phones/%s/history' % address(name))
            if not str(entry.get('cause')).startswith('seed')]


def waves(run):
    """``[[host, ...], ...]``: the phones of each wave, as the play announced them (inventory order)."""
    found = []
    for match in WAVE_LINE.finditer(re.sub(r'\s+', ' ', run.output)):    # the YAML callback wraps long lines
        first, last = ALL_PHONES.index(match.group(2)), ALL_PHONES.index(match.group(3))
        found.append(ALL_PHONES[first:last + 1])
        assert len(found[-1]) == int(match.group(1)), match.group(0)
    return found


def test_phones_are_written_wave_after_wave(blank):
    run = play(blank, ['deploy_serial=5'])
    assert run.rc == 0, run.explain()
    assert waves(run) == [ALL_PHONES[0:5], ALL_PHONES[5:10], ALL_PHONES[10:13]], run.explain()
    assert '13 phone(s) in this play' in re.sub(r'\s+', ' ', run.output)
    # the lab's clock: every phone of a wave applied its configuration after every phone of the wave before
    times = [[written(blank, name) for name in wave] for wave in waves(run)]
    assert all(all(t) for wave in times for t in wave), times
    for earlier, later in zip(times, times[1:]):
        assert max(max(t) for t in earlier) < min(min(t) for t in later), (earlier, later)
    # each wave wrote its own phones' DNs on both switches of the pair: every DN is there at the end
    numbers = set(dn['number'] for dn in blank.get('gax', '/objects?type=CfgDN'))
    assert {'1501', '1512', '1521', '1532'} <= numbers, numbers


def test_a_wave_with_too_many_failures_stops_the_play_before_the_next_wave(blank):
    broken = ALL_PHONES[0]

    def edit(text):   # no phone answers at the first phone's address
        return moved(text).replace('address: %s\n' % address(broken), 'address: %s\n' % (SITE_A_NET + '99'))

    inventory = copy_lab_inventory(str(blank.tmp / 'inventory-broken'), edit)
    run = play(blank, ['deploy_serial=5', 'deploy_max_fail_percentage=10'], inventory=inventory)
    assert run.rc != 0, run.explain()
    assert run.recap[broken]['failed'] == 1, run.explain()
    assert waves(run) == [ALL_PHONES[0:5]], run.explain()
    # the phones of the later waves were never written; the first wave's healthy phones were
    for name in ALL_PHONES[5:]:
        assert written(blank, name) == [], name
    for name in ALL_PHONES[1:5]:
        assert written(blank, name), name


def test_one_wave_when_deploy_serial_is_0(blank):
    run = play(blank, ['deploy_serial=0'])
    assert run.rc == 0, run.explain()
    assert waves(run) == [ALL_PHONES], run.explain()


# --- defaults that agree ------------------------------------------------------------------------

def edited_inventory(lab, name, edit):
    return copy_lab_inventory(str(lab.tmp / name), lambda text: edit(moved(text)))


def test_deploy_bc_asks_an_inventory_that_says_nothing_to_say_business_continuity(blank):
    inventory = edited_inventory(blank, 'inventory-no-deployment',
                                 lambda text: text.replace('gac_deployment: business_continuity\n', ''))
    run = play(blank, [], inventory=inventory)
    assert run.rc != 0, run.explain()
    text = re.sub(r'\s+', ' ', run.output)
    assert 'gac_deployment=nothing (standalone)' in text and 'set gac_deployment: business_continuity' in text, \
        run.explain()
    assert all(written(blank, name) == [] for name in ALL_PHONES)


def test_without_bc_mode_deploy_drift_and_verify_read_the_inventory_alike(blank):
    def edit(text):   # gac_bc_mode unset (the lab's hosts read it for agent state control: they say true instead)
        text = re.sub(r'(?m)^gac_bc_mode: .*\n', '', text)
        return text.replace('"{{ gac_bc_mode != \'simultaneous\' }}"', 'true')
    inventory = edited_inventory(blank, 'inventory-no-bc-mode', edit)
    deployed = play(blank, ['deploy_serial=0'], inventory=inventory)
    assert deployed.rc == 0, deployed.explain()
    # primary_fallback (the default): dr-forward=oos on the DNs of both switches, as the note says
    options = [p for dn in blank.get('gax', '/objects?type=CfgDN')
               for p in (dn.get('userproperties') or {}).get('property') or [] if p.get('key') == 'dr-forward']
    assert options and all(p['value'] == 'oos' for p in options), options
    drift = Run(run_playbook('drift.yml', inventory, HTTPS_PORT, ['drift_fail=true']))
    assert drift.rc == 0 and 'no drift' in drift.output, drift.explain()
    verify = Run(run_playbook('verify.yml', inventory, HTTPS_PORT))
    assert verify.rc == 0, verify.explain()


def test_a_bc_switch_written_while_the_other_failed_is_named_and_a_rerun_completes_the_pair(blank):
    # Site B's switch name is wrong: GAX writes site A's switch, refuses site B's.
    inventory = edited_inventory(blank, 'inventory-wrong-switch-b',
                                 lambda text: text.replace('switch: SIP_Switch_B', 'switch: SIP_Switch_X'))
    run = play(blank, ['deploy_serial=0'], inventory=inventory)
    assert run.rc != 0, run.explain()
    text = re.sub(r'\s+', ' ', run.output)
    assert ('the DNs were written on SIP_Switch_A and not on SIP_Switch_X' in text
            and 'the two switches of the pair differ until a run completes' in text), run.explain()
    switches = dict((s['name'], s['dbid']) for s in blank.get('gax', '/objects?type=CfgSwitch'))
    on = dict((name, set(dn['number'] for dn in blank.get('gax', '/objects?type=CfgDN&switchdbid=%s' % dbid)))
              for name, dbid in switches.items())
    assert '1501' in on['SIP_Switch_A'] and '1501' not in on['SIP_Switch_B'], on
    assert all(written(blank, name) == [] for name in ALL_PHONES)
    # the same playbook with the inventory corrected completes the pair, then the phones
    rerun = play(blank, ['deploy_serial=0'])
    assert rerun.rc == 0, rerun.explain()
    on_b = set(dn['number'] for dn in blank.get('gax', '/objects?type=CfgDN&switchdbid=%s' % switches['SIP_Switch_B']))
    assert {'1501', '1512', '1521', '1532'} <= on_b, on_b
    assert all(written(blank, name) for name in ALL_PHONES)


# --- identity through the roles -------------------------------------------------------------------

def test_two_phones_whose_addresses_swapped_get_nothing_and_the_others_are_deployed(blank):
    # DHCP gave phone-a01's address to phone-a02 and the other way round; the inventory did not follow.
    first, second = ALL_PHONES[0], ALL_PHONES[1]

    def swap(text):
        text = moved(text)
        text = text.replace('address: %s\n' % address(first), 'address: SWAP\n')
        text = text.replace('address: %s\n' % address(second), 'address: %s\n' % address(first))
        return text.replace('address: SWAP\n', 'address: %s\n' % address(second))

    inventory = copy_lab_inventory(str(blank.tmp / 'inventory-swapped'), swap)
    run = play(blank, ['deploy_serial=0', 'deploy_max_fail_percentage=100'], inventory=inventory)
    assert run.rc != 0, run.explain()
    assert run.recap[first]['failed'] == 1 and run.recap[second]['failed'] == 1, run.explain()
    assert 'as the inventory says' in re.sub(r'\s+', ' ', run.output), run.explain()
    # the lab's word: neither phone was written (no SIP credential of the other desk reached it)
    for name in (first, second):
        assert written(blank, name) == [], name
    assert all(written(blank, name) for name in ALL_PHONES[2:])
