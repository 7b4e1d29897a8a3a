"""The one lab command: start, stop, inspect and reset every emulator of a lab.

Usage (from the repository root, with the project's virtual environment):
    python tests/lab/labctl.py up     [--profile FILE] [--state-dir DIR]
    python tests/lab/labctl.py down   [--state-dir DIR]
    python tests/lab/labctl.py status [--state-dir DIR]
    python tests/lab/labctl.py reset  [--state-dir DIR]

A profile is YAML whose top-level keys name emulator packages beside this file (``phone``,
``gax``, ...); each package is started as one process that reads its own section. The state
directory holds the profile used, each emulator's PID, log and ready file, and the emulators'
own records. It never imports collection code.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import yaml

LAB_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(LAB_DIR))
DEFAULT_PROFILE = os.path.join(LAB_DIR, 'profiles', 'default.yml')
DEFAULT_STATE_DIR = os.path.join(REPO_ROOT, '.lab', 'default')
PROFILE_COPY = 'profile.yml'
READY_TIMEOUT = 120
STOP_TIMEOUT = 10


class LabError(Exception):
    """A lab command that cannot do what it was asked; the message says why."""


def emulator_kinds(profile):
    """The profile's top-level keys that name an emulator package beside this file."""
    kinds = []
    for key, section in (profile or {}).items():
        if section is None or not isinstance(section, dict):
            continue
        if section.get('enabled', True) is False:
            continue
        if os.path.isfile(os.path.join(LAB_DIR, key, '__main__.py')):
            kinds.append(key)
    return kinds


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is gone for our purposes (its parent has not reaped it yet).
    try:
        with open('/proc/%d/stat' % pid, encoding='ascii') as stat:
            return stat.read().split(') ', 1)[1][0] != 'Z'
    except OSError:
        return True


def read_json(path):
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def pid_file(state_dir, kind):
    return os.path.join(state_dir, kind + '.pid')


def ready_file(state_dir, kind):
    return os.path.join(state_dir, kind + '.ready')


def log_file(state_dir, kind):
    return os.path.join(state_dir, kind + '.log')


def running_pids(state_dir):
    """``{kind: pid}`` for every emulator of this state directory that is still alive."""
    alive = {}
    if not os.path.isdir(state_dir):
        return alive
    for name in sorted(os.listdir(state_dir)):
        if not name.endswith('.pid'):
            continue
        kind = name[:-len('.pid')]
        try:
            with open(os.path.join(state_dir, name), encoding='ascii') as handle:
                pid = int(handle.read().strip())
        except (OSError, ValueError):
            continue
        if pid_alive(pid):
            alive[kind] = pid
    return alive


def log_tail(path, lines=20):
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            return ''.join(handle.readlines()[-lines:])
    except OSError:
        return '(no log)'


def start_emulator(kind, profile_path, state_dir):
    ready = ready_file(state_dir, kind)
    if os.path.exists(ready):
        os.unlink(ready)
    # The emulator's log is opened here so it outlives this command; the child owns it after.
    with open(log_file(state_dir, kind), 'ab') as log:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, '-m', kind, '--profile', profile_path, '--state-dir', state_dir],
            cwd=LAB_DIR, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    with open(pid_file(state_dir, kind), 'w', encoding='ascii') as handle:
        handle.write('%d\n' % proc.pid)
    return proc


def wait_ready(kind, proc, state_dir, timeout=READY_TIMEOUT):
    deadline = time.monotonic() + timeout
    ready = ready_file(state_dir, kind)
    while time.monotonic() < deadline:
        info = read_json(ready)
        if info is not None:
            return info
        if proc.poll() is not None:
            raise LabError('%s emulator exited with status %s before it was ready; its log ends:\n%s'
                           % (kind, proc.returncode, log_tail(log_file(state_dir, kind))))
        time.sleep(0.1)
    raise LabError('%s emulator was not ready within %d s; its log ends:\n%s'
                   % (kind, timeout, log_tail(log_file(state_dir, kind))))


def stop_pid(pid, timeout=STOP_TIMEOUT):
    """SIGTERM, then SIGKILL after ``timeout``; only ever the PID we recorded."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while pid_alive(pid):
        time.sleep(0.05)


def cmd_up(args):
    state_dir = os.path.abspath(args.state_dir)
    alive = running_pids(state_dir)
    if alive:
        raise LabError('a lab is already running in %s (%s); run "down" first'
                       % (state_dir, ', '.join('%s pid %d' % item for item in sorted(alive.items()))))
    with open(args.profile, encoding='utf-8') as handle:
        profile = yaml.safe_load(handle) or {}
    kinds = emulator_kinds(profile)
    if not kinds:
        raise LabError('profile %s names no emulator (top-level keys matching a package in %s)'
                       % (args.profile, LAB_DIR))
    os.makedirs(state_dir, exist_ok=True)
    profile_path = os.path.abspath(args.profile)
    # A copy for the record: which profile this state directory was started with.
    shutil.copyfile(profile_path, os.path.join(state_dir, PROFILE_COPY))
    procs = {}
    try:
        for kind in kinds:
            procs[kind] = start_emulator(kind, profile_path, state_dir)
        started = time.monotonic()
        infos = {kind: wait_ready(kind, proc, state_dir) for kind, proc in procs.items()}
    except BaseException:
        for proc in procs.values():
            stop_pid(proc.pid)
        raise
    for kind in kinds:
        print('%-8s pid %-7d ready  admin %s' % (kind, procs[kind].pid, infos[kind].get('admin', '-')))
    print('lab up in %s (%.1f s)' % (state_dir, time.monotonic() - started))
    return 0


def cmd_down(args):
    state_dir = os.path.abspath(args.state_dir)
    alive = running_pids(state_dir)
    for kind, pid in sorted(alive.items()):
        stop_pid(pid)
        print('%-8s pid %-7d stopped' % (kind, pid))
    if os.path.isdir(state_dir):
        for name in os.listdir(state_dir):
            if name.endswith(('.pid', '.ready')):
                os.unlink(os.path.join(state_dir, name))
    if not alive:
        print('no lab running in %s' % state_dir)
    if args.purge and os.path.isdir(state_dir):
        shutil.rmtree(state_dir)
    return 0


def admin_call(url, method='GET', timeout=10):
    request = urllib.request.Request(url, method=method, data=b'' if method != 'GET' else None)
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # nosec: lab loopback only
        body = answer.read()
    return json.loads(body) if body else None


def lab_status(state_dir):
    """``{kind: {pid, alive, admin, health}}`` for every emulator this state directory started."""
    status = {}
    alive = running_pids(state_dir)
    for name in sorted(os.listdir(state_dir)) if os.path.isdir(state_dir) else ():
        if not name.endswith('.pid'):
            continue
        kind = name[:-len('.pid')]
        info = read_json(ready_file(state_dir, kind)) or {}
        entry = {'alive': kind in alive, 'pid': alive.get(kind), 'admin': info.get('admin')}
        if entry['alive'] and entry['admin']:
            try:
                entry['health'] = admin_call(entry['admin'] + '/health')
            except (OSError, ValueError) as exc:
                entry['health'] = 'unreachable: %s' % exc
        status[kind] = entry
    return status


def cmd_status(args):
    state_dir = os.path.abspath(args.state_dir)
    status = lab_status(state_dir)
    if args.json:
        print(json.dumps(status, indent=2, sort_keys=True))
        return 0 if status and all(entry['alive'] for entry in status.values()) else 3
    if not status:
        print('no lab in %s' % state_dir)
        return 3
    for kind, entry in status.items():
        print('%-8s %-8s pid %-7s admin %s' % (kind, 'running' if entry['alive'] else 'DEAD',
                                               entry['pid'] or '-', entry['admin'] or '-'))
    return 0 if all(entry['alive'] for entry in status.values()) else 3


def cmd_reset(args):
    state_dir = os.path.abspath(args.state_dir)
    status = lab_status(state_dir)
    if not status:
        raise LabError('no lab in %s to reset' % state_dir)
    for kind, entry in status.items():
        if not entry['alive'] or not entry['admin']:
            raise LabError('%s emulator is not running; run "down" then "up"' % kind)
        try:
            admin_call(entry['admin'] + '/reset', method='POST', timeout=120)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            raise LabError('%s emulator did not reset: %s' % (kind, exc)) from exc
        print('%-8s reset' % kind)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog='labctl', description=__doc__.split('\n', 1)[0])
    sub = parser.add_subparsers(dest='command', required=True)
    up = sub.add_parser('up', help='start every emulator the profile names')
    up.add_argument('--profile', default=DEFAULT_PROFILE)
    down = sub.add_parser('down', help='stop what this state directory started')
    down.add_argument('--purge', action='store_true', help='also delete the state directory')
    status = sub.add_parser('status', help='show what runs')
    status.add_argument('--json', action='store_true')
    sub.add_parser('reset', help='put every emulator back to its seed state')
    for command in (up, down, status, sub.choices['reset']):
        command.add_argument('--state-dir', default=os.environ.get('LAB_STATE_DIR', DEFAULT_STATE_DIR))
    args = parser.parse_args(argv)
    handler = {'up': cmd_up, 'down': cmd_down, 'status': cmd_status, 'reset': cmd_reset}[args.command]
    try:
        return handler(args)
    except LabError as exc:
        sys.stderr.write('labctl %s: %s\n' % (args.command, exc))
        return 1


if __name__ == '__main__':
    sys.exit(main())
