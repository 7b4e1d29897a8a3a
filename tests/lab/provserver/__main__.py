"""The lab's provisioning server: the web server a site runs for its phones' `<mac>.cfg` files.

    cd tests/lab && python -m provserver --profile profiles/default.yml --state-dir DIR

HTTPS (a leaf of the lab CA) with HTTP Basic authentication, serving the files of one directory
under one URL path, GET and HEAD only, as the nginx of docs/provisioning.md does. Every request is
recorded (the admin API shows them) so tests judge what the phones really fetched. It never
imports collection code.
"""

import argparse
import base64
import binascii
import collections
import datetime
import hashlib
import hmac
import http.server
import ipaddress
import json
import os
import signal
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

import yaml

from labcommon import certs
from labcommon.names import parse_names

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEFAULTS = {"enabled": True, "listen": "127.0.0.5:8443", "admin": "127.0.0.5:8083", "directory": None,
            "path": "/phones/", "users": {"provisioning": "Lab-Prov-26"}, "cert_dir": None, "realm": "phones"}
REQUEST_LOG = 500


def host_port(text, what):
    host, _colon, port = str(text).rpartition(":")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback or not port.isdigit():
        sys.exit("provserver: %s must be 127.x.y.z:port, got %r" % (what, text))
    return host, int(port)


def load(path, state_dir):
    with open(path, encoding="utf-8") as handle:
        profile = yaml.safe_load(handle) or {}
    section = profile.get("provserver") or {}
    unknown = set(section) - set(DEFAULTS)
    if unknown:
        sys.exit("provserver: unknown setting(s) %s (known: %s)" % (sorted(unknown), sorted(DEFAULTS)))
    settings = dict(DEFAULTS, **section)
    base = profile.get("profile_dir") or os.path.dirname(os.path.abspath(path))
    settings["listen"] = host_port(settings["listen"], "provserver.listen")
    settings["admin"] = host_port(settings["admin"], "provserver.admin")
    settings["directory"] = (os.path.join(base, settings["directory"]) if settings["directory"]
                             else os.path.join(state_dir, "provisioning"))
    settings["cert_dir"] = (os.path.join(base, settings["cert_dir"]) if settings["cert_dir"]
                            else os.path.join(REPO_ROOT, ".lab", "certs"))
    prefix = "/" + str(settings["path"]).strip("/") + "/"
    settings["path"] = "/" if prefix == "//" else prefix
    if not isinstance(settings["users"], dict) or not settings["users"]:
        sys.exit("provserver: users must map at least one user name to its password")
    settings["users"] = {str(k): str(v) for k, v in settings["users"].items()}
    # The names that point at the server's address go into its certificate, as a site's would.
    names = parse_names(profile.get("names"))
    settings["dns"] = sorted(name for name, addresses in names.items() if settings["listen"][0] in addresses)
    return settings


class Server:
    """The served directory, the request record and the counters (shared by both listeners)."""

    def __init__(self, settings):
        self.settings = settings
        self.lock = threading.Lock()
        self.requests = collections.deque(maxlen=REQUEST_LOG)
        self.counters = collections.Counter()
        self.started = time.monotonic()
        os.makedirs(settings["directory"], mode=0o700, exist_ok=True)

    def record(self, entry):
        with self.lock:
            self.requests.append(entry)
            self.counters["requests"] += 1
            self.counters["status_%d" % entry["status"]] += 1

    def user_of(self, header):
        """The user whose Basic credentials these are, or None."""
        if not header.lower().startswith("basic "):
            return None
        try:
            user, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").split(":", 1)
        except (binascii.Error, ValueError):
            return None
        expected = self.settings["users"].get(user)
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            return None
        return user

    def file_for(self, path):
        """The file a URL path names inside the directory, or None (outside the prefix, a folder, ..)."""
        prefix = self.settings["path"]
        path = urllib.parse.unquote(path.split("?", 1)[0])
        if not path.startswith(prefix):
            return None
        name = path[len(prefix):]
        if not name or "/" in name or name.startswith("."):
            return None
        return os.path.join(self.settings["directory"], name)

    def files(self):
        found = []
        directory = self.settings["directory"]
        for name in sorted(os.listdir(directory)):
            full = os.path.join(directory, name)
            if not os.path.isfile(full):
                continue
            with open(full, "rb") as handle:
                data = handle.read()
            found.append({"name": name, "size": len(data), "mode": "%04o" % (os.stat(full).st_mode & 0o7777),
                          "sha256": hashlib.sha256(data).hexdigest()})
        return found

    def reset(self):
        directory = self.settings["directory"]
        for name in os.listdir(directory):
            full = os.path.join(directory, name)
            if os.path.isfile(full):
                os.unlink(full)
        with self.lock:
            self.requests.clear()
            self.counters.clear()


class _Threading(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FileHandler(http.server.BaseHTTPRequestHandler):
    """GET/HEAD of one file of the directory, behind Basic authentication."""

    server_version = "lab-provserver/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # the record below is the log
        pass

    def do_GET(self):  # noqa: N802 (http.server naming)
        self._serve(body=True)

    def do_HEAD(self):  # noqa: N802
        self._serve(body=False)

    def _other(self):
        self._answer(405, b"405 - Method Not Allowed\n", None, [("Allow", "GET, HEAD")])

    do_POST = do_PUT = do_DELETE = _other

    def _serve(self, body):
        lab = self.server.lab
        user = lab.user_of(self.headers.get("Authorization", ""))
        target = lab.file_for(self.path)
        if user is None:
            status, data = 401, b"401 - Unauthorized\n"
            headers = [("WWW-Authenticate", 'Basic realm="%s"' % lab.settings["realm"])]
        elif target is None or not os.path.isfile(target):
            status, data, headers = 404, b"404 - Not Found\n", []
        else:
            with open(target, "rb") as handle:
                data = handle.read()
            status, headers = 200, [("Content-Type", "application/octet-stream")]
        lab.record({"time": _now(), "client": self.client_address[0], "method": self.command, "path": self.path,
                    "user": user, "user_agent": self.headers.get("User-Agent"), "status": status,
                    "bytes": len(data) if status == 200 else 0})
        self._answer(status, data if body else b"", len(data), headers)

    def _answer(self, status, data, length, headers):
        self.send_response(status)
        for name, value in headers or ():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        if data:
            self.wfile.write(data)


class AdminHandler(http.server.BaseHTTPRequestHandler):
    """The admin API (tests only, JSON): health, reset, counters, requests, files."""

    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):  # noqa: N802
        lab = self.server.lab
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        if path == "/health":
            settings = lab.settings
            return self._json({"status": "ok", "uptime_seconds": round(time.monotonic() - lab.started, 1),
                               "url": "https://%s:%d%s" % (settings["listen"] + (settings["path"],)),
                               "directory": settings["directory"], "names": settings["dns"]})
        if path == "/counters":
            return self._json(dict(lab.counters))
        if path == "/requests":
            return self._json(list(lab.requests))
        if path == "/files":
            return self._json(lab.files())
        if path == "/faults":
            return self._json({})
        return self._json({"error": "no such admin call: GET %s" % self.path}, 404)

    def do_POST(self):  # noqa: N802
        lab = self.server.lab
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.rstrip("/")
        if path == "/reset":
            lab.reset()
            return self._json({"status": "reset"})
        if path == "/counters/reset":
            with lab.lock:
                lab.counters.clear()
            return self._json({"status": "cleared"})
        return self._json({"error": "no such admin call: POST %s" % self.path}, 404)

    def do_PUT(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.rstrip("/") == "/faults":
            return self._json({})  # no faults of its own (yet): the phones' side has them
        return self._json({"error": "no such admin call: PUT %s" % self.path}, 404)

    def _json(self, data, status=200):
        body = json.dumps(data, indent=1).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="provserver", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profile", required=True)
    parser.add_argument("--state-dir", required=True)
    args = parser.parse_args(argv)
    state_dir = os.path.abspath(args.state_dir)
    settings = load(args.profile, state_dir)
    lab = Server(settings)
    host, port = settings["listen"]
    cert, key = certs.ensure_leaf(settings["cert_dir"], "provserver-%s" % host, ips=[host], dns=settings["dns"])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    files = _Threading((host, port), FileHandler)
    files.socket = context.wrap_socket(files.socket, server_side=True)
    admin = _Threading(settings["admin"], AdminHandler)
    servers = [files, admin]
    for server in servers:
        server.lab = lab
        threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    ready = os.path.join(state_dir, "provserver.ready")
    info = {"pid": os.getpid(), "admin": "http://%s:%d" % settings["admin"],
            "url": "https://%s:%d%s" % (host, port, settings["path"]), "directory": settings["directory"],
            "ca": certs.ensure_ca(settings["cert_dir"])[0], "users": sorted(settings["users"])}
    with open(ready + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    os.replace(ready + ".tmp", ready)
    print("provisioning server on %s (directory %s); admin on %s" % (info["url"], settings["directory"], info["admin"]),
          flush=True)
    while not stop.wait(0.5):
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    if os.path.exists(ready):
        os.unlink(ready)
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
