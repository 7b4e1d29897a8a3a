"""deploy_bc.yml through faults: one run converges to what a fault-free run leaves.

The faulty run meets, on every phone and on GAX, 5 % transient faults (2 % HTTP 500, 2 % connection
resets, 1 % slow answers; one phone 30 % 500s and 30 % resets, so that a short run surely meets
some), sessions that expire every 4 requests (phones and GAX), a DN create whose answer is lost,
one more 500 and one more reset on GAX for certain, and two phones that restart on their own in the
middle of the run. Judged on the lab's own state (tests/chaos/scenario.py):

- ONE run succeeds (no playbook-level retry, no manual step);
- every phone's configuration and every DN and Agent Login in the GAX store equal the fault-free
  run's (DBIDs aside);
- no DN or Agent Login exists twice, none was created twice;
- no phone held a partial configuration at any point: every configuration its history recorded
  during the run is either the one it held before the run or the one it holds at the end.

The long version, with more phones and several fault seeds, is `make chaos` (tests/chaos/).
Lab: phones on 127.80.x.y, GAX and admin APIs on 127.0.0.80 (ports from 18800, per xdist worker).
"""

import os

import pytest
import requests

from chaos.scenario import Block, Scenario, differences

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
BLOCK = Block(80, '127.0.0.80', 18800 + 10 * WORKER)
BLOCK.site_a, BLOCK.site_b = '127.80.%d.' % (8 * WORKER + 1), '127.80.%d.' % (8 * WORKER + 2)

# Four phones with SCA pairs kept together (a slice preflight accepts), eight lines, 16 DNs.
LIMIT = 'phone-a01,phone-a02,phone-b02,phone-b03'
# Restart as their Nth request of the run arrives: a02 at its upload (login, manu_config.htm, the
# file, info.htm, then the upload's POST), b03 at the read-back. Restarts take 5 s in the faulty run,
# longer than the client's retries: a02's upload is then ambiguous (reset, then refused: did it
# restart to apply the file or before getting it?), which the module settles by looking once it is back.
RESTARTING = {'phone-a02': 5, 'phone-b03': 9}


def address(name):
    site, number = name.split('-')[1][0], int(name.split('-')[1][1:])
    return (BLOCK.site_a if site == 'a' else BLOCK.site_b) + str(10 + number)


@pytest.fixture(scope='module')
def scenario(lab_factory, tmp_path_factory):
    return Scenario.start(lab_factory, str(tmp_path_factory.mktemp('faults')), BLOCK, 'faults')


@pytest.fixture(scope='module')
def fault_free(scenario):
    scenario.reset()
    run = scenario.play(limit=LIMIT)
    assert run.rc == 0, run.explain()
    return scenario.state()


def test_one_run_through_faults_converges_to_the_fault_free_state(scenario, fault_free):
    scenario.reset()
    scenario.inject(seed=8, phone_session_every=4, gax_session_every=4, lost_creates=1,
                    reboot_after=dict((address(name), count) for name, count in RESTARTING.items()))
    scenario.lab.put('gax', '/faults', {'error_next': 1, 'reset_next': 1})
    # Four phones make few requests: at 5 % some runs would meet no phone fault, so one phone is worse.
    scenario.lab.put('phone', '/faults', {'per_phone': {address('phone-b02'): {'error_rate': 0.3, 'reset_rate': 0.3}}})
    scenario.lab.put('phone', '/timings', {'reboot_seconds': 5})
    marks, since = scenario.marks(), scenario.history_seq()

    run = scenario.play(limit=LIMIT)
    scenario.lab.put('phone', '/timings', {'reboot_seconds': 1})
    assert run.rc == 0, run.explain()

    # the faults happened (the lab's own counters)
    seen = scenario.counters()
    assert seen['fault_reboot'] == len(RESTARTING), seen
    assert seen['gax_lost_create'] == 1 and seen['gax_error'] >= 1 and seen['gax_reset'] >= 1, seen
    assert seen['gax_expired_sessions'] > 0 and seen['phone_expired_sessions'] > 0, seen
    assert seen['fault_5xx'] + seen['fault_reset'] + seen['fault_slow'] > 0, seen

    final = scenario.state()
    assert differences(fault_free, final) == []
    assert scenario.duplicates(final, since) == []
    assert scenario.partial_configs(marks, final) == []
    # every phone of the run was configured (the check above would pass for phones left alone)
    for name in LIMIT.split(','):
        assert final['phones'][address(name)]['voip/line/0/enabled'] == '1', name


def test_a_partial_configuration_is_caught(scenario, fault_free):
    """The partial-configuration check can fail: a phone whose firmware applies the keys that need
    no reboot at once and the rest at the next restart (variant after_upload: per_key) holds a
    configuration that is neither the old nor the new one in between."""
    scenario.reset()
    victim = address('phone-b02')
    scenario.lab.put('phone', '/phones/%s/variant' % victim, {'after_upload': 'per_key'})
    marks = scenario.marks()
    run = scenario.play(limit=LIMIT)
    assert run.rc == 0, run.explain()
    final = scenario.state()
    partial = scenario.partial_configs(marks, final)
    assert [item['phone'] for item in partial] == [victim], partial
    assert differences(fault_free, final) == []


def test_the_lab_restarts_a_phone_at_its_nth_request(scenario):
    """The lab's own hook (tests/lab/README.md, POST /phones/ADDR/reboot with after_requests): the
    first request is answered, the second gets no answer and the phone goes off the network."""
    scenario.reset()
    phone = address('phone-a04')
    url = 'http://%s:%d/' % (phone, BLOCK.http_port)
    scenario.lab.post('phone', '/phones/%s/reboot' % phone, {'after_requests': 2})
    assert requests.get(url, timeout=5).status_code == 200
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=5)
    assert scenario.lab.get('phone', '/phones/%s' % phone)['state'] == 'rebooting'
    assert scenario.lab.get('phone', '/counters?phone=%s' % phone)['phones'][phone]['fault_reboot'] == 1
    scenario.wait_phones_up()
