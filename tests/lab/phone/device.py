"""One emulated phone: its configuration, history, sessions, reboots and records on disk.

The configuration is kept as the values that differ from the model's factory defaults (`delta`),
so 1000 phones cost little memory and their state files stay small. Every change goes through
`set_config`, which records one history entry: a whole configuration is applied or nothing.
"""

import asyncio
import base64
import binascii
import collections
import datetime
import hashlib
import json
import logging
import os
import random
import secrets
import time

from . import cfgfile, firmware
from .keys import check_password, decrypt_secret, is_encrypted, key_table, md5_crypt, salt_for
from .profile import ProfileError

LOG = logging.getLogger("phone")


class Session:
    def __init__(self):
        self.last_seen = time.monotonic()
        self.requests = 0
        self.pages = set()  # pages fetched (GET) in this session: a POST needs its page here


class Phone:
    def __init__(self, spec, lab):
        self.spec, self.lab = spec, lab
        self.address, self.model, self.mac, self.firmware = spec["address"], spec["model"], spec["mac"], spec["firmware"]
        self.runtime_variants = {}
        self.delta, self.pending, self.history = {}, None, []
        self.sessions = {}
        self.state, self.reboot_done = "up", None
        self.reboot_countdown = 0  # >0: restart as the Nth request from now arrives (admin API, faults)
        self.full_listing = False  # variant download: modified_only_switchable, after its control said "all"
        self.boots = 0  # restarts since the lab started (after_upload: delayed_reboot restarts only once)
        self.booted = time.time()
        self.counters = collections.Counter()
        self.events = collections.deque(maxlen=50)  # what /configuration/system.log shows
        self.fetches = collections.deque(maxlen=50)  # provisioning-server fetches (phone/provisioning.py)
        self.listeners = []
        self.rng = random.Random()
        self.reseed_faults()
        self.seed = self._seed_delta()
        self.seed_id = hashlib.sha1(json.dumps([self.model, self.mac, self.firmware, self.seed],
                                               sort_keys=True).encode()).hexdigest()

    # --- configuration ---------------------------------------------------------------------------
    @property
    def variants(self):
        merged = dict(self.lab.variants)
        merged.update(self.spec["variants"])
        merged.update(self.runtime_variants)
        return merged

    @property
    def table(self):
        return key_table(self.lab.settings["parameter_db"], self.model, self.variants["without_assumed_keys"])

    @property
    def file_name(self):
        return "%s_%s.cfg" % (self.model, self.mac.replace(":", ""))

    def value(self, name):
        key = self.table.keys.get(name)
        return self.delta.get(name, key.default if key else None)

    def config(self, delta=None):
        delta = self.delta if delta is None else delta
        return {name: delta.get(name, key.default) for name, key in self.table.keys.items()}

    def _seed_delta(self):
        """Factory defaults, then the admin password of the profile, then its config overrides."""
        table = key_table(self.lab.settings["parameter_db"], self.model, False)
        # One hash per password, as a fleet provisioned from one file has (and "1234" gives the
        # database's own default hash): MD5-crypt costs a millisecond, 1000 phones a second.
        password = self.spec["admin_password"]
        delta = {} if password == "1234" else {"system/password": md5_crypt(password, salt_for(password))}
        for name, raw in self.spec["config"].items():
            key = table.keys.get(name)
            value = key.accept(raw, enum_numbers=True) if key else None
            if value is None:
                raise ProfileError("phone %s: config %s=%r is not a key/value the %s firmware accepts"
                                   % (self.address, name, raw, self.model))
            delta[name] = value
        return {k: v for k, v in delta.items() if v != table.keys[k].default}

    def set_config(self, delta, cause):
        """Make delta the whole configuration; record what changed, and why, in one entry."""
        table = self.table
        delta = {k: v for k, v in delta.items() if k in table.keys and v != table.keys[k].default}
        changed = {}
        for name in set(self.delta) | set(delta):
            old, new = self.value(name), delta.get(name, table.keys[name].default if name in table.keys else None)
            if old != new:
                changed[name] = [old, new]
        self.delta = delta
        if changed:
            self._record(cause, changed)
            if self.lab.sip is not None:
                self.lab.sip.config_changed(self)  # a line whose settings changed registers afresh
        return changed

    def _record(self, cause, changed):
        self.history.append({"time": _now(), "cause": cause, "changed": dict(sorted(changed.items()))})
        self.log_event("configuration changed (%d keys): %s" % (len(changed), cause))
        self.save()

    def reset_to_seed(self, cause="seed from the profile"):
        self.runtime_variants, self.delta, self.pending, self.history = {}, {}, None, []
        self.reboot_countdown = 0
        self.full_listing = False
        firmware.reset(self)  # the profile's version, no upgrade records
        self.sessions.clear()
        self.counters.clear()
        self.fetches.clear()
        self.reseed_faults()
        self.set_config(self.seed, cause)
        if not self.history:
            self._record(cause, {})

    def variants_changed(self):
        """A firmware variant may know fewer keys: drop what it does not know, as an upgrade would."""
        unknown = [k for k in self.delta if k not in self.table.keys]
        if unknown:
            self.set_config(self.delta, "firmware variant changed: keys unknown to it dropped")
        self.save()

    def accept(self, name, raw):
        """The value the firmware stores for name=raw, or None when it ignores it."""
        return _accept(self.table, name, raw, _enum_numbers(self.variants))

    def accept_form(self, name, raw):
        """A web form's value: enum names, whatever the file spelling (enum_download)."""
        return _accept(self.table, name, raw, self.variants["enum_numbers"])

    # --- configuration file upload -----------------------------------------------------------------
    def upload(self, text):
        """Read an uploaded file and apply it as the variants say; returns what the firmware did."""
        variants = self.variants
        new, report = self.read_upload(text)
        cause = "upload (%s, %s)" % (variants["apply"], variants["after_upload"])
        self._apply_upload(new, variants["after_upload"], cause)
        return dict(report, cause=cause, reboot=variants["after_upload"] == "reboot")

    def read_upload(self, text):
        """(new delta, {dropped, ignored, includes}) of a file as the `apply` variant reads it (upload and
        provisioning server alike), nothing applied yet."""
        variants = self.variants
        settings, includes = cfgfile.parse(text)[:2]
        for url in includes:
            self.log_event("include %s ignored: the lab never fetches it" % url)
            LOG.info("phone %s: upload has 'include %s': ignored (never fetched)", self.address, url)
        table, base_delta = self.table, self.pending if self.pending is not None else self.delta
        new = {} if variants["apply"] == "replace" else dict(base_delta)
        dropped, ignored = [], []
        for name, raw in settings.items():
            value = _accept(table, name, raw, _enum_numbers(variants))
            if name not in table.keys:
                dropped.append(name)
            elif value is None:
                ignored.append(name)
                new[name] = base_delta.get(name, table.keys[name].default)
            else:
                new[name] = value
        if dropped or ignored:
            LOG.info("phone %s: upload dropped unknown keys %s, ignored bad values of %s", self.address, dropped, ignored)
        return new, {"dropped": dropped, "ignored": ignored, "includes": includes}

    def _apply_upload(self, new, when, cause):
        """Store the new configuration; with `reboot` the caller reboots once it has answered."""
        if when in ("live", "reboot"):
            self.set_config(new, cause)
        elif when == "delayed_reboot":
            # Keeps running on the old configuration, then restarts by itself with the new one
            # (unless something else restarted it first: one restart, never two).
            self.pending = new
            self.save()
            boots = self.boots
            asyncio.get_running_loop().call_later(
                float(self.lab.timings["upload_reboot_delay_seconds"]),
                lambda: self.reboot(cause + ": restarting by itself") if self.boots == boots
                and self.state == "up" and self.pending is new else None)
        elif when == "pending_reboot":
            self.pending = new
            self.save()
        else:  # per_key: keys the database tags REBOOT wait for one, the others apply at once
            table = self.table
            live = {k: (new.get(k, key.default) if not key.needs_reboot else self.value(k))
                    for k, key in table.keys.items()}
            self.set_config(live, cause + ": keys that need no reboot")
            self.pending = new
            self.save()

    def apply_form(self, values, cause):
        """A web form stores its fields at once; an upload waiting for a reboot gets them too."""
        new = dict(self.delta)
        new.update(values)
        changed = self.set_config(new, cause)
        if self.pending is not None:
            self.pending.update(values)
        return changed

    # --- login and sessions -------------------------------------------------------------------------
    def login(self, user, psw):
        """A new session token for user/base64(password), or None."""
        try:
            password = base64.b64decode(psw, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        if not self.credentials_ok(user, password):
            return None
        for stale in [t for t in self.sessions if self.session_expired(self.sessions[t])]:
            del self.sessions[stale]  # clients that never log out must not fill the memory
        token = secrets.token_hex(16)
        self.sessions[token] = Session()
        return token

    def credentials_ok(self, user, password):
        return user == self.value("system/user_name") and check_password(password, self.value("system/password"))

    def session(self, token):
        """The live session of token (counting this request), or None when absent or expired."""
        found = self.sessions.get(token)
        if found is None:
            return None
        if self.session_expired(found):
            del self.sessions[token]
            return None
        found.requests += 1
        found.last_seen = time.monotonic()
        return found

    def session_expired(self, session):
        """Idle longer than the timeout (the profile's, else system/web_session_timeout), or used N times."""
        timings = self.lab.timings
        timeout = timings["session_timeout"] or int(self.value("system/web_session_timeout") or 600)
        every = timings["expire_session_every"]
        return time.monotonic() - session.last_seen > timeout or bool(every and session.requests >= every)

    def basic_session(self, header):
        """Basic-auth firmware: the credentials are the session (it never expires)."""
        try:
            user, password = base64.b64decode(header.split(" ", 1)[1]).decode("utf-8").split(":", 1)
        except (IndexError, binascii.Error, ValueError):
            return None
        if not self.credentials_ok(user, password):
            return None
        return self.sessions.setdefault("basic " + header, Session())

    # --- reboots -------------------------------------------------------------------------------------
    def reboot(self, cause):
        """Drop off the network for the reboot time; a pending configuration is applied first."""
        if self.state == "rebooting":
            return
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.set_config(pending, "reboot (%s): configuration waiting for a reboot applied" % cause)
        self.counters["restarts"] += 1
        self.boots += 1
        self.log_event("reboot: " + cause)
        LOG.info("phone %s: reboot (%s)", self.address, cause)
        self.sessions.clear()
        self.state = "rebooting"
        seconds = float(self.lab.timings["reboot_seconds"])
        self.reboot_done = time.monotonic() + seconds
        self.lab.take_down(self, seconds)

    def uptime(self):
        return time.time() - self.booted

    def came_up(self):
        self.state, self.reboot_done = "up", None
        self.booted = time.time()

    def factory_reset(self):
        self.pending = None
        self.set_config({}, "factory reset (reset.htm CONFIG=2)")
        self.reboot("factory reset")

    # --- faults ----------------------------------------------------------------------------------------
    def reseed_faults(self):
        seed = "%s/%s" % (self.lab.faults.get("seed", 0), self.address)
        self.rng.seed(seed)

    def fault_rates(self):
        rates = {k: v for k, v in self.lab.faults.items() if k.endswith("_rate")}
        rates.update(self.lab.faults.get("per_phone", {}).get(self.address, {}))
        return rates

    # --- records ---------------------------------------------------------------------------------------
    def log_event(self, text):
        self.events.append("%s %s" % (_now(), text))

    def state_path(self):
        return os.path.join(self.lab.state_dir, "phones", self.address + ".json")

    def save(self):
        record = {"seed_id": self.seed_id, "delta": self.delta, "pending": self.pending, "history": self.history,
                  "runtime_variants": self.runtime_variants, "firmware": self.firmware}
        path = self.state_path()
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(tmp, path)

    def restore(self):
        """Take up the records of an earlier run of the same seed; otherwise start from the seed."""
        try:
            with open(self.state_path(), encoding="utf-8") as handle:
                record = json.load(handle)
        except (OSError, ValueError):
            record = None
        if not record or record.get("seed_id") != self.seed_id:
            self.reset_to_seed()
            return
        self.runtime_variants = record.get("runtime_variants") or {}
        self.firmware = record.get("firmware") or self.firmware  # an upgrade survives a lab restart
        self.delta, self.pending, self.history = record["delta"], record.get("pending"), record["history"]

    def history_with_configs(self):
        """Every entry with the whole configuration it left behind (replayed from the factory)."""
        table = self.table
        config = table.defaults()
        entries = []
        for entry in self.history:
            for name, old_new in entry["changed"].items():
                config[name] = old_new[1]
            entries.append(dict(entry, config={k: v for k, v in config.items() if v is not None and k in table.keys}))
        return entries


def _enum_numbers(variants):
    """How enums are accepted: "only" codes (enum_download: numbers), codes too, or names only."""
    if variants["enum_download"] == "numbers":
        return "only"
    return variants["enum_numbers"]


def _accept(table, name, raw, enum_numbers):
    key = table.keys.get(name)
    if key is None:
        return None
    if is_encrypted(raw):  # {"..."}: the firmware decrypts it, or ignores it when it cannot
        raw = decrypt_secret(raw)
        if raw is None:
            return None
    return key.accept(raw, enum_numbers)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
