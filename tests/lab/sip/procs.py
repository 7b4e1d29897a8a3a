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


def stop_group(proc, timeout=5.0):
    """SIGTERM the process we started, SIGKILL after timeout, then any worker of its group left over.

    The group is the one `start_new_session` gave it: its id is the PID we recorded, so every
    member is a process this lab started."""
    pgid = proc.pid
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    deadline = time.monotonic() + timeout
    while True:
        left = group_members(pgid)
        if not left:
            return
        if time.monotonic() > deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        time.sleep(0.05)
