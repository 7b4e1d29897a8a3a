"""The `sip:` section of a lab profile (and the lab-wide `names:` table), checked and completed."""

import ipaddress
import os
import re
import shutil

import yaml

from labcommon.names import parse_names

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEFAULT_CERT_DIR = os.path.join(REPO_ROOT, ".lab", "certs")
SECTION_KEYS = {"enabled", "admin", "kamailio", "cert_dir", "gax_instance", "sync_interval", "memory_mb",
                "log_level", "registrars", "proxies"}
REGISTRAR_KEYS = {"name", "switch", "address", "udp_port", "tls_port", "realm"}
PROXY_KEYS = {"name", "address", "udp_port", "tls_port", "registrar"}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class SettingsError(Exception):
    pass


def load(path):
    """The checked settings of the profile's `sip:` section, plus the lab's `names:` table."""
    with open(path, encoding="utf-8") as handle:
        profile = yaml.safe_load(handle) or {}
    section = profile.get("sip")
    if not isinstance(section, dict):
        raise SettingsError("%s has no sip: section" % path)
    _only(section, SECTION_KEYS, "sip")
    base = profile.get("profile_dir") or os.path.dirname(os.path.abspath(path))
    cert_dir = section.get("cert_dir")
    settings = {
        "admin": host_port(section.get("admin", "127.0.0.4:8082"), "sip.admin"),
        "kamailio": section.get("kamailio") or find_kamailio(),
        "cert_dir": os.path.normpath(os.path.join(base, str(cert_dir))) if cert_dir else DEFAULT_CERT_DIR,
        "gax_instance": section.get("gax_instance"),
        "sync_interval": float(section.get("sync_interval", 0.2)),
        "memory_mb": int(section.get("memory_mb", 32)),
        "log_level": int(section.get("log_level", 1)),
        "has_gax": isinstance(profile.get("gax"), dict) and profile["gax"].get("enabled", True) is not False,
        "names": check_names(profile.get("names")),
    }
    if not settings["kamailio"]:
        raise SettingsError("kamailio is not installed (no `kamailio` on PATH nor in /usr/sbin): run `make venv` as "
                            "root, or apt-get install kamailio kamailio-tls-modules, or set sip.enabled: false")
    registrars = [_registrar(raw, i) for i, raw in enumerate(section.get("registrars") or [])]
    if not registrars:
        raise SettingsError("sip.registrars: give at least one registrar (one per site)")
    by_name = {r["name"]: r for r in registrars}
    proxies = [_proxy(raw, i, by_name) for i, raw in enumerate(section.get("proxies") or [])]
    servers = registrars + proxies
    names = [s["name"] for s in servers]
    if len(set(names)) != len(names):
        raise SettingsError("sip: every registrar and proxy needs its own name, got %s" % names)
    sockets = [(s["address"], port) for s in servers for port in (s["udp_port"], s["tls_port"])]
    if len(set(sockets)) != len(sockets):
        raise SettingsError("sip: two servers listen on the same address and port: %s" % sorted(sockets))
    if not settings["has_gax"]:
        raise SettingsError("sip: the registrars take their DNs from the lab GAX; the profile needs a gax: section")
    settings["servers"] = servers
    return settings


def find_kamailio():
    return shutil.which("kamailio") or next((p for p in ("/usr/sbin/kamailio", "/usr/local/sbin/kamailio")
                                             if os.access(p, os.X_OK)), None)


def check_names(raw):
    """The lab's own name table (labcommon.names): never the machine's resolver."""
    try:
        return parse_names(raw)
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc


def _registrar(raw, index):
    where = "sip.registrars[%d]" % index
    _only(raw, REGISTRAR_KEYS, where)
    server = _server(raw, where, "registrar")
    if not raw.get("switch"):
        raise SettingsError("%s (%s): name the switch it serves (switch: SIP_Switch_A)" % (where, server["name"]))
    server["switch"] = str(raw["switch"])
    server["realm"] = str(raw.get("realm") or server["address"])
    return server


def _proxy(raw, index, registrars):
    where = "sip.proxies[%d]" % index
    _only(raw, PROXY_KEYS, where)
    server = _server(raw, where, "proxy")
    if raw.get("registrar") not in registrars:
        raise SettingsError("%s (%s): registrar must name one of %s" % (where, server["name"], sorted(registrars)))
    server["registrar"] = raw["registrar"]
    return server


def _server(raw, where, role):
    if not isinstance(raw, dict):
        raise SettingsError("%s must be a mapping" % where)
    name = str(raw.get("name", ""))
    if not NAME_RE.match(name):
        raise SettingsError("%s: name %r: use letters, digits, - and _" % (where, name))
    address = str(raw.get("address", ""))
    if not loopback(address):
        raise SettingsError("%s (%s): address must be 127.x.y.z, got %r" % (where, name, address))
    ports = {}
    for key, default in (("udp_port", 5060), ("tls_port", 5061)):
        value = raw.get(key, default)
        if not isinstance(value, int) or not 1 <= value <= 65535:
            raise SettingsError("%s (%s): %s must be a port number, got %r" % (where, name, key, value))
        ports[key] = value
    if ports["udp_port"] == ports["tls_port"]:
        raise SettingsError("%s (%s): udp_port (also TCP) and tls_port must differ" % (where, name))
    return dict({"name": name, "role": role, "address": address}, **ports)


def host_port(text, where):
    host, port = (":" + str(text)).rsplit(":", 1)
    host = host[1:]
    if not port.isdigit() or not loopback(host):
        raise SettingsError("%s must be 127.x.y.z:port, got %r" % (where, text))
    return host, int(port)


def loopback(text):
    try:
        return ipaddress.ip_address(text).version == 4 and ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _only(raw, allowed, where):
    if not isinstance(raw, dict):
        raise SettingsError("%s must be a mapping" % where)
    unknown = set(raw) - set(allowed)
    if unknown:
        raise SettingsError("%s: unknown setting(s) %s (known: %s)" % (where, sorted(unknown), sorted(allowed)))
