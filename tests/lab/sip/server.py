"""One kamailio instance of the lab: its files, its process (foreground, ours by PID), its control FIFO.

Files live in `<state-dir>/sip/<name>/`: kamailio.cfg, tls.cfg, db/dn (the registrar's DN table
at start), kamailio.pid, kamailio.log (its stderr), rpc.fifo (JSON-RPC control) and the reply
FIFOs of calls in flight. The process runs with `-DD -E` (no daemon, log to stderr) in a session of
its own, so its workers form a process group whose id is the PID we recorded; `setpriv
--pdeathsig TERM` makes it stop when the lab process dies without a chance to stop it (and its
`exit_timeout=3` makes it SIGKILL, in that case, the workers that do not end on SIGTERM). A stop
SIGTERMs the master, waits (bounded), then SIGKILLs whatever is left of its group (procs.py).
"""

import itertools
import json
import os
import select
import shutil
import socket
import subprocess
import threading
import time
import uuid

from labcommon import certs

from . import kamcfg
from .procs import stop_groups

START_TIMEOUT = 20.0
RPC_TIMEOUT = 10.0


class ServerError(Exception):
    pass


class Kamailio:
    def __init__(self, server, state_dir, settings, registrar=None):
        self.server, self.settings, self.registrar = server, settings, registrar
        self.name, self.role = server["name"], server["role"]
        base = os.path.join(state_dir, "sip", self.name)
        self.paths = {"dir": base, "cfg": os.path.join(base, "kamailio.cfg"), "tls_cfg": os.path.join(base, "tls.cfg"),
                      "pid": os.path.join(base, "kamailio.pid"), "log": os.path.join(base, "kamailio.log"),
                      "fifo": os.path.join(base, "rpc.fifo"), "db_dir": os.path.join(base, "db")}
        self.proc = None
        self.started_at = self.stopped_at = None
        self.starts = 0
        self.unexpected_exits = []  # exit statuses of processes that died without being asked
        self.rpc_lock = threading.Lock()
        self.calls = itertools.count(1)

    # --- files ----------------------------------------------------------------------------------
    def prepare(self, names):
        """Write the configuration, and a certificate of the lab CA for its address and names."""
        os.makedirs(self.paths["db_dir"], exist_ok=True)
        address = self.server["address"]
        dns = sorted(name for name, addresses in names.items() if address in addresses)
        cert, key = certs.ensure_leaf(self.settings["cert_dir"], "sip-" + self.name, ips=[address], dns=dns)
        _write(self.paths["tls_cfg"], kamcfg.tls_cfg(cert, key))
        _write(self.paths["cfg"], kamcfg.kamailio_cfg(self.server, self.paths, self.settings["log_level"],
                                                      uuid.uuid4().hex, self.registrar))
        if self.role == "registrar" and not os.path.exists(os.path.join(self.paths["db_dir"], "dn")):
            self.write_dn_table({})

    def write_dn_table(self, entries):
        _write(os.path.join(self.paths["db_dir"], "dn"), kamcfg.dn_table(entries), mode=0o600)

    # --- process ----------------------------------------------------------------------------------
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def pid(self):
        return self.proc.pid if self.running() else None

    def start(self, probe_host):
        """Start kamailio and wait until it answers its control FIFO and an OPTIONS over UDP."""
        if self.running():
            return
        for stale in (self.paths["fifo"], self.paths["pid"]):
            if os.path.exists(stale):
                os.unlink(stale)
        command = [self.settings["kamailio"], "-DD", "-E", "-S", "-f", self.paths["cfg"], "-P", self.paths["pid"],
                   "-Y", self.paths["dir"], "-w", self.paths["dir"], "-m", str(self.settings["memory_mb"]), "-M", "8"]
        setpriv = shutil.which("setpriv")
        if setpriv:  # the kernel stops it if this process dies without a word (kill -9)
            command = [setpriv, "--pdeathsig", "TERM"] + command
        with open(self.paths["log"], "ab") as log:
            self.proc = subprocess.Popen(command, cwd=self.paths["dir"], stdin=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1
        self.started_at, self.stopped_at = time.time(), None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                status = self.proc.returncode
                self.stop()  # any worker it forked before it ended
                raise ServerError("sip %s: kamailio exited with status %s at start; its log ends:\n%s"
                                  % (self.name, status, self.log_tail()))
            if os.path.exists(self.paths["fifo"]) and self._answers(probe_host):
                return
            time.sleep(0.05)
        self.stop()
        raise ServerError("sip %s: kamailio did not answer within %d s; its log ends:\n%s"
                          % (self.name, START_TIMEOUT, self.log_tail()))

    def _answers(self, probe_host):
        try:
            self.rpc("core.uptime", timeout=1.0)
        except ServerError:
            return False
        return options_ping(probe_host, self.server["address"], self.server["udp_port"])

    def stop(self):
        stop_all([self])

    def reap(self):
        """Notice a kamailio that died on its own (logged, shown by the admin API)."""
        if self.proc is not None and self.proc.poll() is not None:
            self.unexpected_exits.append({"status": self.proc.returncode, "time": time.time()})
            self.stop()  # its workers, if any survived it
            return True
        return False

    def log_tail(self, lines=15):
        try:
            with open(self.paths["log"], encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return "(no log)"

    # --- control --------------------------------------------------------------------------------------
    def rpc(self, method, *params, timeout=RPC_TIMEOUT):
        """One JSON-RPC call over the control FIFO; returns `result` or raises ServerError."""
        if not self.running():
            raise ServerError("sip %s: kamailio is not running" % self.name)
        with self.rpc_lock:
            reply_name = "reply_%d_%d" % (os.getpid(), next(self.calls))  # jsonrpcs forbids dots and slashes
            reply_path = os.path.join(self.paths["dir"], reply_name)
            os.mkfifo(reply_path, 0o600)
            try:
                return self._call(method, params, reply_name, reply_path, timeout)
            finally:
                os.unlink(reply_path)

    def _call(self, method, params, reply_name, reply_path, timeout):
        reader = os.open(reply_path, os.O_RDONLY | os.O_NONBLOCK)  # open before asking: kamailio will not wait
        try:
            request = json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params),
                                  "reply_name": reply_name, "id": 1}) + "\n"
            try:
                writer = os.open(self.paths["fifo"], os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                raise ServerError("sip %s: control FIFO not open (%s)" % (self.name, error)) from error
            try:
                os.write(writer, request.encode("utf-8"))
            finally:
                os.close(writer)
            chunks, writer_seen = [], False
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if not select.select([reader], [], [], 0.05)[0]:
                    continue
                data = os.read(reader, 65536)
                if data:
                    chunks.append(data)
                    writer_seen = True
                elif writer_seen:
                    break
                else:
                    time.sleep(0.002)  # kamailio has not opened its end yet
            else:
                raise ServerError("sip %s: no answer to %s within %.0f s" % (self.name, method, timeout))
        finally:
            os.close(reader)
        try:
            answer = json.loads(b"".join(chunks))
        except ValueError as error:
            raise ServerError("sip %s: bad answer to %s: %s" % (self.name, method, error)) from error
        if "error" in answer:
            raise ServerError("sip %s: %s failed: %s" % (self.name, method, answer["error"]))
        return answer.get("result")

    def stats(self):
        """kamailio's own statistics, `group:name` -> number."""
        found = {}
        for item in self.rpc("stats.get_statistics", "all") or []:
            name, _equals, value = str(item).partition(" = ")
            try:
                found[name.strip()] = int(value)
            except ValueError:
                continue
        return found


def stop_all(servers):
    """Stop kamailios together (one bounded wait for all of them), each with every worker of its group."""
    running = [kamailio for kamailio in servers if kamailio.proc is not None]
    if running:
        stop_groups([kamailio.proc for kamailio in running])
    for kamailio in running:
        kamailio.proc = None
        kamailio.stopped_at = time.time()


def options_ping(local_host, host, port, timeout=0.5):
    """Whether an OPTIONS over UDP gets an answer (any final status) from host:port."""
    tag = uuid.uuid4().hex[:12]
    local = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        local.bind((local_host, 0))
        local.settimeout(timeout)
        lport = local.getsockname()[1]
        message = ("OPTIONS sip:%s:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s;rport\r\n"
                   "Max-Forwards: 70\r\nFrom: <sip:lab@%s>;tag=%s\r\nTo: <sip:%s:%d>\r\nCall-ID: %s@lab\r\n"
                   "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
                   % (host, port, local_host, lport, tag, local_host, tag, host, port, tag))
        local.sendto(message.encode("ascii"), (host, port))
        data = local.recv(65536)
        return data.startswith(b"SIP/2.0 ")
    except OSError:
        return False
    finally:
        local.close()


def _write(path, text, mode=0o644):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
