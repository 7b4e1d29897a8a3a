"""HTTP plumbing shared by the GAX listener and the admin listener (stdlib http.server)."""

import json
import socket
import ssl
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    """One listener; ``app`` is what its handlers serve. TLS when given a context."""

    daemon_threads = True  # a slow answer in flight must not hold up SIGTERM
    allow_reuse_address = True

    def __init__(self, address, handler, app, tls=None):
        self.app, self.tls = app, tls
        super().__init__(address, handler)
        if tls is not None:
            # The handshake runs in the request's thread, so a stalled client blocks no one else.
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(30)
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


class Handler(BaseHTTPRequestHandler):
    """Reads and writes JSON; can drop a connection the way a crashed peer does."""

    protocol_version = 'HTTP/1.1'  # keep-alive, as Tomcat answers
    # Headers and body go out in two writes; with Nagle on, a keep-alive client waits ~40 ms for
    # the delayed ACK on every request, which no real server makes it do.
    disable_nagle_algorithm = True
    sys_version = ''
    timeout = 60

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stdout.write('%s %s\n' % (self.address_string(), format % args))
        sys.stdout.flush()

    def read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def reply(self, status, body=b'', content_type='application/json;charset=UTF-8', headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if body:
            self.send_header('Content-Type', content_type)
        oversize, drip = getattr(self, 'oversize', 0), getattr(self, 'drip', 0)
        if oversize:                 # fault oversize: no length; the body, spaces, then the close ends it
            self.send_header('Connection', 'close')
            self.close_connection = True
        else:
            self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-cache, no-store')
        self.end_headers()
        if self.command == 'HEAD':
            return
        if drip:                     # fault drip: a byte every drip seconds
            for index in range(len(body)):
                self.wfile.write(body[index:index + 1])
                self.wfile.flush()
                time.sleep(drip)
        elif body:
            self.wfile.write(body)
        for dummy in range(oversize // 65536):
            self.wfile.write(b' ' * 65536)

    def reply_json(self, status, value, headers=()):
        self.reply(status, encode(value), headers=headers)

    def drop_connection(self):
        """Close without answering; SO_LINGER 0 makes the kernel send RST instead of FIN."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError:
            pass
        # The stream wrappers hold references: the descriptor closes only when all are closed.
        self.rfile.close()
        self.wfile.close()
        self.connection.close()


def encode(value):
    return json.dumps(value, separators=(',', ':')).encode('utf-8')


def parse_json(raw):
    """Decoded body, or ``ValueError`` with a short reason."""
    try:
        return json.loads(raw.decode('utf-8')) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError('the body is not valid JSON (%s)' % exc) from None
