"""The bounded pool the Genesys modules write with (core.run_bounded, core._write): pure logic, no GAX."""

import threading
import time

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import InputError, RemoteError, SecretMasker
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core

SWITCH = {'type': 'CfgSwitch', 'dbid': '101', 'name': 'SIP_Switch_A', 'tenantdbid': '1'}
SETTLE = 0.2   # time for a worker to note a failure before the job that waits for it goes on


class Boom(Exception):
    pass


def test_done_is_in_job_order_whatever_order_the_jobs_finish_in():
    gates = [threading.Event() for dummy in range(4)]
    finished = []

    def work(index):
        # Each job waits for the one after it: they finish in the reverse order.
        if index < 3:
            assert gates[index + 1].wait(5)
        finished.append(index)
        gates[index].set()
    done, failed = core.run_bounded(range(4), work, 4)
    assert finished == [3, 2, 1, 0]
    assert (done, failed) == ([0, 1, 2, 3], [])


def test_no_more_than_concurrency_jobs_run_at_once():
    lock, running, peak = threading.Lock(), [0], [0]

    def work(dummy):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
    done, failed = core.run_bounded(range(40), work, 3)
    assert done == list(range(40)) and not failed
    assert peak[0] == 3


def test_after_the_first_failure_no_job_starts_and_the_running_one_finishes():
    failed_now = threading.Event()
    started = []

    def work(index):
        started.append(index)
        if index == 1:
            failed_now.set()
            raise Boom('job 1')
        if index == 0:
            assert failed_now.wait(5)
            time.sleep(SETTLE)   # the failure is noted by now: this worker must not take job 2
    done, failed = core.run_bounded(range(10), work, 2)
    assert sorted(started) == [0, 1]
    assert done == [0]                       # under way when job 1 failed: finished and counted
    assert [(index, str(exc)) for index, exc in failed] == [(1, 'job 1')]


def test_failures_of_jobs_under_way_together_are_all_kept_in_job_order():
    second_failed = threading.Event()

    def work(index):
        if index == 1:
            second_failed.set()
            raise Boom('job 1')
        assert second_failed.wait(5)
        time.sleep(SETTLE)
        raise Boom('job 0')
    done, failed = core.run_bounded(range(5), work, 2)
    assert done == []
    assert [(index, str(exc)) for index, exc in failed] == [(0, 'job 0'), (1, 'job 1')]


def test_one_at_a_time_runs_in_the_callers_thread_and_stops_at_the_failure():
    threads, started = set(), []

    def work(index):
        threads.add(threading.current_thread())
        started.append(index)
        if index == 2:
            raise Boom('job 2')
    done, failed = core.run_bounded(range(6), work, 1)
    assert threads == {threading.current_thread()}
    assert started == [0, 1, 2] and done == [0, 1] and [index for index, dummy in failed] == [2]


class _DeletingClient:
    """Enough of GaxClient for deletes: each takes its time; the DBIDs in ``refuse`` are refused."""

    subject = 'GAX http://127.130.0.1:18400'

    def __init__(self, refuse=(), delay=0.0):
        self.masker = SecretMasker()
        self.refuse, self.delay = set(refuse), delay
        self.deleted, self.pool = [], None
        self.lock = threading.Lock()

    def parallel(self, count):
        self.pool = count

    def delete(self, cfg_type, dbid):
        time.sleep(self.delay)
        if dbid in self.refuse:
            raise RemoteError(self.subject, 'GAX refused the request (HTTP 403)', 'give the user permission',
                              status=403, endpoint='DELETE /gax/api/cfg/objects/%s/%s' % (cfg_type, dbid))
        with self.lock:
            self.deleted.append(dbid)


def delete_plans(count, keep=()):
    plans = []
    for index in range(count):
        number = str(1600 + index)
        action = 'none' if number in keep else 'deleted'
        plans.append({'action': action, 'dbid': str(500 + index),
                      'want': {'key': number, 'subject': 'DN %s on switch SIP_Switch_A' % number}})
    return plans


def test_write_reports_every_object_written_in_plan_order_and_skips_the_unchanged():
    client = _DeletingClient(delay=0.005)
    plans = delete_plans(12, keep=('1603', '1607'))
    done = []
    core._write(client, core.DN, plans, SWITCH, done, concurrency=4)
    assert [plan['want']['key'] for plan in done] == [plan['want']['key'] for plan in plans if plan['action'] != 'none']
    assert sorted(client.deleted) == sorted(plan['dbid'] for plan in done)
    assert client.pool == 4


def test_write_stops_at_a_refusal_naming_the_object_and_done_is_exactly_what_gax_did():
    client = _DeletingClient(refuse={'504'}, delay=0.01)
    plans = delete_plans(40)
    done = []
    with pytest.raises(RemoteError) as caught:
        core._write(client, core.DN, plans, SWITCH, done, concurrency=8)
    assert 'DN 1604 on switch SIP_Switch_A' in caught.value.subject
    assert caught.value.cause.startswith('the delete failed: ')
    assert sorted(plan['dbid'] for plan in done) == sorted(client.deleted)   # nothing more, nothing less
    assert len(done) < 39                                                    # it stopped: not every other one went out
    assert '504' not in client.deleted


def test_concurrency_is_a_whole_number_of_one_or_more():
    assert core._concurrency({}) == core.CONCURRENCY == 8
    assert core._concurrency({'concurrency': 1}) == 1
    for bad in (0, -2, True, '4'):
        with pytest.raises(InputError):
            core._concurrency({'concurrency': bad, 'switch': 'SIP_Switch_A'})
