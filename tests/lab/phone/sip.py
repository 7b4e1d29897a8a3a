"""Real SIP registration of the emulated phones (profile `phone.sip.enabled`), in the phones' event loop.

Each line of a phone whose configuration asks for it (line enabled, a user id, `use_proxy=1` and a
proxy address) sends REGISTER to its SIP server over the transport the phone is configured for
(`voip/signalling/sip/transport_protocol` UDP, TCP or TLS), through the outbound proxy when one is
enabled, answers digest challenges with the line's auth name and password, refreshes at half the
granted expiry, retries a failed registration after `registration_failed_timeout`, and with
`redundant_proxy/enabled` keeps a second server in SIMULTANEOUS or PRIMARY_FALLBACK mode.

How a phone notices a dead server: a transaction that gets no final answer within Timer F (64*T1 =
32 s; the lab profile may shorten it), a TCP/TLS connection that breaks, the OPTIONS keep-alive
when one is enabled (`registrar_ka`, `keepalive_options`), the next refresh otherwise. A name is
looked up only in the lab's `names:` table (several addresses: the next is tried on failure);
the machine's resolver is never asked. Choices no public source settles are marked "assumed".

Scale: one task per registering line, sleeping between events (no polling); one UDP socket per
phone; TCP/TLS connections shared by the lines of a phone; first registrations staggered.
"""

import asyncio
import collections
import datetime
import hashlib
import ipaddress
import logging
import re
import secrets
import ssl
import time
import zlib

from . import provisioning

LOG = logging.getLogger("phone")

SETTINGS = {"enabled": False, "stagger_seconds": 10.0, "t1": 0.5, "t2": 4.0, "transaction_timeout": 32.0,
            "keepalive_seconds": None, "tls_verify": True, "refresh_ratio": 0.5}
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type", "k": "supported", "o": "event", "s": "subject", "e": "content-encoding"}
SIP = "voip/signalling/sip/"
LOST = {"flow": "the TCP/TLS connection to the server broke", "lost": "the keep-alive went unanswered"}
DEBOUNCE = 0.2  # configuration writes that come together restart a line once
UNREGISTER_TIMEOUT = 2.0


class NoAnswer(Exception):
    """No final answer from a server: timeout, refused or broken connection, no address for its name."""


# --- messages ------------------------------------------------------------------------------------------

class Message:
    """A parsed SIP message; header names lower case, compact forms expanded."""

    __slots__ = ("first", "headers", "body")

    def __init__(self, first, headers, body):
        self.first, self.headers, self.body = first, headers, body

    @property
    def is_response(self):
        return self.first.startswith("SIP/2.0 ")

    @property
    def status(self):
        return int(self.first.split(" ", 2)[1])

    @property
    def reason(self):
        parts = self.first.split(" ", 2)
        return parts[2] if len(parts) > 2 else ""

    @property
    def method(self):
        return self.first.split(" ", 1)[0]

    def header(self, name, default=None):
        values = self.headers.get(name)
        return values[0] if values else default

    def branch(self):
        match = re.search(r";\s*branch=([^;,\s]+)", self.header("via", ""))
        return match.group(1) if match else None


def parse(data):
    """A Message from bytes, or None when it is not one."""
    try:
        text = data.decode("utf-8", "replace")
        head, _separator, body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        headers = {}
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and headers:  # folded line
                continue
            name, _colon, value = line.partition(":")
            name = name.strip().lower()
            name = COMPACT.get(name, name)
            headers.setdefault(name, []).extend([value.strip()] if name != "via" else _split_via(value))
        if not lines[0] or (not lines[0].startswith("SIP/2.0 ") and " SIP/2.0" not in lines[0]):
            return None
        return Message(lines[0], headers, body)
    except (ValueError, IndexError):
        return None


def _split_via(value):
    return [part.strip() for part in value.split(",") if part.strip()]


def _params(text):
    """`name=value` pairs of a digest challenge, quoted or not."""
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in re.finditer(r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))', text)}


def authorization(challenge, method, uri, user, password, nc, cnonce):
    """The Authorization value answering an RFC 2617 MD5 digest challenge."""
    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    ha1 = _md5("%s:%s:%s" % (user, realm, password))
    ha2 = _md5("%s:%s" % (method, uri))
    qops = [q.strip() for q in challenge.get("qop", "").split(",")]
    value = 'Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=MD5' % (user, realm, nonce, uri)
    if "auth" in qops:
        response = _md5("%s:%s:%08x:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2))
        value += ', response="%s", qop=auth, nc=%08x, cnonce="%s"' % (response, nc, cnonce)
    else:
        value += ', response="%s"' % _md5("%s:%s:%s" % (ha1, nonce, ha2))
    if "opaque" in challenge:
        value += ', opaque="%s"' % challenge["opaque"]
    return value


def _md5(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # nosec: SIP digest is MD5 by definition


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


# --- what a line's configuration asks for ------------------------------------------------------------------

Spec = collections.namedtuple("Spec", "user auth_name password registrar outbound expires failed_retry keepalive "
                                      "transport sips local_port contact_port redundant")
Redundant = collections.namedtuple("Redundant", "server outbound mode symmetric probe switch_on_5xx")


def line_spec(phone, index, settings):
    """What line `index` registers with, from the phone's configuration; None when it does not register."""
    value = phone.value
    line = "voip/line/%d/" % index
    user = value(line + "id") or ""
    proxy = (value(SIP + "proxy_address") or "").strip()
    if value(line + "enabled") != "1" or user in ("", "0") or value(SIP + "use_proxy") != "1" \
            or proxy in ("", "0.0.0.0"):
        return None
    transport = (value(SIP + "transport_protocol") or "UDP").lower()
    registrar = (proxy, _int(value(SIP + "proxy_port"), 5060))
    if value(SIP + "sip_registrar/enabled") == "1" and value(SIP + "sip_registrar/addr") not in (None, "", "0.0.0.0"):
        registrar = (value(SIP + "sip_registrar/addr").strip(), _int(value(SIP + "sip_registrar/port"), 5060))
    default_port = 5061 if transport == "tls" else 5060
    outbound = None
    if value(SIP + "sip_outbound_proxy/enabled") == "1" and (value(SIP + "sip_outbound_proxy/addr") or "").strip():
        outbound = (value(SIP + "sip_outbound_proxy/addr").strip(),
                    _int(value(SIP + "sip_outbound_proxy/port"), 0) or default_port)
    override = settings["keepalive_seconds"]
    keepalives = [_int(value(SIP + "registrar_ka/timeout"), 60) if value(SIP + "registrar_ka/enabled") == "1" else 0,
                  _int(value(SIP + "keepalive_options/timeout"), 300)
                  if value(SIP + "keepalive_options/enabled") == "1" else 0]
    keepalive = min([k for k in keepalives if k > 0] or [0])
    if keepalive and override:
        keepalive = float(override)  # lab deviation: the profile shortens the phone's keep-alive
    redundant = None
    address = (value(SIP + "redundant_proxy/address") or "").strip()
    if value(SIP + "redundant_proxy/enabled") == "1" and address not in ("", "0.0.0.0"):
        backup_outbound = outbound
        if value(SIP + "redundant_outbound_proxy/enabled") == "1" and \
                (value(SIP + "redundant_outbound_proxy/address") or "").strip() not in ("", "0.0.0.0"):
            backup_outbound = (value(SIP + "redundant_outbound_proxy/address").strip(),
                               _int(value(SIP + "redundant_outbound_proxy/port"), default_port))
        probe = _int(value(SIP + "redundant_proxy/keepalive_period"), 60)
        if probe and override:
            probe = float(override)
        redundant = Redundant(server=(address, _int(value(SIP + "redundant_proxy/port"), 5060)), outbound=backup_outbound,
                              # firmware without the mode key has only primary-fallback (keys.ASSUMED_KEYS)
                              mode=(value(SIP + "redundant_proxy/mode") or "PRIMARY_FALLBACK").upper(),
                              symmetric=value(SIP + "redundant_proxy/symmetric_mode") == "1", probe=probe,
                              switch_on_5xx=value(SIP + "redundant_proxy/switch_on_server_failure") == "1")
    auth_name = value(line + "auth_name") or ""
    local_port = _int(value(SIP + "port"), 5060)
    return Spec(user=user, auth_name=user if auth_name in ("", "0") else auth_name,
                password=value(line + "auth_password") or "", registrar=registrar, outbound=outbound,
                expires=_int(value(SIP + "proxy_timeout"), 3600),
                failed_retry=max(1, _int(value(SIP + "registration_failed_timeout"), 60)), keepalive=keepalive,
                transport=transport if transport in ("udp", "tcp", "tls") else "udp",
                sips=transport == "tls" and value(SIP + "enable_sips") == "1", local_port=local_port,
                contact_port=_int(value(SIP + "tls_port"), 5061) if transport == "tls" else local_port,
                redundant=redundant)


def auto_answer_delay(value, invite):
    """When the phone answers an incoming INVITE on its own: seconds from now, or None (it rings).

    The AudioCodes administrator's manuals (2.x "Configuring Automatic Answer", 3.4.3 section 5.8.6):
    only with `voip/auto_answer/enabled=1`; then a Call-Info `answer-after=N` after N seconds, an
    Alert-Info `ring answer` or `info=alert-autoanswer` at once (answer-after= wins); with
    `voip/advanced_auto_answer/type=Manual` (3.4.3) every call, after `advanced_auto_answer/timeout`.
    A firmware without the advanced keys (`without_assumed_keys`) has header-based auto-answer only.
    """
    if value("voip/auto_answer/enabled") != "1":
        return None
    match = re.search(r"answer-after\s*=\s*(\d+)", ",".join(invite.headers.get("call-info", [])), re.I)
    if match:
        return float(match.group(1))
    alert = ",".join(invite.headers.get("alert-info", [])).lower()
    if "info=alert-autoanswer" in alert.replace(" ", "") or "ring answer" in alert:
        return 0.0
    if (value("voip/advanced_auto_answer/type") or "").lower() == "manual":
        return float(_int(value("voip/advanced_auto_answer/timeout"), 5))
    return None


def _int(text, default):
    try:
        return int(str(text).strip(), 0)
    except (TypeError, ValueError):
        return default


# --- transports ---------------------------------------------------------------------------------------------

class _Udp(asyncio.DatagramProtocol):
    def __init__(self, owner):
        self.owner, self.transport = owner, None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.owner.received(data, lambda reply: self.transport.sendto(reply, addr))

    def error_received(self, exc):
        pass  # ICMP errors on an unconnected socket are not reported to a real phone either


class _Stream:
    """One TCP or TLS connection of a phone to a server, shared by its lines."""

    def __init__(self, owner, key):
        self.owner, self.key = owner, key
        self.reader = self.writer = None
        self.pending = set()  # branches of transactions waiting on this connection
        self.lost = asyncio.Event()
        self.task = None

    async def open(self, local_ip, context, timeout):
        transport, ip, port = self.key
        try:
            self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(
                ip, port, ssl=context if transport == "tls" else None, local_addr=(local_ip, 0),
                server_hostname="" if transport == "tls" else None), timeout)
        except (OSError, asyncio.TimeoutError, ssl.SSLError) as error:
            reason = str(error) or ("no %s handshake in time" % transport.upper() if transport == "tls" else "timeout")
            raise NoAnswer("%s connection to %s:%d failed: %s" % (transport.upper(), ip, port, reason)) from None
        self.task = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            while True:
                head = await self.reader.readuntil(b"\r\n\r\n")
                head = head.lstrip(b"\r\n")  # CRLF keep-alives
                if not head.strip():
                    continue
                match = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
                body = await self.reader.readexactly(int(match.group(1))) if match else b""
                self.owner.received(head + body, self.write)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError, ssl.SSLError):
            pass
        finally:
            self.close()

    def write(self, data):
        if self.writer is not None and not self.writer.is_closing():
            self.writer.write(data)

    def close(self):
        if self.lost.is_set():
            return
        self.lost.set()
        if self.writer is not None:
            self.writer.transport.abort()
        self.owner.stream_lost(self)


# --- one phone's SIP stack --------------------------------------------------------------------------------

class PhoneSip:
    """The SIP side of one phone: its UDP socket, its connections, its transactions and its lines."""

    def __init__(self, stack, phone):
        self.stack, self.phone = stack, phone
        self.lines = {}  # index -> Line
        self.udp = {}  # local port -> (transport, protocol)
        self.streams = {}  # (transport, ip, port) -> _Stream
        self.opening = {}  # (transport, ip, port) -> Future of a _Stream being opened
        self.transactions = {}  # branch -> [future, provisional seen]
        self.background = set()
        self.restart_handle = None
        self.udp_lock = asyncio.Lock()  # lines starting together must not both bind the SIP port
        self.calls = collections.OrderedDict()  # Call-ID -> incoming call, the last 50

    # --- lines ---
    def start_lines(self, stagger):
        """(Re)start the lines whose configuration changed; stagger spreads first registrations."""
        settings = self.stack.settings
        for index in range(self.phone.table.lines):
            spec = line_spec(self.phone, index, settings)
            line = self.lines.get(index)
            if line is not None and line.spec == spec:
                continue
            goodbyes = []
            if line is not None:
                goodbyes = line.stop(unregister=True)
                del self.lines[index]
            if spec is not None:
                delay = stagger * (zlib.crc32(("%s/%d" % (self.phone.address, index)).encode()) % 1000) / 1000.0
                self.lines[index] = Line(self, index, spec, delay, goodbyes)
        self._prune_streams()

    def stop(self):
        """The phone goes off the network: no goodbye, every socket closed at once."""
        if self.restart_handle is not None:
            self.restart_handle.cancel()
            self.restart_handle = None
        for line in self.lines.values():
            line.stop(unregister=False)
        self.lines.clear()
        for task in list(self.background):
            task.cancel()
        for transport, _protocol in self.udp.values():
            transport.close()
        self.udp.clear()
        for stream in list(self.streams.values()):
            stream.close()
        for entry in self.transactions.values():
            if not entry[0].done():
                entry[0].set_exception(NoAnswer("the phone went down"))

    def schedule_restart(self):
        if self.restart_handle is not None:
            self.restart_handle.cancel()
        self.restart_handle = asyncio.get_running_loop().call_later(DEBOUNCE, self._restart)

    def _restart(self):
        self.restart_handle = None
        if self.phone.state == "up":
            self.start_lines(0.0)

    def spawn(self, coroutine):
        task = asyncio.ensure_future(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    # --- sending ---
    async def transact(self, hop, data, branch, timeout=None):
        """Send a request to hop (transport, ip, port) and return its final response, or raise NoAnswer."""
        settings = self.stack.settings
        timeout = settings["transaction_timeout"] if timeout is None else timeout
        transport, ip, port = hop
        future = asyncio.get_running_loop().create_future()
        entry = [future, False]
        self.transactions[branch] = entry
        self.phone.counters["sip_requests"] += 1
        try:
            if transport == "udp":
                send = await self._udp_sender(ip, port)
                deadline = time.monotonic() + timeout
                interval = settings["t1"]
                send(data)
                while True:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise NoAnswer("no answer from %s:%d within %.1f s" % (ip, port, timeout))
                    done = (await asyncio.wait({future}, timeout=min(interval, remaining)))[0]
                    if done:
                        return future.result()
                    interval = settings["t2"] if entry[1] else min(interval * 2, settings["t2"])
                    send(data)  # Timer E: retransmit
            stream = await self._stream(hop, timeout)
            stream.pending.add(branch)
            try:
                stream.write(data)
                done = (await asyncio.wait({future}, timeout=timeout))[0]
                if not done:
                    raise NoAnswer("no answer from %s:%d within %.1f s" % (ip, port, timeout))
                return future.result()
            finally:
                stream.pending.discard(branch)
        finally:
            self.transactions.pop(branch, None)
            if not future.done():
                future.cancel()

    async def _udp_sender(self, ip, port):
        local_port = self._local_port()
        async with self.udp_lock:
            if local_port not in self.udp:
                loop = asyncio.get_running_loop()
                try:
                    self.udp[local_port] = await loop.create_datagram_endpoint(
                        lambda: _Udp(self), local_addr=(self.phone.address, local_port))
                except OSError as error:
                    raise NoAnswer("cannot open UDP %s:%d: %s" % (self.phone.address, local_port, error)) from None
        transport = self.udp[local_port][0]
        return lambda data: transport.sendto(data, (ip, port))

    def _local_port(self):
        return _int(self.phone.value(SIP + "port"), 5060)

    async def _stream(self, key, timeout):
        stream = self.streams.get(key)
        if stream is not None and not stream.lost.is_set():
            return stream
        if key in self.opening:
            return await asyncio.shield(self.opening[key])
        future = asyncio.get_running_loop().create_future()
        self.opening[key] = future
        stream = _Stream(self, key)
        try:
            await stream.open(self.phone.address, self.stack.tls_context(), min(timeout, 10.0))
        except BaseException as error:  # cancelled too: lines waiting for this connection must not hang
            future.set_exception(error if isinstance(error, NoAnswer) else NoAnswer("connection attempt abandoned"))
            future.exception()  # retrieved: the other waiters get it through shield
            raise
        finally:
            self.opening.pop(key, None)
        self.streams[key] = stream
        future.set_result(stream)
        return stream

    def stream_lost(self, stream):
        if self.streams.get(stream.key) is stream:
            del self.streams[stream.key]
        for branch in list(stream.pending):
            entry = self.transactions.get(branch)
            if entry and not entry[0].done():
                entry[0].set_exception(NoAnswer("%s connection to %s:%d closed" % stream.key))
        for line in self.lines.values():
            line.flow_lost(stream.key)

    def _prune_streams(self):
        """Close what the new configuration no longer uses: connections, a UDP socket on an old port."""
        used = {hop for line in self.lines.values() for hop in line.hops()}
        for key, stream in list(self.streams.items()):
            if key[1:] not in used:
                stream.close()
        for port in [p for p in self.udp if p != self._local_port()]:
            self.udp.pop(port)[0].close()

    async def listen(self):
        """A phone answers on its SIP port once it is up (a check-sync NOTIFY, OPTIONS), lines or not."""
        try:
            await self._udp_sender(self.phone.address, 0)
        except NoAnswer as error:
            LOG.info("phone %s: %s", self.phone.address, error)

    # --- receiving ---
    def received(self, data, reply):
        message = parse(data)
        if message is None:
            return
        if message.is_response:
            entry = self.transactions.get(message.branch())
            if entry is None:
                return
            if message.status < 200:
                entry[1] = True
            elif not entry[0].done():
                entry[0].set_result(message)
            return
        if message.method == "ACK":
            return
        if message.method in ("INVITE", "CANCEL", "BYE"):
            self._call_request(message, reply)
            return
        status = "200 OK" if message.method == "OPTIONS" else "501 Not Implemented"
        if message.method == "NOTIFY":  # check-sync: resync from the provisioning server (phone/provisioning.py)
            event = (message.header("event") or "").split(";", 1)[0].strip().lower()
            status = "200 OK" if event == "check-sync" else "489 Bad Event"
            if event == "check-sync":
                provisioning.check_sync(self.phone)
        headers = "".join("%s: %s\r\n" % (name.title() if name != "call-id" else "Call-ID", value)
                          for name in ("via", "from", "to", "call-id", "cseq") for value in message.headers.get(name, []))
        reply(("SIP/2.0 %s\r\n%sUser-Agent: %s\r\nContent-Length: 0\r\n\r\n"
               % (status, headers, self.user_agent())).encode("utf-8"))

    # --- incoming calls: ring, or answer on its own (auto-answer) ---
    def _respond(self, message, status, tag=None, extra="", body=""):
        lines = []
        for name in ("via", "from", "to", "call-id", "cseq"):
            for value in message.headers.get(name, []):
                if name == "to" and tag and ";tag=" not in value:
                    value += ";tag=" + tag
                lines.append("%s: %s\r\n" % (name.title() if name != "call-id" else "Call-ID", value))
        return ("SIP/2.0 %s\r\n%s%sUser-Agent: %s\r\nContent-Length: %d\r\n\r\n%s"
                % (status, "".join(lines), extra, self.user_agent(), len(body.encode("utf-8")), body)).encode("utf-8")

    def _call_request(self, message, reply):
        call_id = message.header("call-id", "")
        call = self.calls.get(call_id)
        if message.method == "CANCEL":
            reply(self._respond(message, "200 OK"))
            if call is not None and call["state"] == "ringing":
                call["state"] = "cancelled"
                call["reply"](self._respond(call["invite"], "487 Request Terminated", call["tag"]))
            return
        if message.method == "BYE":
            reply(self._respond(message, "200 OK" if call is not None else "481 Call/Transaction Does Not Exist"))
            if call is not None:
                call["state"] = "ended"
            return
        if call is not None:  # a retransmission: the answer it had
            return
        user = re.match(r"INVITE\s+sips?:([^@;>\s]+)@", message.first)
        user = user.group(1) if user else ""
        line = next((index for index, entry in sorted(self.lines.items()) if entry.spec.user == user), None)
        if line is None:
            reply(self._respond(message, "404 Not Found"))
            return
        delay = auto_answer_delay(self.phone.value, message)
        call = {"call_id": call_id, "line": line, "user": user, "from": message.header("from", ""),
                "alert_info": message.headers.get("alert-info", []), "call_info": message.headers.get("call-info", []),
                "state": "ringing", "auto_answer_after": delay, "time": _now(), "answered": None,
                "tag": secrets.token_hex(4), "invite": message, "reply": reply}
        self.calls[call_id] = call
        while len(self.calls) > 50:
            self.calls.pop(next(iter(self.calls)))
        if delay is None or delay > 0:
            reply(self._respond(message, "180 Ringing", call["tag"]))
        if delay is not None:
            self.spawn(self._answer(call, delay))

    async def _answer(self, call, delay):
        await asyncio.sleep(delay)
        if call["state"] != "ringing":
            return
        call["state"], call["answered"] = "answered", _now()
        address = self.phone.address
        sdp = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\n"
               "a=sendrecv\r\n" % (address, address))
        call["reply"](self._respond(call["invite"], "200 OK", call["tag"],
                                    "Contact: <sip:%s@%s:%d>\r\nContent-Type: application/sdp\r\n"
                                    % (call["user"], address, self._local_port()), sdp))

    def calls_view(self):
        return [dict((k, v) for k, v in call.items() if k not in ("invite", "reply", "tag"))
                for call in self.calls.values()]

    def user_agent(self):
        phone = self.phone
        return "AUDC-IPPhone/%s (%s; %s)" % (phone.firmware, phone.model, phone.mac.replace(":", ""))

    # --- what the web pages and the admin API show ---
    def line_status(self, index):
        """(SipStatus, SipRegSrv) of a line: the servers it is registered at, primary first."""
        line = self.lines.get(index)
        servers = [b.server[0] for b in (line.bindings if line else ()) if b.state == "registered"]
        return ("Registered", ",".join(servers)) if servers else ("Not Registered", "")

    def view(self):
        return [line.view() for _index, line in sorted(self.lines.items())]


# --- one line -----------------------------------------------------------------------------------------------

class Binding:
    """A line's registration at one server (primary or redundant)."""

    def __init__(self, line, slot, server, outbound):
        self.line, self.slot, self.server, self.outbound = line, slot, server, outbound
        self.call_id = "%s@%s" % (secrets.token_hex(8), line.sip.phone.address)
        self.from_tag = secrets.token_hex(6)
        self.cseq = 0
        self.challenge, self.nc = None, 0
        self.index = 0  # which address of the next hop's name is in use
        self.address = None
        self.state, self.since = "idle", _now()
        self.expires_at = None
        self.granted = None
        self.last = None
        self.contact = None
        self.wakeup = asyncio.Event()  # set when the TCP/TLS connection this binding uses breaks

    @property
    def hop_name(self):
        return self.outbound or self.server

    def addresses(self):
        return self.line.sip.stack.resolve(self.hop_name[0])

    def set_state(self, state, event=None, detail=""):
        if state != self.state:
            self.state, self.since = state, _now()
            if state != "registered":
                self.expires_at = self.granted = None
        if event:
            self.line.event(event, self, detail)

    def view(self):
        left = max(0.0, self.expires_at - time.monotonic()) if self.expires_at else None
        return {"slot": self.slot, "server": self.server[0], "port": self.server[1],
                "next_hop": "%s:%d" % self.hop_name, "address": self.address, "transport": self.line.spec.transport,
                "state": self.state, "since": self.since, "expires": self.granted,
                "expires_in": round(left, 1) if left is not None else None, "call_id": self.call_id,
                "last_response": self.last}


class Line:
    def __init__(self, sip, index, spec, delay, goodbyes=()):
        self.sip, self.index, self.spec = sip, index, spec
        self.bindings = [Binding(self, "primary", spec.registrar, spec.outbound)]
        if spec.redundant:
            self.bindings.append(Binding(self, "redundant", spec.redundant.server, spec.redundant.outbound))
        self.events = collections.deque(maxlen=60)
        self.task = asyncio.ensure_future(self._run(delay, goodbyes))

    def hops(self):
        return {(b.address or "", b.hop_name[1]) for b in self.bindings} | \
               {(a, b.hop_name[1]) for b in self.bindings for a in b.addresses()}

    def stop(self, unregister):
        """Stop the line; with unregister, say goodbye to its servers (the tasks are returned)."""
        self.task.cancel()
        if not unregister:
            return []
        return [self.sip.spawn(self._unregister(b)) for b in self.bindings if b.state == "registered"]

    def event(self, name, binding, detail=""):
        self.events.append({"time": _now(), "event": name, "server": binding.server[0] if binding else None,
                            "slot": binding.slot if binding else None, "detail": detail})

    def flow_lost(self, key):
        for binding in self.bindings:
            if key == (self.spec.transport, binding.address, binding.hop_name[1]) and binding.state == "registered":
                binding.wakeup.set()

    def view(self):
        status, server = self.sip.line_status(self.index)
        spec = self.spec
        return {"line": self.index + 1, "user": spec.user, "status": status, "server": server,
                "transport": spec.transport, "mode": spec.redundant.mode if spec.redundant else None,
                "bindings": [b.view() for b in self.bindings], "events": list(self.events)}

    # --- the line's life ---
    async def _run(self, delay, goodbyes):
        try:
            if goodbyes:  # the old binding's unregister must not remove the new one (same Contact)
                await asyncio.wait(goodbyes, timeout=2 * UNREGISTER_TIMEOUT + 1)
            if delay:
                await asyncio.sleep(delay)
            redundant = self.spec.redundant
            if redundant is None:
                await self._keep(self.bindings[0])
            elif redundant.mode == "SIMULTANEOUS":
                await asyncio.gather(self._keep(self.bindings[0]), self._keep(self.bindings[1]))
            else:
                await self._primary_fallback()
        except asyncio.CancelledError:
            raise
        except Exception:  # pylint: disable=broad-except  # a lab bug shows in the log, the phone lives on
            LOG.exception("phone %s line %d: SIP registration failed", self.sip.phone.address, self.index + 1)

    async def _keep(self, binding):
        """Stay registered at one server: refresh, or retry after registration_failed_timeout."""
        while True:
            outcome = await self._register(binding)
            if outcome == "ok":
                held = await self._hold(binding)
                if held != "refresh":  # re-register at once: the next address of its name if need be
                    self.event(held, binding, LOST[held])
                continue
            await asyncio.sleep(self.spec.failed_retry)

    async def _primary_fallback(self):
        """Registered at one server at a time: the primary, the redundant one when it fails, and back."""
        primary, backup = self.bindings
        redundant = self.spec.redundant
        current, tried_other = primary, False
        while True:
            outcome = await self._register(current)
            other = backup if current is primary else primary
            if outcome == "ok":
                tried_other = False
                if other.state == "registered":  # back at the primary: leave the backup
                    self.sip.spawn(self._unregister(other))
                probe = primary if current is backup and not redundant.symmetric and redundant.probe else None
                held = await self._hold(current, probe)
                if held == "primary_back":
                    self.event("switch_back", primary, "the primary answers again")
                    current = primary
                elif held == "flow":
                    self.event(held, current, LOST[held])
                elif held == "lost":
                    current.set_state("failed", "lost", LOST[held])
                    self.event("failover", other, "from %s" % current.server[0])
                    current, tried_other = other, True
                continue
            if outcome == "dead" and not tried_other:
                self.event("failover", other, "from %s" % current.server[0])
                current, tried_other = other, True
                continue
            await asyncio.sleep(self.spec.failed_retry)
            tried_other = False
            if outcome == "dead" and not redundant.symmetric:
                current = primary

    async def _hold(self, binding, probe=None):
        """Wait while registered: "refresh" when it is time, "flow" when its TCP/TLS connection broke,
        "lost" when the keep-alive goes unanswered, "primary_back" when the probed primary answers."""
        settings = self.sip.stack.settings
        refresh_at = time.monotonic() + max(0.5, binding.granted * settings["refresh_ratio"])
        keepalive = self.spec.keepalive
        period = min([p for p in (keepalive, probe and self.spec.redundant.probe) if p] or [0])
        binding.wakeup.clear()
        while True:
            left = refresh_at - time.monotonic()
            if left <= 0:
                return "refresh"
            try:
                await asyncio.wait_for(binding.wakeup.wait(), min(left, period) if period else left)
                return "flow"
            except asyncio.TimeoutError:
                pass
            if time.monotonic() >= refresh_at:
                return "refresh"
            if probe is not None and await self._answers(probe):
                return "primary_back"
            if keepalive and not await self._answers(binding, binding.address):
                return "lost"

    async def _answers(self, binding, address=None):
        """OPTIONS keep-alive: any final answer means the server is there."""
        addresses = [address] if address else binding.addresses()
        for ip in addresses:
            try:
                await self._request(binding, "OPTIONS", ip, count=False)
                self.sip.phone.counters["sip_options"] += 1
                return True
            except NoAnswer:
                continue
        return False

    async def _register(self, binding, expires=None):
        """One registration attempt at a server, trying each address of its name; "ok", "dead" or "refused"."""
        phone = self.sip.phone
        expires = self.spec.expires if expires is None else expires
        addresses = binding.addresses()
        if not addresses:
            binding.last = {"status": None, "reason": "no address for %s in the lab's names" % binding.hop_name[0],
                            "time": _now()}
            binding.set_state("failed", "failed", binding.last["reason"])
            phone.counters["sip_register_failed"] += 1
            return "dead"
        binding.set_state("registered" if binding.state == "registered" else "registering")
        count = len(addresses)
        for step in range(count):
            ip = addresses[(binding.index + step) % count]
            try:
                answer = await self._register_at(binding, ip, expires)
            except NoAnswer as error:
                binding.last = {"status": None, "reason": str(error), "time": _now()}
                phone.counters["sip_timeouts"] += 1
                continue
            binding.index = (binding.index + step) % count
            if binding.state == "registered" and binding.address not in (None, ip):
                self.event("next_address", binding, "from %s to %s" % (binding.address, ip))
            binding.address = ip
            return self._registered(binding, answer, expires)
        binding.set_state("failed", "failed", binding.last["reason"])
        phone.counters["sip_register_failed"] += 1
        return "dead"

    async def _register_at(self, binding, ip, expires):
        """REGISTER at one address, answering challenges; the final answer, or NoAnswer (also for 408/503)."""
        fresh = False
        for _attempt in range(3):
            answer = await self._request(binding, "REGISTER", ip, expires=expires)
            if answer.status in (401, 407):
                self.sip.phone.counters["sip_challenges"] += 1
                name = "www-authenticate" if answer.status == 401 else "proxy-authenticate"
                challenge = _params(answer.header(name, ""))
                if fresh and challenge.get("stale", "").lower() != "true":
                    return answer  # the credentials of a fresh challenge were refused: wrong password
                binding.challenge, binding.nc, fresh = (answer.status, challenge), 0, True
                continue
            if answer.status == 423 and answer.header("min-expires", "").isdigit():
                expires = int(answer.header("min-expires"))
                continue
            if answer.status in (408, 503) or (answer.status >= 500 and self.spec.redundant
                                               and self.spec.redundant.switch_on_5xx):
                raise NoAnswer("%d %s from %s" % (answer.status, answer.reason, ip))
            return answer
        return answer

    def _registered(self, binding, answer, expires):
        phone = self.sip.phone
        binding.last = {"status": answer.status, "reason": answer.reason, "time": _now()}
        if 200 <= answer.status < 300:
            granted = _granted(answer, expires, binding.contact)
            was = binding.state
            binding.set_state("registered", "registered" if was != "registered" else None, "%s, expires %d s"
                              % (binding.address, granted))
            binding.granted, binding.expires_at = granted, time.monotonic() + granted
            phone.counters["sip_registered"] += 1
            return "ok"
        binding.set_state("failed", "failed", "%d %s" % (answer.status, answer.reason))
        phone.counters["sip_register_failed"] += 1
        return "refused"

    async def _unregister(self, binding):
        """Best effort REGISTER with Expires 0 at the address in use (a changed or abandoned binding)."""
        if binding.address is None:
            return
        binding.set_state("unregistered", "unregistered")
        try:
            for _attempt in range(2):
                answer = await self._request(binding, "REGISTER", binding.address, expires=0,
                                             timeout=UNREGISTER_TIMEOUT)
                if answer.status not in (401, 407):
                    return
                name = "www-authenticate" if answer.status == 401 else "proxy-authenticate"
                binding.challenge, binding.nc = (answer.status, _params(answer.header(name, ""))), 0
        except NoAnswer:
            pass

    async def _request(self, binding, method, ip, expires=None, timeout=None, count=True):
        """Build and send one request of this binding to ip; its final answer."""
        sip = self.sip
        phone, spec = sip.phone, self.spec
        transport = spec.transport
        scheme = "sips" if spec.sips else "sip"
        host, port = binding.server
        uri = "%s:%s:%d" % (scheme, host, port)
        if transport != "udp" and not spec.sips:
            uri += ";transport=%s" % transport
        hop = (transport, ip, binding.hop_name[1])
        branch = "z9hG4bK" + secrets.token_hex(8)
        binding.cseq += 1
        contact_uri = "%s:%s@%s:%d" % (scheme, spec.user, phone.address, spec.contact_port)
        if transport != "udp" and not spec.sips:
            contact_uri += ";transport=%s" % transport
        binding.contact = contact_uri
        headers = ["%s %s SIP/2.0" % (method, uri),
                   "Via: SIP/2.0/%s %s:%d;branch=%s;rport" % (transport.upper(), phone.address, spec.contact_port, branch),
                   "Max-Forwards: 70",
                   "From: <%s:%s@%s>;tag=%s" % (scheme, spec.user, host, binding.from_tag),
                   "To: <%s:%s@%s>" % (scheme, spec.user, host),
                   "Call-ID: %s" % binding.call_id,
                   "CSeq: %d %s" % (binding.cseq, method),
                   "User-Agent: %s" % sip.user_agent()]
        if method == "REGISTER":
            headers += ["Contact: <%s>" % contact_uri, "Expires: %d" % expires,
                        "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, NOTIFY, REFER, INFO, SUBSCRIBE, UPDATE"]
            if binding.challenge is not None:
                binding.nc += 1
                status, challenge = binding.challenge
                headers.append("%s: %s" % ("Authorization" if status == 401 else "Proxy-Authorization",
                                           authorization(challenge, method, uri, spec.auth_name, spec.password,
                                                         binding.nc, secrets.token_hex(8))))
            if count:
                phone.counters["sip_register"] += 1
        data = ("\r\n".join(headers) + "\r\nContent-Length: 0\r\n\r\n").encode("utf-8")
        return await sip.transact(hop, data, branch, timeout)


def _granted(answer, requested, contact_uri):
    """The expiry the registrar granted: our Contact's expires (the 200 lists every binding of the
    AOR, other phones' too), else Expires, else what we asked."""
    for value in answer.headers.get("contact", []):
        for contact in re.findall(r"<([^>]*)>([^,]*)", value):
            match = re.search(r";\s*expires=(\d+)", contact[1])
            if contact[0].lower() == contact_uri.lower() and match:
                return int(match.group(1))
    expires = answer.header("expires", "")
    return int(expires) if expires.isdigit() else requested


# --- every phone ----------------------------------------------------------------------------------------------

class SipStack:
    """The phones' SIP registration, one PhoneSip per phone, in the lab's event loop."""

    def __init__(self, lab, settings, names, ca_file):
        self.lab, self.settings, self.names, self.ca_file = lab, settings, names, ca_file
        self.phones = {}
        self.started = False
        self._tls = None

    def tls_context(self):
        if self._tls is None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False  # the phone dials an address, as configured
            if self.settings["tls_verify"]:
                context.load_verify_locations(self.ca_file)
            else:
                context.verify_mode = ssl.CERT_NONE
            self._tls = context
        return self._tls

    def resolve(self, host):
        """Addresses of a host: itself when it is an address, else the lab's names table (never DNS)."""
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            return list(self.names.get(host.lower().rstrip("."), []))

    def start(self):
        self.started = True
        for phone in self.lab.phones.values():
            if phone.state == "up":
                self.phone_up(phone, self.settings["stagger_seconds"])

    def shutdown(self):
        for sip in self.phones.values():
            sip.stop()
        self.phones.clear()
        self.started = False

    def reset(self):
        """Every phone starts its registrations afresh (the admin reset)."""
        for phone in self.lab.phones.values():
            self.phone_down(phone)
            if phone.state == "up":
                self.phone_up(phone, self.settings["stagger_seconds"])

    def phone_up(self, phone, stagger=None):
        if not self.started:
            return
        sip = self.phones.get(phone.address)
        if sip is None:
            sip = self.phones[phone.address] = PhoneSip(self, phone)
            sip.spawn(sip.listen())
        sip.start_lines(self.settings["stagger_seconds"] if stagger is None else stagger)

    def phone_down(self, phone):
        sip = self.phones.pop(phone.address, None)
        if sip is not None:
            sip.stop()

    def config_changed(self, phone):
        sip = self.phones.get(phone.address)
        if self.started and sip is not None and phone.state == "up":
            sip.schedule_restart()

    def line_status(self, phone, index):
        sip = self.phones.get(phone.address)
        return sip.line_status(index) if sip is not None else ("Not Registered", "")

    def view(self, phone):
        sip = self.phones.get(phone.address)
        return {"enabled": True, "state": phone.state, "lines": sip.view() if sip else [],
                "calls": sip.calls_view() if sip else []}

    def summary(self):
        lines = registered = 0
        servers = collections.Counter()
        for sip in self.phones.values():
            for line in sip.lines.values():
                lines += 1
                status, server = sip.line_status(line.index)
                if status == "Registered":
                    registered += 1
                    for name in server.split(","):
                        servers[name] += 1
        return {"enabled": True, "registering_lines": lines, "registered_lines": registered,
                "by_server": dict(sorted(servers.items())), "names": self.names, "settings": self.settings}
