"""The fleet path's processes (plugin_utils/fleet.py): how many, how the phones are dealt, and that
every phone gets its own result back from whichever process worked it - or a named failure when that
process is lost. The call is a stand-in (no HTTP): the phones' side is tests/integration/test_fleet_path.py."""

import os
import signal

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils import fleet


def test_process_count_follows_the_cpus_and_the_size_of_the_run():
    assert fleet.process_count(0, 1000, 20, cpus=2) == 2
    assert fleet.process_count(0, 1000, 20, cpus=8) == 8
    assert fleet.process_count(0, 120, 20, cpus=8) == 2      # at most one per 50 phones
    assert fleet.process_count(0, 49, 20, cpus=8) == 1       # a small run stays in the task's process
    assert fleet.process_count(0, 1000, 3, cpus=8) == 3      # a thread per process at least
    assert fleet.process_count(4, 1000, 20, cpus=1) == 4     # given: taken as it is
    assert fleet.process_count(4, 2, 20, cpus=1) == 2        # never more than the phones
    assert fleet.process_count(1, 1000, 20, cpus=8) == 1


def test_split_deals_every_host_once_the_first_share_to_the_caller():
    hosts = ['phone-%03d' % index for index in range(7)]
    shares = fleet.split(reversed(hosts), 3)
    assert [len(share) for share in shares] == [3, 2, 2]
    assert sorted(sum(shares, [])) == hosts


def call(args, check_mode, diff):
    """Stand-in for a phone's core call: says which process worked the phone."""
    if args.get('die'):
        os.kill(os.getpid(), signal.SIGKILL)
    if args.get('raise'):
        raise RuntimeError('boom %s' % args['host'])
    return {'changed': not check_mode, 'pid': os.getpid(), 'host': args['host'], 'diff': {'before': '', 'after': 'x'}}


def jobs(count, **extra):
    return dict(('phone-%03d' % index, dict(extra, host='127.0.0.%d' % (index + 1))) for index in range(count))


@pytest.fixture
def one_thread(monkeypatch):
    """The task's worker process runs one thread; the test runner may run others (a fork is refused then)."""
    monkeypatch.setattr(fleet.threading, 'active_count', lambda: 1)


def test_every_phone_gets_its_own_result_from_several_processes(one_thread):
    work = jobs(9)
    results = fleet.Fleet(call, concurrency=4, processes=3).run(work, check_mode=True, diff=True, wait=False)
    assert sorted(results) == sorted(work)
    assert all(results[host]['host'] == work[host]['host'] for host in work)
    pids = set(result['pid'] for result in results.values())
    assert len(pids) == 3 and os.getpid() in pids          # two forks and the task's own process
    assert all(result['changed'] is False for result in results.values())


def test_one_process_works_every_phone_here():
    results = fleet.Fleet(call, concurrency=4, processes=1).run(jobs(5), check_mode=False, wait=False)
    assert set(result['pid'] for result in results.values()) == {os.getpid()}


def test_an_error_in_a_forked_process_fails_that_phone_only(one_thread):
    work = jobs(6)
    work['phone-004']['raise'] = True
    results = fleet.Fleet(call, concurrency=3, processes=3).run(work, wait=False)
    assert results['phone-004']['failed'] and 'boom 127.0.0.5' in results['phone-004']['msg']
    assert not any(results[host].get('failed') for host in work if host != 'phone-004')


def test_a_lost_process_fails_each_of_its_phones_by_name(one_thread):
    work = jobs(6)
    work['phone-005']['die'] = True          # dealt to the third share: phone-002 and phone-005
    results = fleet.Fleet(call, concurrency=3, processes=3).run(work, wait=False)
    lost = sorted(host for host, result in results.items() if result.get('failed'))
    assert lost == ['phone-002', 'phone-005']
    assert 'killed by signal %d' % signal.SIGKILL in results['phone-002']['msg']
    assert 'phone-002' in results['phone-002']['msg'] and 'unknown' in results['phone-002']['msg']
    assert not any(result.get('failed') for host, result in results.items() if host not in lost)
    # no child is left behind
    try:
        assert os.waitpid(-1, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        pass


def test_no_fork_from_a_process_running_other_threads(monkeypatch):
    monkeypatch.setattr(fleet.threading, 'active_count', lambda: 2)
    results = fleet.Fleet(call, concurrency=4, processes=3).run(jobs(6), wait=False)
    assert set(result['pid'] for result in results.values()) == {os.getpid()}


def test_timing_text_says_where_a_process_spent_its_time():
    assert fleet.timing_text({'phones': 500, 'worked': 29.42, 'restarting': 500, 'rounds': 1, 'waited': 13.2}) == \
        '500 phone(s) worked in 29.4 s, 500 restarting, back after 1 round(s), 13.2 s'
    assert fleet.timing_text({'phones': 3, 'worked': 1.0, 'restarting': 0, 'rounds': 0, 'waited': 0.0}) == \
        '3 phone(s) worked in 1.0 s'
    assert fleet.timing_text({'phones': 2, 'lost': 'exit status 1'}) == '2 phone(s), lost (exit status 1)'


STORED = {'changed': False, 'results': {'phone-001': {'changed': True, 'diff': {'before': '', 'after': 'x'}}}}


def test_the_stored_result_of_a_phone_the_fleet_task_worked():
    task_vars = {fleet.FLEET_REGISTER_VAR: 'fleet_run', 'fleet_run': STORED}
    stored = fleet.stored_result(task_vars, 'phone-001')
    assert stored == STORED['results']['phone-001'] and stored is not STORED['results']['phone-001']


def test_a_host_the_fleet_task_did_not_work_is_skipped_by_the_reporting_task():
    stored = fleet.stored_result({fleet.FLEET_REGISTER_VAR: 'fleet_run', 'fleet_run': STORED}, 'phone-002')
    assert stored['skipped'] is True and stored['changed'] is False
    assert 'phone-002' in stored['skip_reason'] and 'fleet_run' in stored['skip_reason']


def test_a_fleet_result_named_but_never_registered_fails_the_host_with_the_cause():
    # The free strategy reaches a host's reporting task before the run-once fleet task has registered.
    stored = fleet.stored_result({fleet.FLEET_REGISTER_VAR: 'fleet_run'}, 'phone-001')
    assert stored['failed'] is True and 'phone-001' in stored['msg'] and 'fleet_run is not set' in stored['msg']
    assert 'linear strategy' in stored['msg']


@pytest.mark.parametrize('task_vars', [
    {},                                                                            # no fleet task named
    {fleet.FLEET_REGISTER_VAR: 'fleet_run', 'fleet_run': {'skipped': True, 'changed': False}},   # skipped
])
def test_no_stored_result_when_the_fleet_task_did_not_run(task_vars):
    # The task then works the phone itself, with its own options (the module's per-host behaviour).
    assert fleet.stored_result(task_vars, 'phone-001') is None
