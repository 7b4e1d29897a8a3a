"""The deployments, proved end to end: the phones they configure really register, where the note says.

The lab of this module runs the lab's SIP side (tests/lab/README.md "## sip"): one kamailio
registrar per site fed with the lab GAX's DNs, a SIP Proxy pool of two in front of each, and
phones that register for real (``phone.sip``). After each deployment the tests judge, from the
registrars' own location tables AND from each phone's voip_status.cgi (read as a client reads it),
cross-checked, where every registering line is registered:

- Business Continuity, primary-fallback: at its home site only; site A's registrar stopped, site A's
  lines register at B; started again, they switch back to A (and leave B); site B's lines stay at B.
- Business Continuity, simultaneous: at both sites; site A's registrar stopped, every line stays
  registered at B throughout, and is back at A once A runs again.
- SIP Proxy HA: through the pool FQDN; the pool member in use stopped, the lines stay registered
  through the other member.
- TLS (``tls`` feature): the phone registers over TLS on the site's ``tls_port``.
- A DN whose password is changed in the lab GAX behind the inventory's back: the line is not
  registered, and ``verify.yml -e verify_registration=true`` fails naming the phone, line and DN.

The lab is started with ``lab_factory`` on this module's own block: phones on 127.57.x.y,
registrars and proxies on 127.57.<8w+3>.y, GAX and admin APIs on 127.0.0.57 with high ports. The
inventory is a copy of inventories/lab with its addresses moved there, its sites' ``sip_server``
addresses and pool names pointed at this lab's servers, and only the few phones below kept (the
lab's phones are generated from that copy, as ``make lab-up`` does). Lab deviations (README "## sip"):
short Timer F and keep-alive periods, little stagger, and an early refresh (``refresh_ratio``) so
that a stopped registrar is noticed within seconds rather than at half of the 300 s expiry. Every
wait polls with a generous bound; nothing asserts a duration, only the order of events.
"""

import base64
import os
import shutil
import time
from xml.etree import ElementTree

import pytest
import requests
import yaml

from deploy_support import copy_lab_inventory, phones_file_from, run_playbook
from labfixture import only_these_emulators

KAMAILIO = shutil.which('kamailio') or ('/usr/sbin/kamailio' if os.access('/usr/sbin/kamailio', os.X_OK) else None)
pytestmark = pytest.mark.skipif(KAMAILIO is None and not os.environ.get('CI'),
                                reason='kamailio is not installed (make venv installs it as root); under CI this test runs')

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.57.%d.' % (8 * WORKER + 1)
SITE_B_NET = '127.57.%d.' % (8 * WORKER + 2)
SERVER_NET = '127.57.%d.' % (8 * WORKER + 3)
REGISTRAR = {'A': SERVER_NET + '10', 'B': SERVER_NET + '20'}
REGISTRAR_NAME = {'A': 'site-a', 'B': 'site-b'}
POOL = {'A': 'sip-pool-a.reg.lab.test', 'B': 'sip-pool-b.reg.lab.test'}
POOL_MEMBERS = {'A': [('pool-a-1', SERVER_NET + '11'), ('pool-a-2', SERVER_NET + '12')],
                'B': [('pool-b-1', SERVER_NET + '21'), ('pool-b-2', SERVER_NET + '22')]}
PORT_BASE = 18700 + 10 * WORKER
ADMIN_HOST = '127.0.0.57'
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
SIP_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 3)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 4, PORT_BASE + 5

WAIT = 60  # seconds any awaited state may take; generous on purpose

# The phones kept from inventories/lab: host -> (site, the DNs of its registering lines, in line order).
# phone-a04: a site A phone with an authenticated and an open line; phone-b04: site B, open lines;
# phone-b05: site B, the TLS phone (sip_auth).
PHONES = {'phone-a04': ('A', ['1512', '1513']), 'phone-b04': ('B', ['1530', '1531']), 'phone-b05': ('B', ['1532'])}
TLS_PHONE = 'phone-b05'
WEB_PASSWORD = 'Lab-Phone-Admin-26'  # inventories/lab audiocodes_password


def address(name):
    site, number = name.split('-')[1][0], int(name.split('-')[1][1:])
    return (SITE_A_NET if site == 'a' else SITE_B_NET) + str(10 + number)


# --- the inventory, moved to this module's block --------------------------------------------------

def moved(text):
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def write_inventory(dest):
    """inventories/lab copied to ``dest``: addresses moved, sites pointed at this lab, PHONES only."""
    copy_lab_inventory(dest, moved)
    path = os.path.join(dest, 'hosts.yml')
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    for group in data['phones']['children'].values():
        group['hosts'] = dict((h, v) for h, v in group['hosts'].items() if h in PHONES)
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    path = os.path.join(dest, 'group_vars', 'all', 'main.yml')
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    for site in data['gac_sites']:
        site['sip_server']['address'] = REGISTRAR[site['name']]
        site['sip_proxy_pool']['fqdn'] = POOL[site['name']]
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    return dest


# --- the lab ------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def reg(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('registration')
    inventory = write_inventory(str(tmp / 'inventory'))
    phones_file = str(tmp / 'phones.yml')
    phones_file_from(inventory, phones_file)
    overrides = only_these_emulators({
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1},
                  # lab deviations (README "## sip"): short Timer F and keep-alives, little stagger,
                  # an early refresh (a stopped registrar is noticed at the next refresh)
                  'sip': {'enabled': True, 'stagger_seconds': 0.5, 'transaction_timeout': 1.5,
                          'keepalive_seconds': 1, 'refresh_ratio': 0.1}},
        'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'http'}]},
        'sip': {'enabled': True, 'admin': SIP_ADMIN,
                'registrars': [{'name': REGISTRAR_NAME[s], 'switch': 'SIP_Switch_%s' % s, 'address': REGISTRAR[s]}
                               for s in ('A', 'B')],
                'proxies': [{'name': name, 'address': ip, 'registrar': REGISTRAR_NAME[s]}
                            for s in ('A', 'B') for name, ip in POOL_MEMBERS[s]]},
        'names': [{'name': POOL[s], 'addresses': [ip for _name, ip in POOL_MEMBERS[s]]} for s in ('A', 'B')],
    })
    lab = lab_factory('registration', overrides)
    return Registration(lab, inventory)


@pytest.fixture(autouse=True)
def every_server_back(request):
    """A test that stops a server leaves every server running again."""
    yield
    if 'reg' in request.fixturenames:
        request.getfixturevalue('reg').lab.put('sip', '/faults', {'stopped': []})


class Registration:
    def __init__(self, lab, inventory):
        self.lab = lab
        self.inventory = inventory

    def play(self, playbook, extra=()):
        result = run_playbook(playbook, self.inventory, HTTPS_PORT, extra, timeout=600)
        return result.returncode, result.stdout + result.stderr

    def deploy(self, playbook, extra=()):
        rc, output = self.play(playbook, extra)
        assert rc == 0, 'exit %d; output ends:\n%s' % (rc, output[-6000:])

    # the registrars' word
    def bindings(self):
        """``{(phone address, DN): {site: entry}}`` from both registrars' own location tables."""
        found = {}
        for site in ('A', 'B'):
            entries = self.lab.get('sip', '/location')[REGISTRAR_NAME[site]] or []
            for entry in entries:
                phone = entry['contact'].split('@', 1)[1].split(':', 1)[0].split(';', 1)[0]
                found.setdefault((phone, entry['aor']), {})[site] = entry
        return found

    # the phone's word, read as a client reads it
    def voip_status(self, host):
        """``{DN: (SipStatus, SipRegSrv)}`` of the phone's lines, from voip_status.cgi."""
        web = requests.Session()
        base = 'http://%s:%d' % (address(host), HTTP_PORT)
        try:
            login = web.post(base + '/login.cgi', data={'user': 'admin', 'psw': base64.b64encode(WEB_PASSWORD.encode()).decode()},
                             timeout=10)
            assert 'mainform.cgi?go=mainframe.htm' in login.text, 'cannot log in to %s' % host
            root = ElementTree.fromstring(web.get(base + '/voip_status.cgi', timeout=10).content)
        except requests.ConnectionError:  # rebooting: no line to report
            return {}
        return dict((line.findtext('UserId'), (line.findtext('SipStatus'), line.findtext('SipRegSrv') or ''))
                    for line in root.findall('Line') if line.findtext('UserId'))

    def events(self, host, dn):
        for line in self.lab.get('phone', '/phones/%s/sip' % address(host))['lines']:
            if line['user'] == dn:
                return [(e['event'], e['server']) for e in line['events']]
        return []

    def where(self):
        """``{(host, DN): (sites holding it per the registrars, phone's SipStatus, phone's SipRegSrv)}``."""
        bindings = self.bindings()
        seen = {}
        for host, (_site, dns) in PHONES.items():
            status = self.voip_status(host)
            for dn in dns:
                sites = tuple(sorted(bindings.get((address(host), dn), {})))
                seen[(host, dn)] = (sites,) + status.get(dn, ('absent', ''))
        LAST_SEEN['seen'] = seen
        return seen


LAST_SEEN = {}  # the last state a check looked at, for the message of a wait that timed out


def wait_for(what, check, timeout=WAIT):
    """Poll check() until it returns something true; fail naming what was awaited and the last state seen."""
    deadline = time.monotonic() + timeout
    last = None
    LAST_SEEN.clear()
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError('waited %d s for %s; last seen: %r' % (timeout, what, LAST_SEEN.get('seen', last)))


def expected(sites_of):
    """What ``where()`` must show when each line is held by ``sites_of(home)`` (registrars and phone agree)."""
    want = {}
    for host, (home, dns) in PHONES.items():
        sites = tuple(sorted(sites_of(home)))
        # SipRegSrv: the configured server(s) holding the line, primary (home) first.
        servers = ','.join(REGISTRAR[s] for s in sorted(sites, key=lambda s: s != home))
        for dn in dns:
            want[(host, dn)] = (sites, 'Registered', servers) if sites else ((), 'Not Registered', '')
    return want


def settled(reg, want):
    """Returns ``where()`` once it equals ``want`` (None otherwise, for wait_for)."""
    seen = reg.where()
    return seen if seen == want else None


def ordered(sequence, wanted):
    position = 0
    for item in sequence:
        if position < len(wanted) and item == wanted[position]:
            position += 1
    return position == len(wanted)


HOME_ONLY = expected(lambda home: [home])
BOTH = expected(lambda home: ['A', 'B'])
AT_B = expected(lambda home: ['B'])


# --- Business Continuity, primary-fallback ---------------------------------------------------------

def test_primary_fallback_registers_every_line_at_its_home_site_only(reg):
    reg.deploy('deploy_bc.yml', ['gac_bc_mode=primary_fallback'])
    wait_for('every line at its home site only (registrars and voip_status)', lambda: settled(reg, HOME_ONLY))


def test_tls_phone_registers_over_tls_on_the_sites_tls_port(reg):
    reg.deploy('deploy_bc.yml', ['gac_bc_mode=primary_fallback'])
    config = reg.lab.get('phone', '/phones/%s/config' % address(TLS_PHONE))
    assert config['voip/signalling/sip/transport_protocol'] == 'TLS'
    assert (config['voip/signalling/sip/proxy_port'], config['voip/signalling/sip/redundant_proxy/port']) == ('5061', '5061')
    entry = wait_for('1532 of the TLS phone in site B\'s location table', lambda: reg.bindings().get(
        (address(TLS_PHONE), '1532'), {}).get('B'))
    assert entry['transport'] == 'tls' and entry['socket'].startswith('tls:%s:5061' % REGISTRAR['B']), entry
    for host in PHONES:
        if host != TLS_PHONE:
            for dn in PHONES[host][1]:
                held = reg.bindings().get((address(host), dn), {})
                assert all(e['transport'] == 'udp' for e in held.values()), (host, dn, held)


def test_primary_fallback_fails_over_to_b_when_a_stops_and_switches_back_when_it_runs(reg):
    reg.deploy('deploy_bc.yml', ['gac_bc_mode=primary_fallback'])
    wait_for('every line at its home site only', lambda: settled(reg, HOME_ONLY))
    before = dict(((host, dn), len(reg.events(host, dn))) for host, (_s, dns) in PHONES.items() for dn in dns)

    assert reg.lab.post('sip', '/servers/site-a/stop')['changed'] is True
    wait_for('site A\'s lines registered at B, site B\'s still at B', lambda: settled(reg, AT_B))

    assert reg.lab.post('sip', '/servers/site-a/start')['changed'] is True
    wait_for('site A\'s lines back at A only, site B\'s at B only', lambda: settled(reg, HOME_ONLY))

    for dn in PHONES['phone-a04'][1]:
        happened = reg.events('phone-a04', dn)[before[('phone-a04', dn)]:]
        assert ordered(happened, [('failover', REGISTRAR['B']), ('registered', REGISTRAR['B']),
                                  ('switch_back', REGISTRAR['A']), ('registered', REGISTRAR['A'])]), (dn, happened)
    for host in ('phone-b04', 'phone-b05'):
        for dn in PHONES[host][1]:
            happened = reg.events(host, dn)[before[(host, dn)]:]
            assert not [e for e in happened if e[0] in ('failover', 'failed', 'lost', 'unregistered')], (host, dn, happened)


def test_a_dn_password_changed_behind_the_inventory_shows_not_registered_and_verify_names_it(reg):
    reg.deploy('deploy_bc.yml', ['gac_bc_mode=primary_fallback'])
    wait_for('every line at its home site only', lambda: settled(reg, HOME_ONLY))
    rc, output = reg.play('verify.yml', ['verify_registration=true'])
    assert rc == 0, 'verify fails on a registered fleet: %s' % output[-4000:]

    failures = reg.lab.get('sip', '/counters')['servers']['site-a']['lab_auth_failures']
    set_dn_password(reg.lab, 'SIP_Switch_A', '1512', 'changed-by-hand-1512')
    # someone power-cycles the phone: it registers afresh instead of at its next refresh
    reg.lab.post('phone', '/phones/%s/reboot' % address('phone-a04'))

    def refused():
        seen = reg.where()
        line = seen.pop(('phone-a04', '1512'))
        others = dict((k, v) for k, v in HOME_ONLY.items() if k != ('phone-a04', '1512'))
        # the registrar refuses the refresh; the binding it granted before stays until it expires
        if line[1:] == ('Not Registered', '') and line[0] in ((), ('A',)) and seen == others \
                and ('failed', REGISTRAR['A']) in reg.events('phone-a04', '1512'):
            return seen
        return None

    wait_for('1512 refused at A (the phone says Not Registered), every other line still at home', refused)
    wait_for('site A\'s registrar to count the bad password', lambda: reg.lab.get(
        'sip', '/counters')['servers']['site-a']['lab_auth_failures'] > failures)

    rc, output = reg.play('verify.yml', ['verify_registration=true'])
    assert rc != 0, output[-4000:]
    message = [text for text in output.splitlines() if 'is not registered' in text]
    assert any('phone-a04' in text and 'line 0' in text and 'DN 1512' in text for text in message), output[-4000:]
    assert not [text for text in message if 'DN 1513' in text or 'phone-b0' in text], message

    # the deployment writes the inventory's password back: the line registers again
    reg.deploy('deploy_bc.yml', ['gac_bc_mode=primary_fallback'])
    wait_for('1512 registered again at A only', lambda: settled(reg, HOME_ONLY))


# --- Business Continuity, simultaneous -------------------------------------------------------------

def test_simultaneous_registers_at_both_sites_and_stays_at_b_while_a_is_down(reg):
    reg.deploy('deploy_bc.yml', ['gac_bc_mode=simultaneous'])
    wait_for('every line at both sites', lambda: settled(reg, BOTH))

    assert reg.lab.post('sip', '/servers/site-a/stop')['changed'] is True
    samples = []

    def at_b_only():
        seen = reg.where()
        samples.append(seen)
        return seen if seen == AT_B else None

    wait_for('every line registered at B only while A is down', at_b_only)
    for seen in samples:  # at every look, B held every line and the phone said Registered
        for line, (sites, status, _servers) in seen.items():
            assert 'B' in sites and status == 'Registered', (line, seen[line])

    assert reg.lab.post('sip', '/servers/site-a/start')['changed'] is True
    wait_for('every line at both sites again', lambda: settled(reg, BOTH))


# --- SIP Proxy HA ---------------------------------------------------------------------------------

def test_sip_proxy_ha_lines_stay_registered_through_the_other_pool_member(reg):
    reg.deploy('deploy_sip_proxy_ha.yml', ['gac_deployment=sip_proxy_ha'])

    def view():
        """``{(host, DN): (sites holding it, the proxy it came through, the phone's status)}``."""
        found = reg.bindings()
        seen = {}
        for host, (home, dns) in PHONES.items():
            status = reg.voip_status(host)
            for dn in dns:
                entry = found.get((address(host), dn), {})
                proxy = (entry[home]['via_proxy'] or '').split(':', 1)[0] if home in entry else None
                seen[(host, dn)] = (home in entry, proxy, status.get(dn))
        LAST_SEEN['seen'] = seen
        return seen

    # Only the home registrar is judged: the other site's may still hold a binding the Business
    # Continuity deployment left when the phone rebooted into this one (it expires on its own).
    def through(member_of):
        want = dict(((host, dn), (True, member_of[home], ('Registered', POOL[home])))
                    for host, (home, dns) in PHONES.items() for dn in dns)
        seen = view()
        return seen if seen == want else None

    first = dict((s, POOL_MEMBERS[s][0][1]) for s in ('A', 'B'))
    second = dict((s, POOL_MEMBERS[s][1][1]) for s in ('A', 'B'))
    wait_for('every line at its home registrar through the first pool member', lambda: through(first))

    assert reg.lab.post('sip', '/servers/pool-a-1/stop')['changed'] is True
    samples = []

    def moved_on():
        samples.append(reg.bindings())
        return through(dict(first, A=second['A']))

    wait_for('site A\'s lines through pool-a-2, site B\'s still through pool-b-1', moved_on)
    for found in samples:  # the registrar held every line of site A at every look
        for dn in PHONES['phone-a04'][1]:
            assert 'A' in found.get((address('phone-a04'), dn), {}), (dn, found)
    for dn in PHONES['phone-a04'][1]:
        happened = reg.events('phone-a04', dn)
        assert ('next_address', POOL['A']) in happened, happened
        assert not [e for e in happened[happened.index(('next_address', POOL['A'])):] if e[0] in ('failed', 'unregistered')], happened


# --- helpers that act as an operator would, outside the inventory -----------------------------------

def set_dn_password(lab, switch, number, password):
    """Change a DN's [TServer] password through the lab GAX's REST API, as an operator in GAX would."""
    base = 'http://%s/gax/api' % GAX_LISTEN
    web = requests.Session()
    answer = web.post(base + '/session/login', json={'username': 'operator', 'password': 'operator-lab',
                                                     'isPasswordEncrypted': False}, timeout=10)
    assert answer.status_code == 204, answer.text
    switches = dict((s['name'], s['dbid']) for s in lab.get('gax', '/objects?type=CfgSwitch'))
    matches = [dn for dn in lab.get('gax', '/objects?type=CfgDN&switchdbid=%s' % switches[switch]) if dn['number'] == number]
    assert len(matches) == 1, matches
    dbid = matches[0]['dbid']
    dn = web.get(base + '/cfg/objects/CfgDN/%s' % dbid, timeout=10).json()
    properties = dn['userproperties']['property']
    for prop in properties:
        if prop['section'] == 'TServer' and prop['key'] == 'password':
            prop['value'] = password
    answer = web.put(base + '/cfg/objects/CfgDN/%s' % dbid, json=dn, timeout=10)
    assert answer.status_code in (200, 204), answer.text
    stored = lab.get('gax', '/objects/CfgDN/%s' % dbid)
    assert {'section': 'TServer', 'key': 'password', 'value': password} in [
        dict(section=p['section'], key=p['key'], value=p['value']) for p in stored['userproperties']['property']]
