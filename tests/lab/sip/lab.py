"""Every SIP server of a profile: start, stop, keep the registrars' DN tables in step with the lab GAX.

Threads: the main thread starts and stops kamailio processes (all of them: the kernel's parent
death signal follows the thread that forked, so no short-lived thread may fork one); a sync
thread follows the GAX database and pushes DN changes to the running registrars; the admin
listener serves requests in threads of its own and hands process work to the main thread.
"""

import collections
import concurrent.futures
import json
import logging
import os
import queue
import threading
import time

from .directory import Directory, wait_for_gax
from .server import Kamailio, ServerError, stop_all

LOG = logging.getLogger("sip")
GAX_WAIT = 90.0


class SipLab:
    def __init__(self, settings, state_dir):
        self.settings, self.state_dir = settings, state_dir
        registrars = {s["name"]: s for s in settings["servers"] if s["role"] == "registrar"}
        self.servers = {s["name"]: Kamailio(s, state_dir, settings, registrars.get(s.get("registrar")))
                        for s in settings["servers"]}
        self.lock = threading.RLock()  # the tables below, and the servers' running state
        self.tables = {}  # switch name -> {number: entry}, as last read from the GAX database
        self.pushed = {}  # registrar name -> the table its kamailio holds
        self.missing_switches = []
        self.counters = collections.Counter()
        self.directory = None
        self.stop_event = threading.Event()
        self.work = queue.Queue()  # (function, args, future) for the main thread
        self.main_thread = threading.current_thread()
        self.sync_thread = None

    # --- start and stop -------------------------------------------------------------------------------
    def start(self):
        started = time.monotonic()
        db_path = wait_for_gax(self.state_dir, self.settings["gax_instance"], GAX_WAIT, self.stop_event)
        self.directory = Directory(db_path)
        self.directory.changed()
        self._read_tables()
        for kamailio in self.servers.values():
            kamailio.prepare(self.settings["names"])
        for kamailio in self.servers.values():
            self._start_server(kamailio)
        self.sync_thread = threading.Thread(target=self._sync_loop, name="sip-sync", daemon=True)
        self.sync_thread.start()
        LOG.info("%d SIP servers up in %.1f s (DNs from %s)", len(self.servers), time.monotonic() - started, db_path)

    def serve_main(self):
        """The main thread's loop: process work for other threads until asked to stop."""
        while not self.stop_event.is_set():
            try:
                function, args, future = self.work.get(timeout=0.2)
            except queue.Empty:
                self._reap()
                continue
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function(*args))
                except Exception as error:  # pylint: disable=broad-except  # handed to the caller's thread
                    future.set_exception(error)

    def on_main(self, function, *args, timeout=60):
        """Run function on the main thread (process starts and stops) and return its result."""
        if threading.current_thread() is self.main_thread:
            return function(*args)
        future = concurrent.futures.Future()
        self.work.put((function, args, future))
        return future.result(timeout)

    def shutdown(self):
        self.stop_event.set()
        stop_all(self.servers.values())  # first, and together: labctl SIGKILLs this process after 10 s
        if self.sync_thread is not None:
            self.sync_thread.join(5)
        if self.directory is not None:
            self.directory.close()

    def _reap(self):
        for kamailio in self.servers.values():
            if kamailio.reap():
                LOG.error("sip %s: kamailio died (status %s); its log ends:\n%s", kamailio.name,
                          kamailio.unexpected_exits[-1]["status"], kamailio.log_tail())

    # --- servers at run time ----------------------------------------------------------------------------
    def start_server(self, name):
        return self.on_main(self._start_server, self.servers[name])

    def stop_server(self, name):
        return self.on_main(self._stop_server, self.servers[name])

    def _start_server(self, kamailio):
        with self.lock:
            if kamailio.running():
                return False
            if kamailio.role == "registrar":
                table = dict(self.tables.get(kamailio.server["switch"], {}))
                kamailio.write_dn_table(table)  # loaded before the first packet is read
                self.pushed[kamailio.name] = table
        kamailio.start(self.settings["admin"][0])
        LOG.info("sip %s: %s up on %s (udp/tcp %d, tls %d), pid %d", kamailio.name, kamailio.role,
                 kamailio.server["address"], kamailio.server["udp_port"], kamailio.server["tls_port"], kamailio.pid())
        self.counters["starts"] += 1
        return True

    def _stop_server(self, kamailio):
        if not kamailio.running():
            return False
        kamailio.stop()
        with self.lock:
            self.pushed.pop(kamailio.name, None)
        LOG.info("sip %s: stopped", kamailio.name)
        self.counters["stops"] += 1
        return True

    def stopped(self):
        return sorted(name for name, kamailio in self.servers.items() if not kamailio.running())

    # --- DN tables ------------------------------------------------------------------------------------
    def _read_tables(self):
        switches = sorted({s["switch"] for s in self.settings["servers"] if s["role"] == "registrar"})
        tables, missing = self.directory.tables(switches)
        with self.lock:
            self.tables, self.missing_switches = tables, missing
        if missing:
            LOG.warning("sip: switch(es) %s are not in the lab GAX: their registrars refuse everyone", missing)

    def _sync_loop(self):
        while not self.stop_event.wait(self.settings["sync_interval"]):
            try:
                self.sync()
            except Exception:  # pylint: disable=broad-except  # the loop must outlive a bad moment
                LOG.exception("sip: DN sync failed; trying again")

    def sync(self, force=False):
        """Read the GAX database if it changed, and push each registrar's differences."""
        with self.lock:  # the sync thread and an admin reset may both ask
            if self.directory.changed() or force:
                self._read_tables()
                self.counters["gax_reads"] += 1
            for name, kamailio in self.servers.items():
                if kamailio.role != "registrar" or not kamailio.running() or name not in self.pushed:
                    continue
                want = self.tables.get(kamailio.server["switch"], {})
                self._push(kamailio, self.pushed[name], want)

    def _push(self, kamailio, have, want):
        for number in sorted(set(have) - set(want)):
            self._rpc_update(kamailio, have, "htable.delete", number)
        for number in sorted(want):
            if have.get(number) != want[number]:
                self._rpc_update(kamailio, have, "htable.sets", number, want[number])

    def _rpc_update(self, kamailio, have, method, number, value=None):
        try:
            if value is None:
                kamailio.rpc(method, "dn", number)
                have.pop(number, None)
            else:
                kamailio.rpc(method, "dn", number, value)
                have[number] = value
            self.counters["dn_updates"] += 1
        except ServerError as error:
            LOG.warning("%s", error)  # it stopped meanwhile: a start loads the whole table again

    def dn_view(self, name):
        """What a registrar holds: number -> {challenge: bool} (passwords stay in the lab GAX)."""
        with self.lock:
            table = self.pushed.get(name, {})
            return {number: {"challenge": value.startswith("auth:")} for number, value in sorted(table.items())}

    # --- location tables ------------------------------------------------------------------------------
    def location(self, name):
        """The registrar's own location table: one entry per live contact."""
        kamailio = self.servers[name]
        dump = kamailio.rpc("ul.dump")
        entries = []
        for domain in (dump or {}).get("Domains", []):
            for aor in domain.get("Domain", {}).get("AoRs", []):
                info = aor.get("Info", {})
                for item in info.get("Contacts", []):
                    contact = item.get("Contact", item)
                    entry = location_entry(info.get("AoR"), contact)
                    if entry["expires"] > 0:
                        entries.append(entry)
        return sorted(entries, key=lambda e: (e["aor"], e["contact"]))

    # --- counters and state -------------------------------------------------------------------------------
    def server_info(self, name):
        kamailio = self.servers[name]
        server = kamailio.server
        info = {"name": name, "role": kamailio.role, "address": server["address"], "udp_port": server["udp_port"],
                "tcp_port": server["udp_port"], "tls_port": server["tls_port"], "running": kamailio.running(),
                "pid": kamailio.pid(), "starts": kamailio.starts, "unexpected_exits": kamailio.unexpected_exits,
                "started_at": kamailio.started_at, "stopped_at": kamailio.stopped_at,
                "names": sorted(n for n, a in self.settings["names"].items() if server["address"] in a),
                "files": dict(kamailio.paths)}
        if kamailio.role == "registrar":
            info.update(switch=server["switch"], realm=server["realm"], dns=len(self.pushed.get(name, {})))
        else:
            info["registrar"] = server["registrar"]
        return info

    def server_counters(self, name):
        kamailio = self.servers[name]
        if not kamailio.running():
            return {"running": False}
        try:
            stats = kamailio.stats()
        except ServerError as error:
            return {"running": True, "error": str(error)}
        picked = {key.split(":", 1)[1]: value for key, value in stats.items()
                  if key.split(":", 1)[-1].startswith("lab_")}
        for key, label in (("core:rcv_requests", "requests"), ("registrar:accepted_regs", "accepted_registrations"),
                           ("registrar:rejected_regs", "rejected_registrations"), ("usrloc:registered_users", "registered_users"),
                           ("sl:sent_replies", "stateless_replies"), ("tmx:2xx_transactions", "relayed_2xx"),
                           ("tcp:current_opened_connections", "open_tcp_connections")):
            if key in stats:
                picked[label] = stats[key]
        return dict(picked, running=True)

    def reset_counters(self):
        self.counters.clear()
        for kamailio in self.servers.values():
            if kamailio.running():
                try:
                    kamailio.rpc("stats.reset_statistics", "all")
                except ServerError as error:
                    LOG.warning("%s", error)


def location_entry(aor, contact):
    """One contact of `ul.dump`, with the transport the phone used (from the Path a proxy added)."""
    socket_text = contact.get("Socket") or ""
    path = contact.get("Path") or ""
    transport = socket_text.split(":", 1)[0] if socket_text else ""
    via_proxy = None
    if path and path != "[not set]":
        via_proxy = path.split("sip:", 1)[-1].split(";", 1)[0].split(">", 1)[0]
        lowered = path.lower()
        for name in ("tls", "tcp", "udp"):
            if "transport%3d" + name in lowered or "transport=" + name in lowered:
                transport = name
                break
        else:
            transport = "udp"
    received = contact.get("Received") or ""
    expires = contact.get("Expires")
    return {"aor": aor, "contact": contact.get("Address"), "transport": transport,
            "expires": int(expires) if str(expires).lstrip("-").isdigit() else 0,
            "received": "" if received == "[not set]" else received, "socket": socket_text,
            "via_proxy": via_proxy, "path": "" if path == "[not set]" else path,
            "user_agent": contact.get("User-Agent"), "call_id": contact.get("Call-ID"), "cseq": contact.get("CSeq"),
            "last_modified": contact.get("Last-Modified")}


def write_ready(state_dir, settings, lab):
    info = {"pid": os.getpid(), "admin": "http://%s:%d" % settings["admin"], "names": settings["names"],
            "servers": {name: {k: v for k, v in lab.server_info(name).items() if k != "files"}
                        for name in lab.servers}}
    path = os.path.join(state_dir, "sip.ready")
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    os.replace(path + ".tmp", path)
    return path
