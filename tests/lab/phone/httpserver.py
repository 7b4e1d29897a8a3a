"""A small HTTP/1.1 server on asyncio streams: one event loop carries thousands of listeners.

Enough of HTTP for the phone's web server and the admin API: keep-alive, Content-Length bodies
(no chunked requests), `Expect: 100-continue`, urlencoded and multipart/form-data forms.
"""

import asyncio
import email.utils
import logging
import socket
import ssl
import struct
from urllib.parse import parse_qsl, unquote, urlsplit

REASONS = {100: "Continue", 200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 411: "Length Required", 413: "Payload Too Large", 500: "Internal Server Error",
           503: "Service Unavailable"}
MAX_BODY = 8 * 1024 * 1024
IDLE_SECONDS = 30  # an idle keep-alive connection is closed, so 1000 phones do not hoard sockets
SERVER_NAME = "lighttpd/1.4.35"  # the phone's web server (audiocodes-phone-research.md)
LOG = logging.getLogger("phone")


class BadRequest(Exception):
    pass


class Request:
    """One parsed request; header names are lower case."""

    def __init__(self, method, target, version, headers, body, local):
        self.method, self.version, self.headers, self.body, self.local = method, version, headers, body, local
        parts = urlsplit(target)
        self.path = unquote(parts.path)
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))

    def keep_alive(self):
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"

    def content_type(self):
        value = self.headers.get("content-type", "")
        main, params = (value + ";").split(";", 1)
        return main.strip().lower(), _params(params)

    def fields(self):
        """Form fields (urlencoded or the non-file parts of multipart), the last one of a name winning."""
        kind = self.content_type()[0]
        if kind == "multipart/form-data":
            return {name: data.decode("utf-8", "replace") for name, (filename, data) in self.parts().items()
                    if filename is None}
        if kind in ("application/x-www-form-urlencoded", ""):
            return dict(parse_qsl(self.body.decode("latin-1"), keep_blank_values=True))
        return {}

    def files(self):
        """name -> (filename, bytes) of the file parts of a multipart body."""
        return {name: part for name, part in self.parts().items() if part[0] is not None}

    def parts(self):
        kind, params = self.content_type()
        boundary = params.get("boundary")
        if kind != "multipart/form-data" or not boundary:
            return {}
        found = {}
        for chunk in self.body.split(b"--" + boundary.encode("latin-1"))[1:]:
            if chunk.startswith(b"--"):
                break  # the closing delimiter
            part = chunk.lstrip(b"\r\n")
            if b"\r\n\r\n" not in part:
                continue
            head, data = part.split(b"\r\n\r\n", 1)
            if data.endswith(b"\r\n"):
                data = data[:-2]
            disposition = {}
            for line in head.decode("latin-1").split("\r\n"):
                if line.lower().startswith("content-disposition:"):
                    disposition = _params(line.partition(";")[2])
            if "name" in disposition:
                found[disposition["name"]] = (disposition.get("filename"), data)
        return found


def _params(text):
    params = {}
    for item in text.split(";"):
        if "=" in item:
            name, value = item.split("=", 1)
            params[name.strip().lower()] = value.strip().strip('"')
    return params


class Response:
    """What a handler answers; `after` runs once the answer is sent (a reboot, for instance)."""

    def __init__(self, status=200, body=b"", content_type="text/html", headers=None, after=None):
        self.status, self.content_type, self.after = status, content_type, after
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = list(headers or [])
        self.drip = 0.0       # faults drip_rate / oversize_rate (web.handle): how _conversation sends it
        self.oversize = 0

    def encode(self, keep_alive, head_only=False, length=True):
        lines = ["HTTP/1.1 %d %s" % (self.status, REASONS.get(self.status, "Unknown")),
                 "Server: " + SERVER_NAME, "Date: " + email.utils.formatdate(usegmt=True),
                 "Content-Type: " + self.content_type]
        lines += ["Content-Length: %d" % len(self.body)] if length else []
        lines += ["Connection: " + ("keep-alive" if keep_alive else "close")]
        lines += ["%s: %s" % pair for pair in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head_only else self.body)


class Listener:
    """One listening socket and the connections it accepted (a reboot aborts them all)."""

    def __init__(self, host, port, handler, ssl_context=None):
        self.host, self.port, self.handler, self.ssl_context = host, port, handler, ssl_context
        self.server = None
        self.writers = set()

    async def start(self):
        self.server = await asyncio.start_server(self._serve, self.host, self.port, ssl=self.ssl_context,
                                                 reuse_address=True, backlog=256)

    def stop(self):
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _serve(self, reader, writer):
        self.writers.add(writer)
        try:
            await self._conversation(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError,
                ssl.SSLError, OSError):
            pass
        finally:
            self.writers.discard(writer)
            writer.close()

    async def _conversation(self, reader, writer):
        while True:
            try:
                request = await _read_request(reader, writer)
            except BadRequest as error:
                writer.write(Response(400, str(error)).encode(False))
                await writer.drain()
                return
            if request is None:
                return
            try:
                response = await self.handler(request)
            except Exception:  # a lab bug must show in the log and as a 500, not hang the client
                LOG.exception("%s %s on %s failed", request.method, request.path, self.host)
                response = Response(500, "lab error, see the log")
            if response is None:  # a fault or a lost reply: drop the connection unanswered
                reset(writer)
                return
            keep = request.keep_alive()
            if response.drip or response.oversize:
                await _send_faulty(writer, response, request.method == "HEAD")
                return
            writer.write(response.encode(keep, request.method == "HEAD"))
            await writer.drain()
            if response.after is not None:
                response.after()
            if not keep:
                return


async def _send_faulty(writer, response, head_only):
    """Fault drip: the head, then the body a byte every `drip` seconds. Fault oversize: no Content-Length,
    the body then `oversize` bytes of spaces, then the connection closes (which ends such a body)."""
    head = response.encode(False, True, length=not response.oversize)
    body = b"" if head_only else response.body
    writer.write(head)
    await writer.drain()
    if response.drip:
        for index in range(len(body)):
            writer.write(body[index:index + 1])
            await writer.drain()
            await asyncio.sleep(response.drip)
    else:
        writer.write(body)
        block = b" " * 65536
        for dummy in range(response.oversize // len(block)):
            writer.write(block)
            await writer.drain()


def reset(writer):
    """Close with a TCP RST, as a crashing web server does, not with an orderly FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


async def _read_request(reader, writer):
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_SECONDS)
    except asyncio.IncompleteReadError as error:
        if error.partial.strip():
            raise BadRequest("incomplete request") from error
        return None
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ")
    except ValueError as error:
        raise BadRequest("bad request line") from error
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise BadRequest("chunked request bodies are not supported")
    length = headers.get("content-length", "0") or "0"
    length = int(length) if length.isdigit() else -1
    if length < 0 or length > MAX_BODY:
        raise BadRequest("bad Content-Length")
    if length and headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = await asyncio.wait_for(reader.readexactly(length), IDLE_SECONDS) if length else b""
    return Request(method.upper(), target, version.upper(), headers, body, writer.get_extra_info("sockname"))
