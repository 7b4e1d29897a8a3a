"""Self-test of the lab's SIP servers (tests/lab/sip) and of the phones' real registration (phone/sip.py).

One lab (GAX + kamailio registrars and proxies + phones) per module, started through labctl on
127.66.<30*worker + 10*lab + k>.y with its admin APIs on 127.0.0.66 and ports of its own. The registrars'
word is the sip admin API (their own location tables); the phones' is voip_status.cgi (read as a
client would) and the phone admin API. Every wait polls with a generous bound; no test asserts a
duration. Needs kamailio: skipped with a reason when it is missing and CI is unset; under CI it
must run (the Makefile's venv installs it). The 1000-phone test is marked `lab_scale`.
"""

import base64
import os
import shutil
import time
from xml.etree import ElementTree

import pytest
import requests
import yaml

from labfixture import PROFILES_DIR, REPO_ROOT, Lab

KAMAILIO = shutil.which("kamailio") or ("/usr/sbin/kamailio" if os.access("/usr/sbin/kamailio", os.X_OK) else None)
pytestmark = pytest.mark.skipif(KAMAILIO is None and not os.environ.get("CI"),
                                reason="kamailio is not installed (make venv installs it as root; "
                                       "apt-get install kamailio kamailio-tls-modules); under CI this test runs")

WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
ADMIN_HOST = "127.0.0.66"
WAIT = 45  # seconds any awaited state may take; generous on purpose
POOL = "sip-pool.site-a.lab"


class Net:
    """Addresses and ports of lab `n` (0..2) of this pytest worker: 127.66.<30*worker + 10*n + k>.y, ports of its own."""

    def __init__(self, n):
        base = 30 * WORKER + 10 * n
        assert base + 9 < 256, "pytest worker %d: no address block left in 127.66.0.0/16 (at most 8 workers)" % WORKER
        self.phones = "127.66.%d" % (base + 1)
        self.site_a, self.site_b = "127.66.%d.1" % (base + 2), "127.66.%d.1" % (base + 3)
        self.pool_1, self.pool_2 = "127.66.%d.11" % (base + 2), "127.66.%d.12" % (base + 2)
        self.port = 18160 + 40 * WORKER + 10 * n  # admin APIs port..port+3, phone web port+8 and port+9
        self.base = base

    def phone(self, name):
        return "%s.%d" % (self.phones, PHONES[name][0])


NET = Net(0)  # the module's lab
SITE_A, SITE_B, POOL_1, POOL_2 = NET.site_a, NET.site_b, NET.pool_1, NET.pool_2

# The phones of the module's lab: name -> (address suffix, model, line 0 settings over COMMON).
# SITE_A, SITE_B and POOL stand for the lab's own addresses (Net.config fills them in).
COMMON = {"voip/signalling/sip/use_proxy": 1, "voip/signalling/sip/registration_failed_timeout": 2,
          "voip/signalling/sip/proxy_timeout": 4}
PHONES = {
    "ok": (1, "420HD", {"voip/line/0/id": "1601", "voip/line/0/auth_name": "1601", "voip/line/0/auth_password": "pw-1601",
                        "voip/signalling/sip/proxy_address": "SITE_A", "voip/signalling/sip/proxy_timeout": 60}),
    "wrong_password": (2, "420HD", {"voip/line/0/id": "1602", "voip/line/0/auth_password": "not-it",
                                    "voip/signalling/sip/proxy_address": "SITE_A"}),
    "unknown": (3, "420HD", {"voip/line/0/id": "1699", "voip/line/0/auth_password": "whatever",
                             "voip/signalling/sip/proxy_address": "SITE_A"}),
    "tls": (4, "440HD", {"voip/line/0/id": "1603", "voip/line/0/auth_password": "pw-1603",
                         "voip/signalling/sip/transport_protocol": "TLS", "voip/signalling/sip/proxy_address": "SITE_A",
                         "voip/signalling/sip/proxy_port": 5061}),
    "udp_to_tls_port": (5, "420HD", {"voip/line/0/id": "1603", "voip/line/0/auth_password": "pw-1603",
                                     "voip/signalling/sip/proxy_address": "SITE_A",
                                     "voip/signalling/sip/proxy_port": 5061}),
    "fallback": (6, "430HD", {"voip/line/0/id": "1604", "voip/line/0/auth_password": "pw-1604",
                              "voip/signalling/sip/proxy_address": "SITE_A",
                              "voip/signalling/sip/redundant_proxy/enabled": 1,
                              "voip/signalling/sip/redundant_proxy/address": "SITE_B",
                              "voip/signalling/sip/redundant_proxy/mode": "PRIMARY_FALLBACK",
                              "voip/signalling/sip/redundant_proxy/symmetric_mode": 0}),
    "simultaneous": (7, "440HD", {"voip/line/0/id": "1605", "voip/line/0/auth_password": "pw-1605",
                                  "voip/signalling/sip/proxy_address": "SITE_A",
                                  "voip/signalling/sip/redundant_proxy/enabled": 1,
                                  "voip/signalling/sip/redundant_proxy/address": "SITE_B",
                                  "voip/signalling/sip/redundant_proxy/mode": "SIMULTANEOUS",
                                  "voip/signalling/sip/registrar_ka/enabled": 1}),
    "pool": (8, "420HD", {"voip/line/0/id": "1606", "voip/line/0/auth_password": "pw-1606",
                          "voip/signalling/sip/proxy_address": POOL,
                          "voip/signalling/sip/sip_outbound_proxy/enabled": 1,
                          "voip/signalling/sip/sip_outbound_proxy/addr": POOL,
                          "voip/signalling/sip/sip_outbound_proxy/port": 5060}),
    "open": (9, "405HD", {"voip/line/0/id": "1607", "voip/signalling/sip/proxy_address": "SITE_A"}),
    "late": (10, "420HD", {"voip/line/0/id": "1608", "voip/line/0/auth_password": "pw-1608",
                           "voip/signalling/sip/proxy_address": "SITE_A"}),
    "changing": (11, "420HD", {"voip/line/0/id": "1609", "voip/line/0/auth_password": "pw-1609",
                               "voip/signalling/sip/proxy_address": "SITE_A"}),
}
# DNs planted in the lab GAX as an operator would: number -> (switch DBIDs, [TServer] options)
DNS = {
    "1601": (("101",), {"authenticate-requests": "invite,register", "password": "pw-1601"}),
    "1602": (("101",), {"authenticate-requests": "register", "password": "pw-1602"}),
    "1603": (("101",), {"authenticate-requests": "register,invite", "password": "pw-1603"}),
    "1604": (("101", "102"), {"authenticate-requests": "register", "password": "pw-1604"}),
    "1605": (("101", "102"), {"authenticate-requests": "register", "password": "pw-1605"}),
    "1606": (("101",), {"authenticate-requests": "register", "password": "pw-1606"}),
    "1607": (("101",), {"authenticate-requests": "invite", "password": "not-asked-for-register"}),
    "1609": (("101",), {"authenticate-requests": "register", "password": "pw-1609"}),
    "1610": (("101",), {"authenticate-requests": "register", "password": "pw-1609"}),
}


def address(name):
    return NET.phone(name)


def profile(tmp, net=NET):
    """A lab of GAX, two registrars (sites A and B), a pool of two proxies in front of A, and PHONES."""
    certs = os.path.join(REPO_ROOT, ".lab", "certs")  # the lab CA, cached across runs
    places = {"SITE_A": net.site_a, "SITE_B": net.site_b}
    phones = [{"address": net.phone(name), "model": model,
               "config": {k: places.get(str(v), str(v)) for k, v in dict(COMMON, **config).items()}}
              for name, (_suffix, model, config) in PHONES.items()]
    phones_path = os.path.join(tmp, "phones-%d.yml" % net.base)
    with open(phones_path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(phones, handle)
    return {
        "gax": {"admin": "%s:%d" % (ADMIN_HOST, net.port), "seed": "gax-seed.yml", "cert_dir": certs,
                "instances": [{"name": "gax", "listen": "%s:%d" % (ADMIN_HOST, net.port + 1), "scheme": "http"}]},
        "sip": {"admin": "%s:%d" % (ADMIN_HOST, net.port + 2), "cert_dir": certs,
                "registrars": [{"name": "site-a", "switch": "SIP_Switch_A", "address": net.site_a},
                               {"name": "site-b", "switch": "SIP_Switch_B", "address": net.site_b}],
                "proxies": [{"name": "pool-a-1", "address": net.pool_1, "registrar": "site-a"},
                            {"name": "pool-a-2", "address": net.pool_2, "registrar": "site-a"}]},
        "phone": {"admin": "%s:%d" % (ADMIN_HOST, net.port + 3), "http_port": net.port + 8,
                  "https_port": net.port + 9, "cert_dir": certs, "phones_file": phones_path,
                  "timings": {"reboot_seconds": 1},
                  # lab deviations (README "## sip"): Timer F and the keep-alive periods shortened
                  "sip": {"enabled": True, "stagger_seconds": 0.5, "transaction_timeout": 1.5,
                          "keepalive_seconds": 1}},
        "names": [{"name": POOL, "addresses": [net.pool_1, net.pool_2]}],
    }


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("sip"))
    running = Lab(os.path.join(tmp, "state"), profile(tmp)).up()
    try:
        for number, (switches, options) in DNS.items():
            for switch in switches:
                plant_dn(running, number, switch, options)
        yield running
    finally:
        running.down()


@pytest.fixture(autouse=True)
def every_server_back(request):
    """A test that stops a server leaves the lab with all of them running again."""
    yield
    if "lab" in request.fixturenames:
        request.getfixturevalue("lab").post("sip", "/reset")


def plant_dn(lab, number, switch, options):
    props = [{"section": "TServer", "key": k, "value": v} for k, v in options.items()]
    return lab.post("gax", "/objects", {"type": "CfgDN", "subtype": "CFGExtension", "number": number,
                                        "switchdbid": switch, "userproperties": {"property": props}})


def location(lab, registrar, aor=None, phone=None):
    entries = lab.get("sip", "/registrars/%s/location" % registrar)
    return [e for e in entries if (aor is None or e["aor"] == aor)
            and (phone is None or e["contact"].split("@", 1)[1].startswith(phone + ":"))]


def voip_status(phone):
    """Line 1 of voip_status.cgi, read as a client reads it: log in, GET, parse the XML."""
    web = requests.Session()
    base = "http://%s:%d" % (phone, NET.port + 8)
    login = web.post(base + "/login.cgi", data={"user": "admin", "psw": base64.b64encode(b"1234").decode()}, timeout=10)
    assert "mainform.cgi?go=mainframe.htm" in login.text
    root = ElementTree.fromstring(web.get(base + "/voip_status.cgi", timeout=10).content)
    line = root.find("Line")
    return {"SipStatus": line.findtext("SipStatus"), "SipRegSrv": line.findtext("SipRegSrv") or "",
            "UserId": line.findtext("UserId")}


def wait_for(what, check, timeout=WAIT):
    """Poll check() until it returns something true; fail naming what was awaited and the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.25)
    raise AssertionError("waited %d s for %s; last seen: %r" % (timeout, what, last))


def sip_counter(lab, server, name):
    return lab.get("sip", "/counters")["servers"][server][name]


def events(lab, phone):
    return lab.get("phone", "/phones/%s/sip" % phone)["lines"][0]["events"]


def names_of(entries, since=0):
    return [(e["event"], e["server"]) for e in entries[since:]]


def ordered(sequence, wanted):
    """Whether the items of wanted appear in sequence in that order (other items may come between)."""
    position = 0
    for item in sequence:
        if position < len(wanted) and item == wanted[position]:
            position += 1
    return position == len(wanted)


# --- registration against the site's registrar ---------------------------------------------------------

def test_phone_with_the_dn_password_registers_and_the_registrar_holds_it(lab):
    phone = address("ok")
    entry = wait_for("1601 in site A's location table", lambda: location(lab, "site-a", "1601", phone))[0]
    assert entry["transport"] == "udp" and entry["socket"].startswith("udp:%s:" % SITE_A)
    assert entry["user_agent"].startswith("AUDC-IPPhone/2.2.16.501 (420HD;")
    assert voip_status(phone) == {"SipStatus": "Registered", "SipRegSrv": SITE_A, "UserId": "1601"}
    assert not location(lab, "site-b", "1601")
    wait_for("the registrar to count challenges and accepted registrations", lambda: sip_counter(
        lab, "site-a", "lab_challenges") >= 1 and sip_counter(lab, "site-a", "accepted_registrations") >= 1)


def test_wrong_password_is_challenged_and_stays_not_registered(lab):
    phone = address("wrong_password")
    wait_for("a 401 on the phone's line", lambda: any(
        e["event"] == "failed" and "401" in e["detail"] for e in events(lab, phone)))
    assert voip_status(phone)["SipStatus"] == "Not Registered"
    assert not location(lab, "site-a", "1602")
    wait_for("the registrar to count a bad password",  # the phone retries every 2 s
             lambda: sip_counter(lab, "site-a", "lab_auth_failures") >= 1)


def test_a_number_absent_from_the_switch_is_refused(lab):
    phone = address("unknown")
    wait_for("a 404 on the phone's line", lambda: any(
        e["event"] == "failed" and "404" in e["detail"] for e in events(lab, phone)))
    assert voip_status(phone) == {"SipStatus": "Not Registered", "SipRegSrv": "", "UserId": "1699"}
    assert "1699" not in lab.get("sip", "/registrars/site-a/dns")
    wait_for("the registrar to count an unknown user", lambda: sip_counter(lab, "site-a", "lab_unknown_users") >= 1)


def test_a_dn_that_does_not_authenticate_register_is_not_challenged(lab):
    phone = address("open")
    wait_for("1607 in site A's location table", lambda: location(lab, "site-a", "1607", phone))
    assert lab.get("sip", "/registrars/site-a/dns")["1607"] == {"challenge": False}
    assert lab.get("sip", "/registrars/site-a/dns")["1601"] == {"challenge": True}
    assert lab.get("phone", "/counters?phone=" + phone)["phones"][phone].get("sip_challenges", 0) == 0


def test_dn_writes_in_gax_reach_the_registrar(lab):
    phone = address("late")
    wait_for("a 404 for 1608 before it exists", lambda: any("404" in e["detail"] for e in events(lab, phone)))
    plant_dn(lab, "1608", "101", {"authenticate-requests": "register", "password": "pw-1608"})
    wait_for("1608 in site A's DN table", lambda: "1608" in lab.get("sip", "/registrars/site-a/dns"), timeout=5)
    wait_for("1608 registered", lambda: location(lab, "site-a", "1608", phone))
    # The operator changes the DN's password in GAX: the phone's next refresh is refused.
    dn = lab.get("gax", "/objects?type=CfgDN&number=1608")[0]
    gax = requests.Session()
    gax_url = lab.ready("gax")["url"] + "/gax/api"
    assert gax.post(gax_url + "/session/login", json={"username": "default", "password": "password",
                                                      "isPasswordEncrypted": False}, timeout=10).status_code == 204
    dn["userproperties"] = {"property": [{"section": "TServer", "key": "authenticate-requests", "value": "register"},
                                         {"section": "TServer", "key": "password", "value": "changed"}]}
    assert gax.put("%s/cfg/objects/CfgDN/%s" % (gax_url, dn["dbid"]), json=dn, timeout=10).status_code in (200, 204)
    wait_for("the phone refused after the password change",
             lambda: voip_status(phone)["SipStatus"] == "Not Registered")


# --- TLS ------------------------------------------------------------------------------------------------

def test_tls_phone_registers_over_tls_and_a_udp_phone_cannot_pretend(lab):
    tls_phone, udp_phone = address("tls"), address("udp_to_tls_port")
    entry = wait_for("1603 over TLS in site A's table", lambda: location(lab, "site-a", "1603", tls_phone))[0]
    assert entry["transport"] == "tls" and entry["socket"] == "tls:%s:5061" % SITE_A
    assert entry["contact"].endswith(";transport=tls")
    assert voip_status(tls_phone)["SipStatus"] == "Registered"
    # Same DN and password over UDP to the TLS port: no answer, no registration.
    wait_for("the UDP phone's attempt to time out", lambda: any(
        e["event"] == "failed" for e in events(lab, udp_phone)))
    assert voip_status(udp_phone)["SipStatus"] == "Not Registered"
    assert not location(lab, "site-a", "1603", udp_phone)
    assert all(e["transport"] == "tls" for e in location(lab, "site-a", "1603"))


# --- the phone's own life: configuration changes and reboots ----------------------------------------------------

def test_config_change_unregisters_the_old_user_and_registers_the_new_one(lab):
    phone = address("changing")
    wait_for("1609 registered", lambda: location(lab, "site-a", "1609", phone))
    lab.put("phone", "/phones/%s/variant" % phone, {"after_upload": "live", "apply": "merge"})
    web = requests.Session()
    base = "http://%s:%d" % (phone, NET.port + 8)
    web.post(base + "/login.cgi", data={"user": "admin", "psw": base64.b64encode(b"1234").decode()}, timeout=10)
    web.get(base + "/mainform.cgi/manu_config.htm", timeout=10)
    web.post(base + "/mainform.cgi/manu_config.htm", data={"CFG_UPLOAD": "1", "show_modified_cfg_params": "false"},
             files={"back_file": ("p.cfg", b"voip/line/0/id=1610\nvoip/line/0/auth_name=1610\n")}, timeout=10)
    wait_for("1610 registered", lambda: location(lab, "site-a", "1610", phone))
    wait_for("1609 unregistered", lambda: not location(lab, "site-a", "1609", phone))
    assert voip_status(phone)["UserId"] == "1610"


def test_reboot_drops_the_phone_then_it_registers_afresh(lab):
    phone = address("ok")
    wait_for("1601 registered", lambda: voip_status(phone)["SipStatus"] == "Registered")
    before = lab.get("phone", "/phones/%s/sip" % phone)["lines"][0]["bindings"][0]["call_id"]
    lab.post("phone", "/phones/%s/reboot" % phone)
    after = wait_for("a new registration after the reboot", lambda: [
        e for e in location(lab, "site-a", "1601", phone) if e["call_id"] != before])
    assert after[0]["contact"] == "sip:1601@%s:5060" % phone
    assert voip_status(phone)["SipStatus"] == "Registered"


# --- Business Continuity ---------------------------------------------------------------------------------

def test_primary_fallback_moves_to_site_b_and_back_when_site_a_returns(lab):
    phone = address("fallback")
    wait_for("registered at A", lambda: voip_status(phone)["SipRegSrv"] == SITE_A and location(lab, "site-a", "1604", phone))
    assert not location(lab, "site-b", "1604", phone)
    start = len(events(lab, phone))
    lab.post("sip", "/servers/site-a/stop")
    wait_for("re-registered at B", lambda: voip_status(phone) == {
        "SipStatus": "Registered", "SipRegSrv": SITE_B, "UserId": "1604"} and location(lab, "site-b", "1604", phone))
    lab.post("sip", "/servers/site-a/start")
    wait_for("back at A", lambda: voip_status(phone)["SipRegSrv"] == SITE_A and location(lab, "site-a", "1604", phone))
    wait_for("gone from B (unregistered)", lambda: not location(lab, "site-b", "1604", phone))
    seen = names_of(events(lab, phone), start)
    assert ordered(seen, [("failover", SITE_B), ("registered", SITE_B), ("switch_back", SITE_A),
                          ("registered", SITE_A), ("unregistered", SITE_B)]), seen


def test_simultaneous_registers_at_both_sites_and_stays_at_b_when_a_stops(lab):
    phone = address("simultaneous")
    wait_for("registered at both", lambda: voip_status(phone)["SipRegSrv"] == "%s,%s" % (SITE_A, SITE_B)
             and location(lab, "site-a", "1605", phone) and location(lab, "site-b", "1605", phone))
    start = len(events(lab, phone))
    lab.post("sip", "/servers/site-a/stop")
    wait_for("A noticed dead (keep-alive)", lambda: voip_status(phone) == {
        "SipStatus": "Registered", "SipRegSrv": SITE_B, "UserId": "1605"})
    time.sleep(3)  # a few refresh periods at B (proxy_timeout 4)
    assert voip_status(phone)["SipRegSrv"] == SITE_B and location(lab, "site-b", "1605", phone)
    seen = events(lab, phone)[start:]
    assert not [e for e in seen if e["server"] == SITE_B and e["event"] in ("failed", "lost")], seen
    assert ("failed", SITE_A) in names_of(seen) or ("lost", SITE_A) in names_of(seen)


# --- SIP Proxy HA -------------------------------------------------------------------------------------------

def test_proxy_pool_member_stops_and_the_phone_stays_registered_through_the_other(lab):
    phone = address("pool")
    entry = wait_for("1606 registered through the pool", lambda: location(lab, "site-a", "1606", phone))[0]
    assert voip_status(phone) == {"SipStatus": "Registered", "SipRegSrv": POOL, "UserId": "1606"}
    first = entry["via_proxy"]
    assert first in (POOL_1, POOL_2)
    other = POOL_2 if first == POOL_1 else POOL_1
    lab.post("sip", "/servers/%s/stop" % ("pool-a-1" if first == POOL_1 else "pool-a-2"))
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert voip_status(phone)["SipStatus"] == "Registered"  # never a gap: the next address took over
        now = location(lab, "site-a", "1606", phone)
        if now and now[0]["via_proxy"] == other:
            break
        time.sleep(0.25)
    else:
        raise AssertionError("the phone never registered through %s" % other)
    line = lab.get("phone", "/phones/%s/sip" % phone)["lines"][0]
    assert line["bindings"][0]["address"] == other and line["bindings"][0]["state"] == "registered"
    assert any(e["event"] == "next_address" and e["detail"] == "from %s to %s" % (first, other) for e in line["events"])


# --- processes and sockets ---------------------------------------------------------------------------------------

def _lab_pids(running):
    pids = set()
    for kind in ("gax", "sip", "phone"):
        pids.add(running.ready(kind)["pid"])
    for server in running.get("sip", "/servers"):
        if server["pid"]:
            pids |= {int(p) for p in os.listdir("/proc") if p.isdigit() and _pgid(int(p)) == server["pid"]}
    return pids


def _pgid(pid):
    """The process group of a live process; None when it is gone (a zombie is gone: it only waits to be reaped)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as stat:
            fields = stat.read().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] == "Z" else int(fields[2])


def _sockets():
    """inode -> (proto, local address, state) of every IPv4/IPv6 TCP and UDP socket of the machine."""
    found = {}
    for proto in ("tcp", "udp", "tcp6", "udp6"):
        with open("/proc/net/" + proto, encoding="ascii") as table:
            for row in table.read().splitlines()[1:]:
                fields = row.split()
                found[fields[9]] = (proto, _address(fields[1].split(":")[0]), fields[3])
    return found


def _address(hexed):
    if len(hexed) == 8:
        return ".".join(str(int(hexed[i:i + 2], 16)) for i in (6, 4, 2, 0))
    return "ipv6:" + hexed


def _listening(pids):
    """(proto, address) of the sockets the pids listen on (TCP LISTEN, every bound UDP socket)."""
    sockets, found = _sockets(), set()
    for pid in pids:
        try:
            links = [os.readlink("/proc/%d/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%d/fd" % pid)]
        except OSError:
            continue
        for link in links:
            if link.startswith("socket:[") and link[8:-1] in sockets:
                proto, local, state = sockets[link[8:-1]]
                if proto.startswith("udp") or state == "0A":
                    found.add((proto, local))
    return found


def test_lab_listens_on_loopback_only_and_leaves_nothing_after_down(tmp_path):
    net = Net(1)
    running = Lab(str(tmp_path / "state"), profile(str(tmp_path), net)).up()
    try:
        pids = _lab_pids(running)
        assert len(pids) > 3 + 4 * 2  # three emulators, and per kamailio a main process and its workers
        listening = _listening(pids)
        outside = sorted(item for item in listening if not item[1].startswith("127."))
        assert not outside, "listening outside 127.0.0.0/8: %s" % outside
        for server in (net.site_a, net.site_b, net.pool_1, net.pool_2):
            assert {("udp", server), ("tcp", server)} <= listening, (server, sorted(listening))
        assert ("udp", net.phone("ok")) in listening  # the phone's own SIP socket
    finally:
        running.down()
    left = sorted(pid for pid in pids if _pgid(pid) is not None)
    assert not left, "still running after labctl down: %s" % left
    ours = ("127.66.%d." % (net.base + 1), "127.66.%d." % (net.base + 2), "127.66.%d." % (net.base + 3))
    still = sorted((p, a) for p, a, state in _sockets().values()
                   if a.startswith(ours) and (p.startswith("udp") or state == "0A"))
    assert not still, "still listening after labctl down: %s" % still


# --- scale -----------------------------------------------------------------------------------------------------

@pytest.mark.lab_scale
def test_a_thousand_phones_register_two_lines_each_without_hogging_the_cpu(tmp_path):
    tmp = str(tmp_path)
    net = Net(2)
    base = net.base
    seed_path = os.path.join(tmp, "seed.yml")
    with open(os.path.join(PROFILES_DIR, "gax-seed.yml"), encoding="utf-8") as handle:
        seed = yaml.safe_load(handle)
    numbers = ["%d" % (20000 + i) for i in range(2000)]
    seed["objects"]["CfgDN"] += [{"dbid": 1000 + i, "subtype": "CFGExtension", "number": number, "switchdbid": 101,
                                  "userproperties": {"property": [
                                      {"section": "TServer", "key": "authenticate-requests", "value": "register"},
                                      {"section": "TServer", "key": "password", "value": "pw-" + number}]}}
                                 for i, number in enumerate(numbers)]
    with open(seed_path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(seed, handle)
    phones = []
    for i in range(1000):
        ip = "127.66.%d.%d" % (base + 4 + i // 250, 1 + i % 250)  # 127.66.<base+4..base+7>.y
        config = {"voip/signalling/sip/use_proxy": "1", "voip/signalling/sip/proxy_address": net.site_a,
                  "voip/line/1/enabled": "1", "voip/signalling/sip/registration_failed_timeout": "5"}
        for line in (0, 1):
            number = numbers[2 * i + line]
            config.update({"voip/line/%d/id" % line: number, "voip/line/%d/auth_password" % line: "pw-" + number})
        phones.append({"address": ip, "model": "420HD", "config": config})
    with open(os.path.join(tmp, "phones.yml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(phones, handle)
    certs = os.path.join(REPO_ROOT, ".lab", "certs")
    running = Lab(os.path.join(tmp, "state"), {
        "gax": {"admin": "%s:%d" % (ADMIN_HOST, net.port), "seed": seed_path, "cert_dir": certs,
                "instances": [{"name": "gax", "listen": "%s:%d" % (ADMIN_HOST, net.port + 1), "scheme": "http"}]},
        "sip": {"admin": "%s:%d" % (ADMIN_HOST, net.port + 2), "cert_dir": certs,
                "registrars": [{"name": "site-a", "switch": "SIP_Switch_A", "address": net.site_a}]},
        "phone": {"admin": "%s:%d" % (ADMIN_HOST, net.port + 3), "http_port": net.port + 8, "https_port": net.port + 9,
                  "cert_dir": certs, "phones_file": os.path.join(tmp, "phones.yml"),
                  "sip": {"enabled": True, "stagger_seconds": 10}},
    }).up()
    try:
        def all_registered():
            summary = running.get("phone", "/sip")
            return summary if summary["registered_lines"] == 2000 else None

        assert wait_for("2000 lines registered", all_registered, timeout=180)["by_server"] == {net.site_a: 2000}
        entries = running.get("sip", "/registrars/site-a/location")
        assert len({e["aor"] for e in entries}) == 2000
        before = running.get("phone", "/counters")["cpu_seconds"]["total"]
        time.sleep(5)  # steady state: nothing to refresh for an hour, so the process should idle
        spent = running.get("phone", "/counters")["cpu_seconds"]["total"] - before
        assert spent < 2.5, "the phone process spent %.2f s of CPU in 5 idle seconds" % spent
    finally:
        running.down()
