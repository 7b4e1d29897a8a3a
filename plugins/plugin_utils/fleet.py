# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet path: one run-once task works the phones of the play batch with a bounded pool of
threads in the controller, and each phone's own per-host task reports the stored result.

A phone task costs Ansible's per-host price (a forked worker, the host's variables, the result's
trip back) many times over the phone's own work (docs/performance.md). The action
``audiocodes_phone_fleet`` (run once) calls the same core function as the in-process phone task,
for every phone of ``ansible_play_batch`` at once (``concurrency`` threads: the work is HTTP, the
threads wait on the phones), lets the restarts of the fleet overlap, then waits for the phones that
restarted, in rounds, bounded by ``reboot_timeout`` as the role's verify pass is. It returns the
results keyed by inventory host; registered on a run-once task, Ansible sets that one object on
every host of the batch. The per-host step is the role's ``audiocodes_phone`` task with the task
variable ``audiocodes_fleet_register`` naming that registered variable: its action plugin returns
the stored result of its host (changed, failed, diff) without working the phone, so the PLAY RECAP,
AWX host events, --limit, serial, max_fail_percentage and retry files see one result per phone.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import math
import os
import pickle
import threading
import time

from concurrent.futures import ThreadPoolExecutor

FLEET_REGISTER_VAR = 'audiocodes_fleet_register'
"""A task variable: the name of the variable an audiocodes_phone_fleet task registered."""

ENTRY_OPTIONS = {'address': 'host', 'mac': 'expected_mac', 'model': 'expected_model'}
"""Keys of a desired-state phone entry taken as the phone's own module options, where the module has them."""

VERIFY_LEFT_OUT = ('initial_password', 'update_secrets', 'backup', 'backup_options', 'backup_dir')
"""Not part of the verify call after a restart (as the role's verify pass): it only reads."""


def phone_args(common, entry, spec):
    """The module options of one phone: ``common`` with the phone's own entry over it."""
    args = dict(common)
    for key, value in entry.items():
        option = ENTRY_OPTIONS.get(key, key)
        if option in spec and value is not None:
            args[option] = value
    return args


def verify_args(args):
    """The options of the call that checks a restarted phone (it must find nothing to change)."""
    verify = dict((key, value) for key, value in args.items() if key not in VERIFY_LEFT_OUT)
    verify['wait_for_reboot'] = False
    return verify


def not_back_message(host, address, timeout, last):
    """What the role's verify pass says of a phone that did not come back as configured."""
    if last is None or last.get('failed') or not last.get('changed'):
        reason = 'did not come back within %s s: %s' % (timeout, (last or {}).get('msg', ''))
    else:
        reason = ('restarted without keeping %s; the firmware may drop or rewrite these keys '
                  '(see the feature table in plugins/plugin_utils/features/)' % ', '.join(sorted(last.get('changes') or {})))
    return '%s (%s): %s' % (host, address, reason)


PHONES_PER_PROCESS = 50
"""The fewest phones worth a process of their own (``processes`` left to the controller): a fork costs
tens of milliseconds, a phone about ten of CPU."""


def process_count(processes, phones, concurrency, cpus=None):
    """How many processes work ``phones`` phones: ``processes`` if given (1 or more), else one per CPU
    the controller lets this process use, at most one per PHONES_PER_PROCESS phones; never more than
    ``concurrency`` (each process has a thread at least) nor than the phones."""
    if processes and int(processes) > 0:
        wanted = int(processes)
    else:
        if cpus is None:
            cpus = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else (os.cpu_count() or 1)
        wanted = min(int(cpus), phones // PHONES_PER_PROCESS)
    return max(1, min(wanted, int(concurrency), phones))


def split(hosts, parts):
    """``hosts`` dealt into ``parts`` shares of near-equal size, in order (the first share is the caller's)."""
    hosts = sorted(hosts)
    return [hosts[index::parts] for index in range(parts)]


def lost_result(host, how):
    """The result of a phone whose worker process ended without handing its results back."""
    return {'failed': True, 'changed': False,
            'msg': '%s: the controller process that worked this phone ended without its result (%s); whether the '
                   'phone was changed is unknown: run again (a phone already changed reports no change), and '
                   'if it recurs, set processes=1 (role: audiocodes_phone_processes) and report it' % (host, how)}


class Fleet:
    """Work many phones with ``call(args, check_mode, diff) -> result`` on ``concurrency`` threads,
    in ``processes`` processes of the controller (1: all in this one)."""

    def __init__(self, call, concurrency=20, clock=time.monotonic, sleep=time.sleep, processes=1):
        self.call = call
        self.concurrency = max(1, int(concurrency))
        self.processes = max(1, int(processes or 1))
        self.used = 0
        """How many processes the last run used (a fork is refused while other threads run)."""
        self.timings = {}
        """Of the last run, per process: phones, seconds working them, phones restarting, rounds, seconds waiting."""
        self.shares = []
        """The timings of each process of the last run."""
        self.clock, self.sleep = clock, sleep
        self.lock = threading.Lock()

    def _map(self, function, items):
        items = list(items)
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            return list(pool.map(function, items))

    def _safe(self, host, args, check_mode, diff):
        try:
            return self.call(args, check_mode, diff)
        except Exception as exc:  # a bug must not stop the other phones; the phone's task names it
            return {'failed': True, 'msg': '%s: unexpected error on the controller: %s: %s'
                    % (host, type(exc).__name__, exc)}

    def run(self, jobs, check_mode=False, diff=False, wait=True, verify_delay=5):
        """``{host: result}`` for ``jobs`` (``{host: args}``); each phone independent of the others."""
        if self.processes > 1 and len(jobs) > 1 and threading.active_count() == 1:
            # Only from a process of one thread: a fork copies no other thread, nor the locks they may hold.
            self.used = min(self.processes, len(jobs))
            return self._run_forked(jobs, check_mode, diff, wait, verify_delay)
        self.used = 1
        try:
            return self._run_here(jobs, check_mode, diff, wait, verify_delay)
        finally:
            self.shares = [self.timings]

    def _run_forked(self, jobs, check_mode, diff, wait, verify_delay):
        """The phones dealt among ``processes`` processes (this one and forks of it), each with its share of the
        threads, its own reboot wave and its own results, handed back over a pipe. Python runs one thread of a
        process at a time (the GIL): the CPU of reading and comparing the phones' files then uses every core."""
        shares = [share for share in split(jobs, min(self.processes, len(jobs))) if share]
        threads = max(1, int(math.ceil(self.concurrency / float(len(shares)))))
        children = []
        for share in shares[1:]:
            reader, writer = os.pipe()
            pid = os.fork()
            if pid == 0:     # the child: its share, then its results into the pipe, then out (no cleanup of the parent's)
                code = 0
                try:
                    os.close(reader)
                    worker = self._share(share, threads)
                    part = worker._run_here(dict((host, jobs[host]) for host in share), check_mode, diff, wait, verify_delay)
                    data = pickle.dumps((part, worker.timings), protocol=pickle.HIGHEST_PROTOCOL)
                    with os.fdopen(writer, 'wb') as handle:
                        handle.write(data)
                except BaseException:   # the parent names each of its phones (lost_result)
                    code = 1
                finally:
                    os._exit(code)
            os.close(writer)
            children.append((pid, reader, share))
        results = {}
        own = self._share(shares[0], threads)
        try:
            results.update(own._run_here(dict((host, jobs[host]) for host in shares[0]), check_mode, diff, wait, verify_delay))
        finally:
            self.shares = [own.timings]
            for pid, reader, share in children:     # every child is read and reaped, whatever happened here
                part, timings = self._collect(pid, reader, share)
                results.update(part)
                self.shares.append(timings)
        return results

    @staticmethod
    def _collect(pid, reader, share):
        """The results a child wrote to its pipe, or a lost result for each of its phones."""
        with os.fdopen(reader, 'rb') as handle:
            data = handle.read()
        dummy, status = os.waitpid(pid, 0)
        try:
            part, timings = pickle.loads(data) if data else (None, None)
        except Exception:   # cut short: the child ended while writing
            part, timings = None, None
        if isinstance(part, dict) and set(part) == set(share):
            return part, timings
        how = ('killed by signal %d' % os.WTERMSIG(status) if os.WIFSIGNALED(status)
               else 'exit status %d' % os.WEXITSTATUS(status))
        return dict((host, lost_result(host, how)) for host in share), {'phones': len(share), 'lost': how}

    def _share(self, share, threads):
        return Fleet(self.call, concurrency=min(threads, len(share)), clock=self.clock, sleep=self.sleep)

    def _run_here(self, jobs, check_mode, diff, wait, verify_delay):
        start = self.clock()
        results = dict(self._map(lambda item: (item[0], self._safe(item[0], item[1], check_mode, diff)),
                                 sorted(jobs.items())))
        self.timings = {'phones': len(jobs), 'worked': self.clock() - start, 'restarting': 0, 'rounds': 0, 'waited': 0.0}
        pending = dict((host, jobs[host]) for host, result in results.items()
                       if not result.get('failed') and result.get('reboot_pending'))
        if wait and pending and not check_mode:
            self.timings['restarting'] = len(pending)
            self.wait(pending, results, verify_delay)
            self.timings['waited'] = self.clock() - start - self.timings['worked']
        return results

    def wait(self, pending, results, verify_delay):
        """The reboot wave: look at every restarting phone, in rounds, until each is back with its settings."""
        delay = max(1, int(verify_delay))
        timeout = max(int(args.get('reboot_timeout') or 300) for args in pending.values())
        # As the role's verify pass: as many looks as fit into reboot_timeout, a delay apart.
        rounds = int(math.ceil(timeout / float(delay)))
        deadline = self.clock() + timeout + delay
        last = {}
        checks = dict((host, verify_args(args)) for host, args in pending.items())
        for _round in range(rounds + 1):
            if not checks or self.clock() > deadline:
                break
            self.sleep(delay)
            self.timings['rounds'] = _round + 1
            looked = self._map(lambda item: (item[0], self._safe(item[0], item[1], True, False)), sorted(checks.items()))
            for host, result in looked:
                last[host] = result
                if not result.get('failed') and not result.get('changed'):
                    results[host].update(rebooted=True, reboot_pending=False)
                    del checks[host]
        for host, args in checks.items():
            result = results[host]
            timeout = args.get('reboot_timeout') or 300
            result.update(failed=True, msg=not_back_message(host, args.get('host'), timeout, last.get(host)))


def timing_text(timings):
    """One process's share of the run, for -vv: where its time went."""
    if not timings:
        return 'no timings'
    if timings.get('lost'):
        return '%d phone(s), lost (%s)' % (timings['phones'], timings['lost'])
    text = '%d phone(s) worked in %.1f s' % (timings['phones'], timings['worked'])
    if timings.get('restarting'):
        text += ', %d restarting, back after %d round(s), %.1f s' % (timings['restarting'], timings['rounds'], timings['waited'])
    return text


def summary(results):
    """One line for the run-once task: how many phones changed, and each failure by name."""
    failed = sorted(host for host, result in results.items() if result.get('failed'))
    changed = sum(1 for result in results.values() if result.get('changed') and not result.get('failed'))
    text = '%d phone(s): %d changed, %d unchanged, %d failed' % (
        len(results), changed, len(results) - changed - len(failed), len(failed))
    if failed:
        text += ': ' + '; '.join('%s: %s' % (host, results[host].get('msg', 'failed')) for host in failed)
    return text, failed


def stored_result(task_vars, host, templar=None):
    """The stored fleet result of ``host`` if this task reports one (``audiocodes_fleet_register``), else None."""
    name = task_vars.get(FLEET_REGISTER_VAR)
    if templar is not None and isinstance(name, str) and '{' in name:
        name = templar.template(name)
    if not name or not isinstance(name, str):
        return None
    if name not in task_vars:
        # Named, never registered on this host: the free strategy runs a host's tasks without waiting for
        # the run-once task, or the fleet task is not in this play. The task has no options to work the phone.
        return {'failed': True, 'changed': False,
                'msg': '%s: no result of the fleet task (%s is not set on this host): the task that reports it ran '
                       'before the run-once audiocodes_phone_fleet task registered it (the free strategy does not '
                       'wait for a run-once task) or without it; run the play with the linear strategy, or with '
                       'audiocodes_phone_fleet=false (a task per phone)' % (host, name)}
    fleet = task_vars.get(name)
    if not hasattr(fleet, 'get'):
        return None
    results = fleet.get('results')
    if not hasattr(results, 'get'):
        return None         # the fleet task was skipped (the per-host path works the phone)
    result = results.get(host)
    if not hasattr(result, 'get'):
        # The fleet task ran and did not work this host: no phone of its, or not in its batch. Skipped here,
        # so that a reporting task needs no condition of its own (a condition on the stored results costs a
        # copy of them per host in ansible-core 2.19).
        return {'skipped': True, 'changed': False,
                'skip_reason': '%s is not one of the phones the fleet task (%s) worked' % (host, name)}
    return dict(result)
