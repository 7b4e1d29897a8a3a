"""Firmware of an emulated phone: images, the manual upgrade page, the provisioning firmware URL.

What the reference gives (audiocodes-phone-research.md): `Manu_Firmware_Upgrade.htm` POST
`UPGRADESHOW=1` arms the manual upload, then `POST /upload.cgi` multipart `localupgrade=20` with
the file in `upname`; `provisioning/firmware/url` names where the phone fetches its image
(`<model>.img` in a directory URL, as the sipXecs plugin expects). Everything else is the lab's
guess, kept plausible and awkward:

- An image is `<model>_<version>.img`; its header (assumed format, README "Firmware") carries
  magic, model, version, payload size and SHA-256. The phone checks the header, never the name:
  another model, a bad magic or a payload that does not match is refused with an error page.
- After an accepted upload the phone answers, verifies the image for `firmware_verify_seconds`
  (still serving pages), then goes off the network for `flash_seconds` plus a reboot
  (`reboot_seconds`) and comes back on the new version; with the fault `flash_fail_rate` the
  flash fails part-way and it comes back on the OLD version (dual bank: the old one stays).
- On every boot, before its web server listens (and before the configuration file is fetched),
  a phone with provisioning method Static and a firmware URL fetches the image; another version
  for its model is flashed the same way (it stays down); its own version, another model, a bad
  image or a failed fetch leave it booting on what it runs. A failed flash is not retried on the
  boot that follows it (the next provisioning round does).

Run `python -m phone.firmware --model 440HD --version 2.2.16.600 --out DIR` (cwd tests/lab) to
write an image; the admin API hands them out too (`GET /firmware/image?model=..&version=..`).
"""

import argparse
import asyncio
import base64
import datetime
import hashlib
import html
import ipaddress
import logging
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit

from .httpserver import Response

LOG = logging.getLogger("phone")

MAGIC = b"AUDC-IPP-FW/1"
HEADER_LIMIT = 4096
DEFAULT_IMAGE_SIZE = 65536
VERSION_RE = re.compile(r"^\d+(\.\d+){2,4}$")
PAGE = "manu_firmware_upgrade.htm"
UPLOAD_CODE = "20"  # localupgrade=20: a firmware image (research); 21 is the lab's configuration upload
FETCH_TIMEOUT = 10


# --- images --------------------------------------------------------------------------------------------

def image_name(model, version):
    return "%s_%s.img" % (model, version)


def make_image(model, version, size=DEFAULT_IMAGE_SIZE):
    """A deterministic image: header lines, a blank line, then `size` bytes of payload."""
    if not VERSION_RE.match(str(version)):
        raise ValueError("version %r is not dotted numbers like 2.2.16.600" % (version,))
    size = int(size)
    if not 0 < size <= 8 * 1024 * 1024:
        raise ValueError("size must be between 1 byte and 8 MiB")
    chunks, block = [], hashlib.sha256(("%s/%s" % (model, version)).encode()).digest()
    while sum(len(c) for c in chunks) < size:
        block = hashlib.sha256(block).digest()
        chunks.append(block)
    payload = b"".join(chunks)[:size]
    header = b"\n".join([MAGIC, b"model=" + str(model).encode(), b"version=" + str(version).encode(),
                         b"payload-size=%d" % size, b"payload-sha256=" + hashlib.sha256(payload).hexdigest().encode()])
    return header + b"\n\n" + payload


def read_image(data):
    """(header dict, None) for a sound image, or (header or {}, reason) for one the phone refuses."""
    head, sep, payload = data.partition(b"\n\n")
    if not sep or len(head) > HEADER_LIMIT or not head.startswith(MAGIC + b"\n"):
        return {}, "not a firmware image for this phone"
    header = {}
    for line in head.split(b"\n")[1:]:
        name, eq, value = line.decode("latin-1").partition("=")
        if eq:
            header[name.strip()] = value.strip()
    if not VERSION_RE.match(header.get("version", "")) or not header.get("model"):
        return header, "image header without model or version"
    if str(len(payload)) != header.get("payload-size") or hashlib.sha256(payload).hexdigest() != header.get("payload-sha256"):
        return header, "image corrupt (size or checksum)"
    return header, None


# --- per phone state -----------------------------------------------------------------------------------

class State:
    """What the phone's firmware subsystem remembers: the flash in progress and every attempt."""

    def __init__(self):
        self.stage = "idle"        # idle, verifying, flashing
        self.flash = None          # the attempt in progress
        self.upgrades = []         # every attempt: time, method, image, from, to, result, reason
        self.skip_next_fetch = False


def state(phone):
    found = getattr(phone, "firmware_state", None)
    if found is None:
        found = phone.firmware_state = State()
    return found


def reset(phone):
    """Back to the seed (POST /reset): the profile's version, no records."""
    phone.firmware = phone.spec["firmware"]
    phone.firmware_state = State()


def view(phone):
    st = state(phone)
    return {"address": phone.address, "model": phone.model, "running": phone.firmware, "seed": phone.spec["firmware"],
            "stage": st.stage, "in_progress": dict(st.flash) if st.flash else None, "upgrades": list(st.upgrades)}


def _record(phone, method, name, header, result, reason=None):
    entry = {"time": _now(), "method": method, "image": name, "image_model": header.get("model"),
             "image_version": header.get("version"), "from": phone.firmware, "to": None, "result": result,
             "reason": reason}
    state(phone).upgrades.append(entry)
    return entry


def _refusal(phone, header, problem):
    """Why the phone refuses an image (None: it takes it)."""
    if problem:
        return problem
    if header["model"] != phone.model:
        return "image is for the %s, this phone is a %s" % (header["model"], phone.model)
    return None


# --- flashing ------------------------------------------------------------------------------------------

def start_flash(phone, entry):
    """Verify (still up), then off the network for flash + reboot; the outcome shows at boot."""
    st = state(phone)
    st.stage, st.flash = "verifying", entry
    rates = phone.fault_rates()
    entry["fails"] = bool(rates.get("flash_fail_rate")) and phone.rng.random() < rates["flash_fail_rate"]
    timings = phone.lab.timings
    verify = float(timings.get("firmware_verify_seconds", 2.0))
    loop = asyncio.get_running_loop()
    phone.lab.timers[phone.address] = loop.call_later(verify, _go_down, phone)


def _go_down(phone):
    st, lab = state(phone), phone.lab
    if phone.state != "up" or st.flash is None:  # it restarted (or was reset) while checking: image dropped
        if st.flash is not None:
            st.flash.pop("fails", None)
            st.flash.update(result="failed", reason="restarted before flashing", to=phone.firmware)
            phone.counters["firmware_failed"] += 1
        st.stage, st.flash = "idle", None
        return
    lab.timers.pop(phone.address, None)
    st.stage = "flashing"
    seconds = float(lab.timings.get("flash_seconds", 120.0)) + float(lab.timings["reboot_seconds"])
    phone.counters["restarts"] += 1
    phone.log_event("firmware upgrade: flashing %s" % st.flash["image"])
    LOG.info("phone %s: flashing %s (%.1f s)", phone.address, st.flash["image"], seconds)
    phone.sessions.clear()
    phone.state = "rebooting"
    phone.reboot_done = time.monotonic() + seconds
    lab.take_down(phone, seconds)


def _finish_flash(phone):
    """At boot: the flash in progress ends, on the new version or, when it failed, the old one."""
    st = state(phone)
    entry, st.flash, st.stage = st.flash, None, "idle"
    if entry.pop("fails", False):
        entry.update(result="failed", reason="flash failed part-way; restarted on the old version", to=phone.firmware)
        phone.counters["firmware_failed"] += 1
        phone.log_event("firmware upgrade to %s FAILED; running %s" % (entry["image_version"], phone.firmware))
        LOG.info("phone %s: flash of %s failed, back on %s", phone.address, entry["image"], phone.firmware)
        if entry["method"] == "provisioning":
            st.skip_next_fetch = True
        return
    phone.firmware = entry["to"] = entry["image_version"]
    entry["result"] = "flashed"
    phone.counters["firmware_flashed"] += 1
    phone.log_event("firmware upgraded to %s" % phone.firmware)
    LOG.info("phone %s: now on %s", phone.address, phone.firmware)
    phone.save()


async def on_boot(phone):
    """Called as the phone boots, before it listens. True: it is flashing and stays down."""
    st = state(phone)
    if st.flash is not None and st.stage == "flashing":
        _finish_flash(phone)
    if st.skip_next_fetch:
        st.skip_next_fetch = False
        return False
    url = _firmware_url(phone)
    if not url:
        return False
    phone.counters["firmware_fetch"] += 1
    try:
        name, data = await asyncio.get_running_loop().run_in_executor(None, _fetch, phone, url)
    except (OSError, ValueError, urllib.error.URLError) as error:
        phone.counters["firmware_fetch_failed"] += 1
        phone.log_event("firmware URL %s: fetch failed (%s)" % (url, error))
        LOG.info("phone %s: firmware fetch from %s failed: %s", phone.address, url, error)
        return False
    header, problem = read_image(data)
    refusal = _refusal(phone, header, problem)
    if refusal:
        phone.counters["firmware_rejected"] += 1
        _record(phone, "provisioning", name, header, "rejected", refusal)
        phone.log_event("firmware %s from %s refused: %s" % (name, url, refusal))
        return False
    if header["version"] == phone.firmware:
        phone.log_event("firmware %s from %s: already running" % (name, url))
        return False
    phone.counters["firmware_upload"] += 1
    phone.counters["restarts"] += 1  # the flash ends in a reboot of its own
    entry = _record(phone, "provisioning", name, header, "in progress")
    st.stage, st.flash = "flashing", entry
    rates = phone.fault_rates()
    entry["fails"] = bool(rates.get("flash_fail_rate")) and phone.rng.random() < rates["flash_fail_rate"]
    seconds = float(phone.lab.timings.get("flash_seconds", 120.0)) + float(phone.lab.timings["reboot_seconds"])
    phone.log_event("firmware %s from %s: flashing" % (name, url))
    LOG.info("phone %s: flashing %s from the provisioning URL (%.1f s)", phone.address, name, seconds)
    phone.reboot_done = time.monotonic() + seconds
    phone.lab.timers[phone.address] = asyncio.get_running_loop().call_later(
        seconds, lambda: asyncio.ensure_future(phone.lab._come_back(phone)))  # pylint: disable=protected-access
    return True


def _firmware_url(phone):
    method = (phone.value("provisioning/method") or "").lower()
    url = (phone.value("provisioning/firmware/url") or "").strip()
    return url if method == "static" and url else None


def _fetch(phone, url):
    """GET the image (blocking, in a worker thread): a directory URL means `<model>.img` in it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("the lab fetches http and https URLs only, not %s" % parts.scheme)
    path = parts.path or "/"
    if path.endswith("/"):
        path += "%s.img" % phone.model
    host = parts.hostname or ""
    addresses = [host] if _is_address(host) else phone.lab.settings["names"].get(host.lower().rstrip("."), [])
    if not addresses:
        raise ValueError("no address for %s in the lab's names" % host)
    context = None
    if parts.scheme == "https":  # the chain is checked against the lab CA, not the name (as for SIP)
        context = ssl.create_default_context(cafile=os.path.join(phone.lab.settings["cert_dir"], "ca.pem"))
        context.check_hostname = False
    error = None
    for address in addresses:
        netloc = address + (":%d" % parts.port if parts.port else "")
        target = urlunsplit((parts.scheme, netloc, path, parts.query, ""))
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1],
                   "User-Agent": "AUDC-IPPhone/%s (%s; %s)" % (phone.firmware, phone.model, phone.mac.replace(":", ""))}
        if parts.username is not None:  # user:password@ in the URL: HTTP Basic, as for the configuration file
            token = "%s:%s" % (unquote(parts.username), unquote(parts.password or ""))
            headers["Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
        request = urllib.request.Request(target, headers=headers)
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
            with opener.open(request, timeout=FETCH_TIMEOUT) as answer:
                return os.path.basename(path), answer.read(16 * 1024 * 1024)
        except (OSError, urllib.error.URLError) as exc:
            error = exc
    raise error


def _is_address(text):
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


# --- the manual upgrade page ---------------------------------------------------------------------------

def render_page(phone, note="", armed=False):
    from . import web  # web imports this module for its page table
    rows = ('<tr><td>&nbsp;Current Version</td><td>&nbsp;%s</td></tr>' % html.escape(phone.firmware))
    if armed:
        body = ('%s<form name="upgradeForm" method="post" action="/upload.cgi" enctype="multipart/form-data">\n'
                '<input type="hidden" name="localupgrade" value="%s">\n<table class="form">\n%s\n'
                '<tr><td>&nbsp;Firmware File</td><td><input type="file" name="upname" size="30"></td></tr>\n'
                '<tr><td colspan="2"><input type="submit" value="Upgrade"> Do not power off the phone during the '
                "upgrade.</td></tr></table></form>" % (note, UPLOAD_CODE, rows))
    else:
        body = ('%s<form name="fwForm" method="post" action="/mainform.cgi/Manu_Firmware_Upgrade.htm">\n'
                '<input type="hidden" name="UPGRADESHOW" value="0">\n<table class="form">\n%s\n'
                '<tr><td colspan="2"><input type="button" value="Start Upgrade" '
                'onclick="document.fwForm.UPGRADESHOW.value=1;document.fwForm.submit();"></td></tr></table></form>'
                % (note, rows))
    return web._layout(phone, "Firmware Upgrade", body)  # pylint: disable=protected-access


def submit_page(phone, request):
    """UPGRADESHOW=1 arms this session's upload and shows the upload form."""
    if request.fields().get("UPGRADESHOW") != "1":
        return Response(200, render_page(phone))
    session = _session_of(phone, request)
    if session is not None:
        session.firmware_armed = True
    return Response(200, render_page(phone, armed=True))


def _session_of(phone, request):
    from . import web
    if phone.variants["auth"] in ("basic", "basic_silent_login"):
        return phone.sessions.get("basic " + request.headers.get("authorization", ""))
    return phone.sessions.get(web._cookie(request, "session"))  # pylint: disable=protected-access


def upload(phone, request, session):
    """POST /upload.cgi with localupgrade=20: the image, after UPGRADESHOW=1 in this session."""
    files = request.files()
    if not getattr(session, "firmware_armed", False) or "upname" not in files:
        phone.counters["ignored_post"] += 1
        return Response(200, render_page(phone))
    session.firmware_armed = False
    name, data = files["upname"]
    name = os.path.basename(name or "")
    if state(phone).stage != "idle":
        phone.counters["ignored_post"] += 1
        return Response(200, render_page(phone, '<p class="err">An upgrade is already in progress.</p>'))
    header, problem = read_image(data)
    refusal = _refusal(phone, header, problem)
    if refusal:
        phone.counters["firmware_rejected"] += 1
        _record(phone, "web", name, header, "rejected", refusal)
        phone.log_event("firmware upload %s refused: %s" % (name, refusal))
        return Response(200, render_page(phone, '<p class="err">Upgrade failed: invalid firmware file.</p>\n'))
    phone.counters["firmware_upload"] += 1
    phone.counters["writes"] += 1
    entry = _record(phone, "web", name, header, "in progress")
    note = ("<p>Firmware file %s loaded. Upgrading - the phone restarts when done. Do not power off.</p>"
            % html.escape(name))
    return Response(200, web_layout(phone, note), after=lambda: start_flash(phone, entry))


def web_layout(phone, note):
    from . import web
    return web._layout(phone, "Firmware Upgrade", note)  # pylint: disable=protected-access


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="phone.firmware", description="write a lab firmware image")
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--size", type=int, default=DEFAULT_IMAGE_SIZE)
    parser.add_argument("--out", default=".")
    args = parser.parse_args(argv)
    path = os.path.join(args.out, image_name(args.model, args.version))
    with open(path, "wb") as handle:
        handle.write(make_image(args.model, args.version, args.size))
    sys.stdout.write(path + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
