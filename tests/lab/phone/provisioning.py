"""Provisioning-server mode: the phone fetches its configuration file and applies it.

What the real phone does (INTERFACES.md, provisioning server; research 2.2): with
`provisioning/method` STATIC, on every boot and on a SIP NOTIFY `Event: check-sync`, it fetches
`provisioning/configuration/url`; a URL ending in `/` is a directory, where it fetches
`<mac lowercase, no colons>.cfg`; any other URL is the file itself. Credentials come from the URL
(`https://user:password@host/...`: the firmware has no separate provisioning user key). HTTPS
checks the server's chain against the lab CA when `security/provisioning/verify_server_certificate`
is 1 (not its name, as the lab's SIP side). A host name is looked up in the lab's name table only.
The file is read and applied exactly as an upload is (variant `apply`: replace or merge); at boot
it applies at once, on check-sync the `after_upload` variant decides (with `reboot` the phone
restarts when the file changed something). DYNAMIC (DHCP option 160) fetches nothing: the lab has
no DHCP. Periodic resync (`provisioning/period/*`) is not emulated.

Every fetch is recorded (`GET /phones/ADDR/provisioning` of the admin API), with the URL's
password masked. The firmware-URL fetch (phone/firmware.py) sits beside `at_boot`.
"""

import asyncio
import base64
import datetime
import ipaddress
import logging
import re
import ssl
import urllib.parse

from labcommon import certs

LOG = logging.getLogger("phone")
FETCH_TIMEOUT = 10.0  # seconds for one fetch (connect, TLS, answer); assumed
MAX_FILE = 1 << 20


class FetchError(Exception):
    """A fetch that did not give a file; the message is what the phone's log would say."""


def file_url(phone, url):
    """The URL the phone fetches: a directory URL gets `<mac>.cfg` appended (MAC in the case of
    variant `provisioning_name_case`), or, with `provisioning_url: file_only`, None (nothing fetched)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if path.endswith("/"):
        if phone.variants["provisioning_url"] == "file_only":
            return None
        mac = phone.mac.replace(":", "")
        path += (mac.upper() if phone.variants["provisioning_name_case"] == "upper" else mac.lower()) + ".cfg"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def shown_url(url):
    """The URL with its password masked, for records and logs."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = "%s:********@%s" % (parts.username, parts.netloc.rsplit("@", 1)[1])
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _addresses(phone, host):
    """An address literal (loopback only), else the lab's name table: never the machine's resolver."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return list(phone.lab.settings["names"].get(host.lower().rstrip("."), []))
    return [str(address)] if address.is_loopback and address.version == 4 else []


def _tls(phone):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    if phone.value("security/provisioning/verify_server_certificate") == "1":
        context.load_verify_locations(certs.ensure_ca(phone.lab.settings["cert_dir"])[0])
    else:
        context.verify_mode = ssl.CERT_NONE
    return context


async def fetch(phone, url):
    """(status, body) of a GET of url from the phone's own address; FetchError when there is none."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("scheme %r is not emulated (http and https are)" % parts.scheme)
    host = parts.hostname or ""
    addresses = _addresses(phone, host)
    if not addresses:
        raise FetchError("cannot resolve %r (only loopback addresses and the lab's names table)" % host)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    request = ["GET %s HTTP/1.1" % ((parts.path or "/") + ("?" + parts.query if parts.query else "")),
               "Host: %s" % parts.netloc.rsplit("@", 1)[-1],
               "User-Agent: AUDC-IPPhone/%s (%s; %s)" % (phone.firmware, phone.model, phone.mac.replace(":", "")),
               "Accept: */*", "Connection: close"]
    if parts.username is not None:
        pair = "%s:%s" % (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
        request.append("Authorization: Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii"))
    data = ("\r\n".join(request) + "\r\n\r\n").encode("utf-8")
    last = None
    for address in addresses:  # the next address of a name on failure, as the SIP side does
        try:
            return await asyncio.wait_for(_get(phone, address, port, parts.scheme, data), FETCH_TIMEOUT)
        except (OSError, asyncio.TimeoutError, ssl.SSLError, ValueError) as error:
            last = "%s:%d: %s" % (address, port, str(error) or error.__class__.__name__)
    raise FetchError("no answer from %s" % last)


async def _get(phone, address, port, scheme, data):
    reader, writer = await asyncio.open_connection(
        address, port, ssl=_tls(phone) if scheme == "https" else None, local_addr=(phone.address, 0),
        server_hostname="" if scheme == "https" else None)
    try:
        writer.write(data)
        await writer.drain()
        raw = b""
        while len(raw) <= MAX_FILE:
            more = await reader.read(65536)
            if not more:
                break
            raw += more
    finally:
        writer.transport.abort()
    head, _separator, body = raw.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    if not match:
        raise ValueError("not an HTTP answer")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if length:
        body = body[:int(length.group(1))]
    return int(match.group(1)), body


async def resync(phone, trigger):
    """Fetch the configuration file if the phone is set to STATIC, apply it; one record per attempt."""
    method = (phone.value("provisioning/method") or "").lower()
    url = (phone.value("provisioning/configuration/url") or "").strip()
    if method != "static" or not url:
        if trigger == "check-sync":
            _record(phone, trigger, url, None, "skipped", "provisioning/method is %s, not STATIC" % method
                    if method != "static" else "no configuration URL")
        return None
    target = file_url(phone, url)
    if target is None:  # provisioning_url: file_only, and a directory URL: this firmware fetches nothing
        return _failed(phone, trigger, url, None, "the configuration URL names no file")
    phone.counters["provisioning_fetch"] += 1
    try:
        status, body = await fetch(phone, target)
    except FetchError as error:
        return _failed(phone, trigger, target, None, str(error))
    if status != 200:
        return _failed(phone, trigger, target, status, "HTTP %d" % status)
    text = body.decode("utf-8", "replace")
    new, report = phone.read_upload(text)
    if trigger == "boot":
        changed = phone.set_config(new, "provisioning at boot from %s" % shown_url(target))
        reboot = False
    else:
        before = phone.config()
        after = phone.config(new)
        changed = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
        reboot = bool(changed) and phone.variants["after_upload"] == "reboot"
        if changed:
            phone._apply_upload(new, phone.variants["after_upload"],  # pylint: disable=protected-access
                                "provisioning on check-sync from %s" % shown_url(target))
    if changed:
        phone.counters["writes"] += 1
    outcome = "applied" if changed else "unchanged"
    entry = _record(phone, trigger, target, 200, outcome, "", len(changed), report)
    if reboot:
        phone.reboot("check-sync: new configuration from the provisioning server")
    return entry


def _failed(phone, trigger, url, status, error):
    phone.counters["provisioning_failed"] += 1
    LOG.info("phone %s: provisioning fetch of %s failed: %s", phone.address, shown_url(url), error)
    return _record(phone, trigger, url, status, "failed", error)


def _record(phone, trigger, url, status, outcome, error, changed=0, report=None):
    entry = {"time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
             "trigger": trigger, "url": shown_url(url), "status": status, "outcome": outcome,
             "changed_keys": changed, "error": error}
    if report:
        entry.update({k: report[k] for k in ("dropped", "ignored", "includes")})
    phone.fetches.append(entry)
    phone.log_event("provisioning (%s): %s %s %s" % (trigger, shown_url(url), outcome, error))
    return entry


async def at_boot(phone):
    """The boot-time fetch, before the phone's web server is up again."""
    try:
        await resync(phone, "boot")
    except Exception:  # pylint: disable=broad-except  # a lab bug must not keep the phone down
        LOG.exception("phone %s: provisioning at boot", phone.address)


def check_sync(phone):
    """A SIP NOTIFY `Event: check-sync` arrived: resync in the background (the NOTIFY is answered at once)."""
    phone.counters["check_sync"] += 1
    asyncio.ensure_future(resync(phone, "check-sync"))
