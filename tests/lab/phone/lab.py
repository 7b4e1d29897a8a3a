"""All the phones of a profile in one process and one event loop: listeners, reboots, records."""

import asyncio
import copy
import functools
import json
import logging
import os
import resource
import signal
import ssl
import time

from labcommon import certs

from . import admin, firmware, provisioning, web
from .device import Phone
from .httpserver import Listener
from .profile import TIMINGS, check_faults, default_variants
from .sip import SipStack

LOG = logging.getLogger("phone")


class Lab:
    def __init__(self, settings, state_dir):
        self.settings, self.state_dir = settings, state_dir
        self.variants = dict(default_variants(), **settings["variants"])
        self.faults = copy.deepcopy(settings["faults"])
        self.timings = dict(settings["timings"])
        self.phones = {}
        self.timers = {}  # address -> the pending "reboot is over" timer
        self.tls = {}  # address -> SSLContext with the phone's own certificate
        self.admin_listener = None
        self.stop_event = asyncio.Event()
        self.sip = None  # real SIP registration, when the profile enables it (phone/sip.py)

    # --- start and stop ----------------------------------------------------------------------------------
    async def start(self):
        started = time.monotonic()
        if os.path.exists(self.ready_path()):
            os.unlink(self.ready_path())  # a stale one would tell labctl we are up already
        os.makedirs(os.path.join(self.state_dir, "phones"), exist_ok=True)
        ca_cert = certs.ensure_ca(self.settings["cert_dir"])[0]
        if self.settings["sip"]["enabled"]:
            self.sip = SipStack(self, self.settings["sip"], self.settings["names"], ca_cert)
        for spec in self.settings["phones"]:
            phone = Phone(spec, self)
            phone.restore()
            self.phones[phone.address] = phone
            self.tls[phone.address] = self._tls_context(phone)
        await asyncio.gather(*(self.bring_up(phone) for phone in self.phones.values()))
        host, port = self.settings["admin"]
        self.admin_listener = Listener(host, port, admin.Admin(self).handle)
        await self.admin_listener.start()
        if self.sip is not None:
            self.sip.start()  # registrations are staggered: the ready file does not wait for them
        seconds = time.monotonic() - started
        self._write_ready(ca_cert, seconds)
        LOG.info("%d phones up on ports %d/%d in %.1f s; admin on http://%s:%d", len(self.phones),
                 self.settings["http_port"], self.settings["https_port"], seconds, host, port)

    def _tls_context(self, phone):
        cert, key = certs.ensure_leaf(self.settings["cert_dir"], "phone-" + phone.address, ips=[phone.address])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        return context

    def _write_ready(self, ca_cert, seconds):
        info = {"pid": os.getpid(), "admin": "http://%s:%d" % self.settings["admin"], "phones": len(self.phones),
                "http_port": self.settings["http_port"], "https_port": self.settings["https_port"],
                "ca": ca_cert, "startup_seconds": round(seconds, 3), "sip": self.sip is not None}
        path = self.ready_path()
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(info, handle)
        os.replace(path + ".tmp", path)

    def ready_path(self):
        return os.path.join(self.state_dir, "phone.ready")

    async def run(self):
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stop_event.set)
        await self.start()
        await self.stop_event.wait()
        self.shutdown()

    def shutdown(self):
        for timer in self.timers.values():
            timer.cancel()
        if self.sip is not None:
            self.sip.shutdown()
        for phone in self.phones.values():
            for listener in phone.listeners:
                listener.stop()
        if self.admin_listener is not None:
            self.admin_listener.stop()
        if os.path.exists(self.ready_path()):
            os.unlink(self.ready_path())
        LOG.info("stopped")

    # --- phones on and off the network ----------------------------------------------------------------
    async def bring_up(self, phone):
        handler = functools.partial(web.handle, phone)
        phone.listeners = [Listener(phone.address, self.settings["http_port"], handler),
                           Listener(phone.address, self.settings["https_port"], handler, self.tls[phone.address])]
        for listener in phone.listeners:
            await listener.start()

    def take_down(self, phone, seconds):
        """Refuse connections on both ports (listeners closed, connections aborted) for seconds."""
        for listener in phone.listeners:
            listener.stop()
        phone.listeners = []
        if self.sip is not None:
            self.sip.phone_down(phone)
        self.timers[phone.address] = asyncio.get_running_loop().call_later(
            seconds, lambda: asyncio.ensure_future(self._come_back(phone)))

    async def _come_back(self, phone):
        self.timers.pop(phone.address, None)
        if await firmware.on_boot(phone) or phone.state != "rebooting":
            return  # flashing an image from the provisioning URL (still down), or a reset brought it up
        await provisioning.at_boot(phone)  # <mac>.cfg from the provisioning server (STATIC method only)
        if phone.state != "rebooting":
            return  # a reset brought it up during the fetch
        await self.bring_up(phone)
        phone.came_up()
        if self.sip is not None:
            self.sip.phone_up(phone)
        LOG.info("phone %s: back up", phone.address)

    async def reset(self):
        """Every phone back to its seed: configuration, history, variants, sessions, counters, faults, timings."""
        self.faults = copy.deepcopy(self.settings["faults"])
        self.timings = dict(self.settings["timings"])
        for address, timer in list(self.timers.items()):
            timer.cancel()
            del self.timers[address]
        for phone in self.phones.values():
            was_down = phone.state == "rebooting"
            phone.reset_to_seed()
            if was_down:
                await self.bring_up(phone)
                phone.came_up()
        if self.sip is not None:
            self.sip.reset()

    def set_faults(self, changes):
        """PUT /faults: the given settings replace the current ones; per_phone {addr: null} removes."""
        merged = {k: v for k, v in self.faults.items() if k != "per_phone"}
        per_phone = dict(self.faults.get("per_phone", {}))
        for address, rates in (changes.pop("per_phone", None) or {}).items():
            if rates is None:
                per_phone.pop(address, None)
            else:
                per_phone[address] = dict(per_phone.get(address, {}), **rates)
        merged.update(changes)
        merged["per_phone"] = per_phone
        self.faults = check_faults(merged)
        for phone in self.phones.values():
            phone.reseed_faults()

    def set_timings(self, changes):
        unknown = set(changes) - set(TIMINGS)
        if unknown:
            raise ValueError("unknown timing(s) %s (known: %s)" % (sorted(unknown), sorted(TIMINGS)))
        self.timings.update(changes)

    def cpu_seconds(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {"user": round(usage.ru_utime, 3), "system": round(usage.ru_stime, 3),
                "total": round(usage.ru_utime + usage.ru_stime, 3)}


def raise_file_limit():
    """1000 phones listen on 2000 sockets: take all the descriptors the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def quiet_exceptions(loop, context):
    """Clients that drop TLS handshakes or connections are normal here; anything else is logged."""
    error = context.get("exception")
    if isinstance(error, (ssl.SSLError, ConnectionError, OSError)):
        return
    loop.default_exception_handler(context)
