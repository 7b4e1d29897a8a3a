"""The SIP lab's stop leaves no kamailio process behind, even workers that do not end on SIGTERM.

In CI, after test_rotation, three kamailio workers of a registrar were left running, orphaned, and
only SIGKILL ended them. Here workers of each registrar are stopped with SIGSTOP (a stopped process
does not act on SIGTERM; SIGKILL still ends it), then the lab stops one registrar through its admin
API, and `labctl down` (bounded: it SIGKILLs the sip process after its own timeout) stops the rest.
Afterwards /proc holds none of the PIDs recorded for those registrars.

Lab on 127.99.<8*worker + k>.y, admin APIs on 127.0.0.99. Needs kamailio (skipped without it
unless CI is set).
"""

import os
import shutil
import signal

import pytest

from labfixture import REPO_ROOT, Lab, only_these_emulators

KAMAILIO = shutil.which("kamailio") or ("/usr/sbin/kamailio" if os.access("/usr/sbin/kamailio", os.X_OK) else None)
pytestmark = pytest.mark.skipif(KAMAILIO is None and not os.environ.get("CI"),
                                reason="kamailio is not installed (make venv installs it as root); under CI this test runs")

WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
ADMIN_HOST = "127.0.0.99"
PORT = 18990 + 10 * WORKER
SERVERS = {"site-a": "127.99.%d.1" % (8 * WORKER + 1), "site-b": "127.99.%d.1" % (8 * WORKER + 2),
           "site-c": "127.99.%d.1" % (8 * WORKER + 3)}
SWITCHES = {"site-a": "SIP_Switch_A", "site-b": "SIP_Switch_B", "site-c": "SIP_Switch_A"}
STUCK = 3  # workers per registrar that will not end on SIGTERM, as in CI


def profile():
    certs = os.path.join(REPO_ROOT, ".lab", "certs")
    return only_these_emulators({
        "gax": {"admin": "%s:%d" % (ADMIN_HOST, PORT), "seed": "gax-seed.yml", "cert_dir": certs,
                "instances": [{"name": "gax", "listen": "%s:%d" % (ADMIN_HOST, PORT + 1), "scheme": "http"}]},
        "sip": {"admin": "%s:%d" % (ADMIN_HOST, PORT + 2), "cert_dir": certs,
                "registrars": [{"name": name, "switch": SWITCHES[name], "address": address}
                               for name, address in sorted(SERVERS.items())]},
    })


def _stat(pid):
    """(state, pgid) of a process, None when it is gone (a zombie is gone: it only waits to be reaped)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as stat:
            fields = stat.read().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] == "Z" else (fields[0], int(fields[2]))


def _group(pgid):
    """The live processes of process group pgid: a kamailio the lab started and its workers."""
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and (_stat(int(p)) or ("", None))[1] == pgid)


def _left(recorded):
    """The recorded PIDs still alive in the group they were recorded in (a reused PID is someone else's)."""
    return sorted(pid for pid, pgid in recorded.items() if (_stat(pid) or ("", None))[1] == pgid)


def _record_and_stick(running):
    """Every PID of every registrar (pid -> pgid), with STUCK workers of each stopped by SIGSTOP."""
    recorded = {}
    for server in running.get("sip", "/servers"):
        master = server["pid"]
        assert master, server
        members = _group(master)
        workers = [pid for pid in members if pid != master]
        assert len(workers) >= STUCK, (server["name"], members)
        recorded.update((pid, master) for pid in members)
        for pid in workers[:STUCK]:
            os.kill(pid, signal.SIGSTOP)
    return recorded


def test_stop_and_down_leave_no_kamailio_process_even_when_workers_ignore_sigterm(tmp_path):
    running = Lab(str(tmp_path / "state"), profile()).up()
    recorded = {}
    try:
        by_name = {s["name"]: s["pid"] for s in running.get("sip", "/servers")}
        recorded = _record_and_stick(running)

        running.post("sip", "/servers/site-a/stop")
        site_a = {pid: pgid for pid, pgid in recorded.items() if pgid == by_name["site-a"]}
        assert not _left(site_a), "after stopping site-a still running: %s" % _left(site_a)
        assert not any(s["running"] for s in running.get("sip", "/servers") if s["name"] == "site-a")
    finally:
        try:
            running.down()
        finally:
            left = _left(recorded)
            for pid in left:  # never leave the workers we stopped behind, whatever failed
                os.kill(pid, signal.SIGKILL)
    assert not left, "still running after labctl down: %s" % left
