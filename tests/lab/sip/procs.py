"""Process helpers: a process is stopped by the PID this lab recorded, never by its name."""

import os
import signal
import subprocess
import time


def pid_alive(pid):
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as stat:
            return stat.read().rsplit(") ", 1)[1][0] != "Z"  # a zombie is gone for our purposes
    except (OSError, IndexError):
        return False


def group_members(pgid):
    """PIDs of the live processes in process group pgid (a kamailio and the workers it forked)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="ascii") as stat:
                fields = stat.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


# A kamailio ends in well under a second on SIGTERM; the bounds below keep a stop of every server of a
# lab (they stop together) inside labctl's own 10 s, after which it SIGKILLs the sip process itself.
TERM_WAIT = 3.0
KILL_WAIT = 2.0


def stop_groups(procs, timeout=TERM_WAIT):
    """SIGTERM each process we started, wait (bounded, all together), then SIGKILL what is left.

    Each was started with `start_new_session`: its process group id is the PID we recorded, so every
    member of the group is a process this lab started. A worker that does not end on SIGTERM (stuck,
    stopped) outlives a master that gives up on it, so the group is always swept with SIGKILL."""
    groups = [proc.pid for proc in procs]
    for proc in procs:
        if proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for pgid in groups:
        while time.monotonic() < deadline and group_members(pgid):
            time.sleep(0.05)  # workers a master that did end left behind: a moment to end on their own
    kill_deadline = time.monotonic() + KILL_WAIT
    while True:
        left = [pid for pgid in groups for pid in group_members(pgid)]
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in procs:
            if proc.poll() is None:
                try:
                    proc.wait(0.05)
                except subprocess.TimeoutExpired:
                    pass
        if not left or time.monotonic() > kill_deadline:
            return left
        time.sleep(0.05)
