"""Concurrent slices: three runs of deploy_bc.yml at once over disjoint --limit slices (as AWX job
slicing runs them) against one lab GAX.

Every slice sees the whole fleet's desired state (``business_continuity_hosts`` = every phone, as a
sliced job that must check the fleet does), so only the role's ownership filter keeps a slice to
its own phones' DNs. Each slice logs in to GAX as its own user, so the lab's write history says
which run wrote what. Judged on the lab's own state: every run succeeds; each DN is written only by
the run that holds its phone; Agent Logins (per site, wanted by every slice) exist once; a full,
unsliced run afterwards changes nothing (so no slice reverted another's work); every update was
preceded by a GET of the object. A change made by someone else between a call's listing and its
write survives (the GET right before the PUT).

Lab: phones on 127.81.x.y, GAX and admin APIs on 127.0.0.81 (ports from 18810, per xdist worker).
"""

import json
import os
import threading
import time

import pytest
import requests
import yaml

from chaos.scenario import Block, Scenario

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
BLOCK = Block(81, '127.0.0.81', 18810 + 10 * WORKER)
BLOCK.site_a, BLOCK.site_b = '127.81.%d.' % (8 * WORKER + 1), '127.81.%d.' % (8 * WORKER + 2)

# Two phones a slice (the short version; `make chaos` slices the whole fleet). An SCA primary and
# its secondary (a01/a02, b02/b03) fall in different slices on purpose.
SLICES = ['phone-a01,phone-b03', 'phone-a02,phone-b04', 'phone-a05,phone-b02']
USERS = [('slice-%d' % (index + 1), 'slice-%d-Pw' % (index + 1)) for index in range(len(SLICES))]
WHOLE_FLEET = json.dumps({'business_continuity_hosts': "{{ groups['phones'] }}"})


@pytest.fixture(scope='module')
def scenario(lab_factory, tmp_path_factory):
    return Scenario.start(lab_factory, str(tmp_path_factory.mktemp('concurrent')), BLOCK, 'concurrent-slices',
                          gax_users=USERS)


def owners(inventory):
    """DN number -> the slice whose phone has it on a line."""
    with open(os.path.join(inventory, 'hosts.yml'), encoding='utf-8') as handle:
        children = yaml.safe_load(handle)['phones']['children']
    slice_of = dict((host, index) for index, names in enumerate(SLICES) for host in names.split(','))
    found = {}
    for group in children.values():
        for host, hostvars in group['hosts'].items():
            for line in (hostvars.get('gac_lines') or hostvars.get('lines') or []) if host in slice_of else []:
                found[str(line['dn'])] = slice_of[host]
    return found


def sliced_runs(scenario, *extra):
    each = [('gax_username=%s' % user, 'gax_password=%s' % password) for user, password in USERS]
    return scenario.play_at_once(SLICES, extra=(WHOLE_FLEET,) + extra, extra_each=each)


def check_writers(scenario, since, owned):
    """Each DN write came from the slice that owns the DN; returns the writes seen."""
    writes = scenario.gax_writes(since)
    users = dict((user, index) for index, (user, _password) in enumerate(USERS))
    history = scenario.lab.get('gax', '/history?since=%d' % since)
    wrong = ['%s DN %s by %s' % (entry['action'], (entry.get('after') or entry.get('before'))['number'], entry['user'])
             for entry in history if entry['type'] == 'CfgDN'
             and users.get(entry['user']) != owned[(entry.get('after') or entry.get('before'))['number']]]
    assert wrong == [], 'DNs written by a run that does not hold their phone: %s' % wrong
    return writes


def test_three_slices_at_once_create_then_update_without_touching_each_others_dns(scenario):
    scenario.reset()
    owned = owners(scenario.inventory)

    # Round 1: a fresh GAX; the three runs create their DNs and race for the sites' Agent Logins.
    since = scenario.history_seq()
    runs = sliced_runs(scenario)
    for run in runs:
        assert run.rc == 0, run.explain()
    writes = check_writers(scenario, since, owned)
    assert sorted(set(w['key'] for w in writes if w['type'] == 'CfgDN')) == sorted(owned)
    assert scenario.duplicates(since=since) == []

    # Round 2: every DN and phone changes (simultaneous registration), again three runs at once:
    # each update GETs its object right before its PUT.
    scenario.clear_counters()
    since = scenario.history_seq()
    runs = sliced_runs(scenario, 'gac_bc_mode=simultaneous')
    for run in runs:
        assert run.rc == 0, run.explain()
    writes = check_writers(scenario, since, owned)
    updated = [w for w in writes if w['type'] == 'CfgDN' and w['action'] == 'update']
    assert sorted(w['key'] for w in updated) == sorted(list(owned) * 2)  # both switches
    gax = scenario.lab.get('gax', '/counters')['by_type']['CfgDN']
    assert gax['read'] == gax['update'] == len(updated)
    assert scenario.duplicates(since=since) == []

    # Nothing was undone: each DN holds its owner's last write, in simultaneous mode, once per
    # switch; the Agent Logins (wanted by every slice) once each; each slice's phones switched.
    state = scenario.state()
    for number in owned:
        for switch in ('SIP_Switch_A', 'SIP_Switch_B'):
            found = state['dns'][(switch, number)]
            assert len(found) == 1
            options = dict((p['key'], p['value']) for p in found[0]['userproperties']['property'])
            assert options['dr-forward'] == 'no-agent', (switch, number)
    assert sorted(code for switch, code in state['logins'] if switch == 'SIP_Switch_B') == ['7001', '7002', '7011', '7012']
    for names in SLICES:
        for name in names.split(','):
            site, number = name.split('-')[1][0], int(name.split('-')[1][1:])
            address = (BLOCK.site_a if site == 'a' else BLOCK.site_b) + str(10 + number)
            assert state['phones'][address]['voip/signalling/sip/redundant_proxy/mode'] == 'SIMULTANEOUS', name


def test_a_change_made_between_the_listing_and_the_write_survives(scenario):
    """An operator adds an option to DN 1501 while genesys_dn, which listed the DNs already, waits
    for its GET of that DN: the PUT merges the call's delta into what the GET returned."""
    scenario.reset()
    url = 'http://%s' % BLOCK.gax_listen
    number = '1501'
    params = dict(gax_url=url, username='operator', password='operator-lab', switch='SIP_Switch_A',
                  validate_certs=True, ca_path=None, timeout=30, number=number,
                  options={'TServer': {'contact': '*', 'dr-forward': 'oos'}})
    assert core.run_dn(dict(params))['dns'][0]['action'] == 'created'

    scenario.lab.put('gax', '/faults', {'kinds': ['read'], 'slow_next': 1, 'slow_seconds': 3.0})
    scenario.clear_counters()
    done = {}
    update = dict(params, options={'TServer': {'contact': '*', 'dr-forward': 'no-agent'}})
    worker = threading.Thread(target=lambda: done.update(result=core.run_dn(update)))
    worker.start()
    deadline = time.monotonic() + 20
    while scenario.lab.get('gax', '/counters')['requests'].get('read', 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)  # until the call's GET of the DN has arrived (it is held for 3 s)

    # Meanwhile, someone else adds an option through GAX's REST API.
    operator = requests.Session()
    login = {'username': 'default', 'password': 'password', 'isPasswordEncrypted': False}
    operator.post(url + '/gax/api/session/login', json=login, timeout=10).raise_for_status()
    dn = [obj for obj in scenario.lab.get('gax', '/objects?type=CfgDN&number=%s' % number)
          if obj['switchdbid'] == '101'][0]
    dn['userproperties']['property'].append({'section': 'TServer', 'key': 'gvm_mailbox', 'value': number})
    operator.put(url + '/gax/api/cfg/objects/CfgDN/%s' % dn['dbid'], json=dn, timeout=10).raise_for_status()
    worker.join(30)

    assert done['result']['dns'][0]['action'] == 'updated'
    stored = scenario.lab.get('gax', '/objects/CfgDN/%s' % dn['dbid'])
    options = dict((p['key'], p['value']) for p in stored['userproperties']['property'] if p['section'] == 'TServer')
    assert options == {'contact': '*', 'dr-forward': 'no-agent', 'gvm_mailbox': number}
