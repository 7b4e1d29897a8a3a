"""genesys_dn writing in parallel (option concurrency) against the lab GAX: real HTTP, the lab's own
store, history and counters as the judge.

Parallel writes are the same requests as one after another, with the same outcome: the same DNs in
the store, the same request counts; a failure stops new writes and the partial result names exactly
what the store holds, so a re-run writes each missing DN once; an expired session is opened again
once, not once per thread; a GAX that wants a CSRF token refuses one write, not one per thread.

Lab: 127.130.0.x (helper block of issue 18), admin API on 127.0.0.130, ports from 18400 per xdist worker.
"""

import os

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys.client import GaxClient

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
HOST = '127.130.0.%d' % (1 + WORKER)
PORT = 18400 + 10 * WORKER
URL = 'http://%s:%d' % (HOST, PORT)
PARALLEL = 8
SEED_DNS = {'1500', '5000'}   # the seed's DNs of switch A (an extension, a routing point) (tests/lab/profiles/gax-seed.yml)


@pytest.fixture(name='lab', scope='module')
def lab_fixture(lab_factory):
    return lab_factory('gax-concurrent', {'phone': None, 'gax': {
        'admin': '127.0.0.130:%d' % (PORT + 1),
        'instances': [{'name': 'gax', 'listen': '%s:%d' % (HOST, PORT), 'scheme': 'http'}]}})


@pytest.fixture(autouse=True)
def seed_state(lab):
    lab.post('gax', '/reset')


def numbers(count, first=2000):
    return [str(first + index) for index in range(count)]


def wanted(count, first=2000, **fields):
    return [dict({'number': number, 'options': {'TServer': {'contact': '*', 'dn-id': number}}}, **fields)
            for number in numbers(count, first)]


def run_dn(dns, concurrency, client=None):
    params = dict(gax_url=URL, username='operator', password='operator-lab', switch='SIP_Switch_A', dns=dns,
                  concurrency=concurrency)
    return core.run_dn(params, client=client or GaxClient.from_params(params, sleep=lambda seconds: None))


def store(lab):
    """The DNs of switch A as the lab holds them, by number, DBIDs and folders aside."""
    found = {}
    for dn in lab.get('gax', '/objects?type=CfgDN&switchdbid=101'):
        found[dn['number']] = dict((key, value) for key, value in dn.items() if key != 'dbid')
    return found


def requests_made(lab):
    seen = lab.get('gax', '/counters')
    return {'requests': seen['requests'], 'by_type': seen['by_type'], 'writes': seen['writes'], 'status': seen['status'],
            'logins': seen['sessions']['logins']}


def writers(lab, since=0):
    """The client connections (address:port) the lab's write history names."""
    return {entry['client'] for entry in lab.get('gax', '/history?since=%d' % since)}


def last_seq(lab):
    history = lab.get('gax', '/history')
    return history[-1]['seq'] if history else 0


def created_since(lab, since):
    return [entry['after']['number'] for entry in lab.get('gax', '/history?since=%d&action=create' % since)]


# --- same outcome, same requests ------------------------------------------------------------------

def test_parallel_writes_leave_the_same_store_and_make_the_same_requests_as_one_after_another(lab):
    outcomes = {}
    for concurrency in (1, PARALLEL):
        lab.post('gax', '/reset')
        since = last_seq(lab)
        first = run_dn(wanted(60), concurrency)
        assert [entry['action'] for entry in first['dns']] == ['created'] * 60
        created = requests_made(lab)
        lab.post('gax', '/counters/reset')
        # then a mixed call: 20 updated, 10 deleted, 20 created, 30 left alone
        mixed = [dict(dn, options={'TServer': {'contact': 'sip:%s@127.130.0.9' % dn['number']}}) for dn in wanted(20)]
        mixed += [dict(dn, state='absent') for dn in wanted(10, first=2020)]
        mixed += wanted(30, first=2030) + wanted(20, first=2100)
        second = run_dn(mixed, concurrency)
        outcomes[concurrency] = {
            'store': store(lab), 'created': created, 'mixed': requests_made(lab),
            'results': [[(entry['number'], entry['action']) for entry in result['dns']] for result in (first, second)],
            'writers': writers(lab, since)}
    one, many = outcomes[1], outcomes[PARALLEL]
    assert one['store'] == many['store']
    assert len(many['store']) == len(SEED_DNS) + 60 - 10 + 20
    assert one['results'] == many['results']
    assert one['created'] == many['created'] and one['mixed'] == many['mixed']
    assert many['mixed']['by_type']['CfgDN'] == {'list': 2, 'create': 20, 'read': 20, 'update': 20, 'delete': 10}
    assert lab.get('gax', '/duplicates') == []
    # and they were in parallel: the writes came over several connections, one after another over one per call
    assert len(one['writers']) == 2 and len(many['writers']) > 2


# --- a failure mid-run ----------------------------------------------------------------------------

def test_a_refusal_mid_run_stops_new_writes_and_the_partial_result_names_exactly_what_the_store_holds(lab):
    count = 200
    # Creates refused with a 403 (not transient: no retry) now and then, from a seeded draw: the first
    # one to be refused is the 31st create to arrive.
    lab.put('gax', '/faults', {'seed': 3, 'kinds': ['create'], 'error_rate': 0.05, 'error_status': 403})
    with pytest.raises(OperatorError) as caught:
        run_dn(wanted(count), PARALLEL)
    failure = caught.value
    lab.put('gax', '/faults', {'error_rate': 0.0})
    held = set(store(lab)) - SEED_DNS
    partial = [entry['number'] for entry in failure.partial['dns']]
    assert set(partial) == held and len(partial) == len(held)
    assert all(entry['action'] == 'created' for entry in failure.partial['dns'])
    assert partial == [number for number in numbers(count) if number in held]      # in the order asked
    # the error names the first refused DN, which the store does not hold
    refused = failure.subject.split('DN ')[-1].split()[0]
    assert refused in numbers(count) and refused not in held
    assert 'the create failed' in failure.message and 'nothing is written twice' in failure.message
    # no new write after the failure: the writes under way went on (and the refused one's look for
    # the DN, a listing), then none started; without the stop all 200 would go out
    seen = lab.get('gax', '/counters')
    assert seen['requests']['create'] < count // 2
    assert 0 < len(held) < count // 2

    since = last_seq(lab)
    lab.post('gax', '/counters/reset')
    again = run_dn(wanted(count), PARALLEL)
    rewritten = created_since(lab, since)
    assert sorted(rewritten) == sorted(set(numbers(count)) - held)          # each missing DN, once
    assert [entry['number'] for entry in again['dns'] if entry['action'] == 'created'] == \
        [number for number in numbers(count) if number not in held]
    assert set(store(lab)) - SEED_DNS == set(numbers(count))
    assert lab.get('gax', '/duplicates') == []
    assert lab.get('gax', '/counters')['requests']['create'] == count - len(held)


# --- the session and its token, once ---------------------------------------------------------------

def test_a_session_that_expires_during_parallel_writes_is_opened_again_once(lab):
    # The session serves 50 requests, then expires: in the middle of the 80 creates, with writes under way.
    lab.put('gax', '/variants', {'session_expire_every': 50})
    before = {session['session'] for session in lab.get('gax', '/sessions')}
    result = run_dn(wanted(80), PARALLEL)
    assert [entry['action'] for entry in result['dns']] == ['created'] * 80
    seen = lab.get('gax', '/counters')
    assert seen['sessions']['logins'] == 2, seen['sessions']          # the first, and one re-login
    assert seen['sessions']['expired'] == 1
    assert seen['writes']['committed'] == 80
    assert set(store(lab)) - SEED_DNS == set(numbers(80))
    assert lab.get('gax', '/duplicates') == []
    sessions = [session for session in lab.get('gax', '/sessions') if session['session'] not in before]
    assert len(sessions) == 2 and sum(session['requests'] for session in sessions) >= 80


def test_a_session_used_up_by_parallel_writes_is_opened_again_as_often_as_needed(lab):
    # A session that serves fewer requests than there are writes under way (make chaos: every 4): the writes
    # that meet it used up log in again rather than take it for a GAX that refuses fresh sessions.
    lab.put('gax', '/variants', {'session_expire_every': 3})
    result = run_dn(wanted(60), PARALLEL)
    assert [entry['action'] for entry in result['dns']] == ['created'] * 60
    seen = lab.get('gax', '/counters')
    assert seen['sessions']['expired'] >= 10, seen['sessions']
    assert seen['writes']['committed'] == 60
    assert set(store(lab)) - SEED_DNS == set(numbers(60))
    assert lab.get('gax', '/duplicates') == []


def test_a_gax_that_wants_a_csrf_token_refuses_one_write_not_one_per_thread(lab):
    seen = {}
    for concurrency in (1, PARALLEL):
        lab.post('gax', '/reset')
        lab.put('gax', '/variants', {'csrf': 'required'})
        run_dn(wanted(40), concurrency)
        seen[concurrency] = requests_made(lab)
        assert set(store(lab)) - SEED_DNS == set(numbers(40))
    assert seen[PARALLEL]['status']['403'] == 1
    assert seen[1] == seen[PARALLEL]
