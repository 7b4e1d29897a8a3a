"""The admin API (tests only, JSON): the SIP servers' own state, never a phone's word for it."""

import json
import os
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .server import ServerError


class AdminError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class AdminServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, lab):
        self.lab = lab
        self.started = time.monotonic()
        super().__init__(address, AdminHandler)


class AdminHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sip-lab-admin"
    sys_version = ""

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stdout.write("admin %s\n" % (format % args))
        sys.stdout.flush()

    def dispatch(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length > 0 else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError as error:
                raise AdminError(400, "the body is not JSON: %s" % error) from error
            for method, pattern, action in ROUTES:
                match = re.fullmatch(pattern, url.path.rstrip("/") or "/")
                if match and method == self.command:
                    self.reply(200, action(self.server, query, body, *match.groups()))
                    return
            raise AdminError(404, "no such admin call: %s %s" % (self.command, url.path))
        except AdminError as error:
            self.reply(error.status, {"error": str(error)})
        except ServerError as error:
            self.reply(409, {"error": str(error)})

    do_GET = do_POST = do_PUT = do_DELETE = dispatch

    def reply(self, status, value):
        body = json.dumps(value, indent=1).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _server(admin, name, role=None):
    kamailio = admin.lab.servers.get(name)
    if kamailio is None or (role and kamailio.role != role):
        raise AdminError(404, "no %s named %r (have: %s)" % (role or "server", name, ", ".join(
            n for n, k in admin.lab.servers.items() if not role or k.role == role)))
    return kamailio


def health(admin, _query, _body):
    lab = admin.lab
    return {"status": "ok", "pid": os.getpid(), "uptime_seconds": round(time.monotonic() - admin.started, 1),
            "servers": {name: {"role": k.role, "running": k.running(), "pid": k.pid()} for name, k in lab.servers.items()},
            "missing_switches": lab.missing_switches}


def reset(admin, _query, _body):
    """Every server running again, counters cleared, DN tables read afresh from the lab GAX."""
    lab = admin.lab
    started = [name for name in lab.stopped() if lab.start_server(name)]
    lab.reset_counters()
    lab.sync(force=True)
    return {"status": "reset", "started": started}


def counters(admin, _query, _body):
    lab = admin.lab
    return {"servers": {name: lab.server_counters(name) for name in lab.servers}, "sync": dict(lab.counters)}


def counters_reset(admin, _query, _body):
    admin.lab.reset_counters()
    return {"status": "cleared"}


def get_faults(admin, _query, _body):
    return {"stopped": admin.lab.stopped()}


def put_faults(admin, _query, body):
    """`{"stopped": [names]}`: exactly those servers are down (a dead site), every other one runs."""
    if not isinstance(body, dict) or set(body) - {"stopped"}:
        raise AdminError(400, 'PUT /faults takes {"stopped": [server names]}')
    lab = admin.lab
    if "stopped" in body:
        wanted = body["stopped"]
        if not isinstance(wanted, list) or any(name not in lab.servers for name in wanted):
            raise AdminError(400, "stopped: a list of server names out of %s" % sorted(lab.servers))
        for name in lab.servers:
            if name in wanted:
                lab.stop_server(name)
            else:
                lab.start_server(name)
    return {"stopped": lab.stopped()}


def list_servers(admin, _query, _body):
    return [admin.lab.server_info(name) for name in admin.lab.servers]


def get_server(admin, _query, _body, name):
    _server(admin, name)
    return admin.lab.server_info(name)


def stop_server(admin, _query, _body, name):
    _server(admin, name)
    changed = admin.lab.stop_server(name)
    return dict(admin.lab.server_info(name), changed=changed)


def start_server(admin, _query, _body, name):
    _server(admin, name)
    changed = admin.lab.start_server(name)
    return dict(admin.lab.server_info(name), changed=changed)


def location(admin, query, _body, name):
    kamailio = _server(admin, name, "registrar")
    if not kamailio.running():
        raise AdminError(409, "registrar %s is stopped: it has no location table" % name)
    entries = admin.lab.location(name)
    if query.get("aor"):
        entries = [e for e in entries if e["aor"] == query["aor"]]
    return entries


def all_locations(admin, _query, _body):
    found = {}
    for name, kamailio in admin.lab.servers.items():
        if kamailio.role == "registrar":
            try:
                found[name] = admin.lab.location(name)
            except ServerError:
                found[name] = None  # stopped
    return found


def dns(admin, _query, _body, name):
    _server(admin, name, "registrar")
    return admin.lab.dn_view(name)


ROUTES = [
    ("GET", r"/health", health),
    ("POST", r"/reset", reset),
    ("GET", r"/counters", counters),
    ("POST", r"/counters/reset", counters_reset),
    ("GET", r"/faults", get_faults),
    ("PUT", r"/faults", put_faults),
    ("GET", r"/names", lambda admin, *_: admin.lab.settings["names"]),
    ("GET", r"/servers", list_servers),
    ("GET", r"/servers/([A-Za-z0-9_-]+)", get_server),
    ("POST", r"/servers/([A-Za-z0-9_-]+)/stop", stop_server),
    ("POST", r"/servers/([A-Za-z0-9_-]+)/start", start_server),
    ("GET", r"/location", all_locations),
    ("GET", r"/registrars/([A-Za-z0-9_-]+)/location", location),
    ("GET", r"/registrars/([A-Za-z0-9_-]+)/dns", dns),
]
