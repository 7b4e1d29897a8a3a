"""Secret rotation stays consistent: a DN's SIP password changed in the inventory reaches GAX AND the
phone in the same run, and the line still registers.

The phone hides its line passwords (the lab's default variant ``secrets: encrypted``), so with
``update_secrets: on_change`` alone a password-only change would not be written to it: GAX would
hold the new password, the phone the old one, and the line would stop registering at its next
registration. The deployment writes the phone's ``auth_password`` whenever its DN's password was
written to GAX in that run. Judged from the lab: the GAX object, the phone's configuration (in
clear through the admin API), and the site registrar's answer to a fresh registration.

Lab: phone-a04 of inventories/lab (line 0: DN 1512 with sip_auth) on 127.86.x.y, one registrar per
site on 127.86.<8w+3>.y, GAX and admin APIs on 127.0.0.86 with high ports of their own.
"""

import datetime
import os
import shutil
import time

import pytest
import yaml

from deploy_support import copy_lab_inventory, phones_file_from, run_playbook
from labfixture import only_these_emulators

KAMAILIO = shutil.which('kamailio') or ('/usr/sbin/kamailio' if os.access('/usr/sbin/kamailio', os.X_OK) else None)
pytestmark = pytest.mark.skipif(KAMAILIO is None and not os.environ.get('CI'),
                                reason='kamailio is not installed (make venv installs it as root); under CI this test runs')

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.86.%d.' % (8 * WORKER + 1)
SITE_B_NET = '127.86.%d.' % (8 * WORKER + 2)
SERVER_NET = '127.86.%d.' % (8 * WORKER + 3)
REGISTRAR = {'A': SERVER_NET + '10', 'B': SERVER_NET + '20'}
REGISTRAR_NAME = {'A': 'site-a', 'B': 'site-b'}
POOL = {'A': 'sip-pool-a.rot.lab.test', 'B': 'sip-pool-b.rot.lab.test'}
POOL_MEMBERS = {'A': [('pool-a-1', SERVER_NET + '11')], 'B': [('pool-b-1', SERVER_NET + '21')]}
PORT_BASE = 18870 + 10 * WORKER
ADMIN_HOST = '127.0.0.86'
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
SIP_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 3)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 4, PORT_BASE + 5
HOST, DN = 'phone-a04', '1512'
PHONE = SITE_A_NET + '14'
OLD_PASSWORD, NEW_PASSWORD = 'lab-sip-1512-Hx3', 'rotated-1512-Qa8'
WAIT = 60


def moved(text):
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def edit_yaml(path, change):
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    change(data)
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)


def write_inventory(dest):
    copy_lab_inventory(dest, moved)

    def only_the_phone(data):
        for group in data['phones']['children'].values():
            group['hosts'] = dict((h, v) for h, v in group['hosts'].items() if h == HOST)

    def our_servers(data):
        for site in data['gac_sites'] if 'gac_sites' in data else data['sites']:
            site['sip_server']['address'] = REGISTRAR[site['name']]
            site['sip_proxy_pool']['fqdn'] = POOL[site['name']]
    edit_yaml(os.path.join(dest, 'hosts.yml'), only_the_phone)
    edit_yaml(os.path.join(dest, 'group_vars', 'all', 'main.yml'), our_servers)
    return dest


def rotate(inventory, password):
    """The operator's change: a new SIP password for the DN, in the inventory's secrets."""
    def change(data):
        data['lab_sip_passwords'][DN] = password
    edit_yaml(os.path.join(inventory, 'group_vars', 'all', 'lab_secrets.yml'), change)


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('rotation')
    inventory = write_inventory(str(tmp / 'inventory'))
    phones_file = phones_file_from(inventory, str(tmp / 'phones.yml'))
    overrides = only_these_emulators({
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1},
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
    started = lab_factory('rotation', overrides)
    started.inventory = inventory
    return started


def deploy(lab):
    result = run_playbook('deploy_bc.yml', lab.inventory, HTTPS_PORT, ['bc_mode=primary_fallback'], timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, 'exit %d; output ends:\n%s' % (result.returncode, output[-6000:])
    return output


def gax_passwords(lab):
    """``{switch name: the [TServer] password of the DN}`` as the lab GAX holds it."""
    switches = dict((s['dbid'], s['name']) for s in lab.get('gax', '/objects?type=CfgSwitch'))
    found = {}
    for dn in lab.get('gax', '/objects?type=CfgDN'):
        if dn.get('number') != DN:
            continue
        for prop in (dn.get('userproperties') or {}).get('property') or []:
            if prop.get('section') == 'TServer' and prop.get('key') == 'password':
                found[switches.get(dn.get('switchdbid'))] = prop.get('value')
    return found


def now():
    """The lab's clock format (ISO 8601, UTC, milliseconds): events compare by their text."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds')


def events(lab, since=''):
    """``[(event, server)]`` of the DN's line since ``since`` (the lab keeps the last 60)."""
    for line in lab.get('phone', '/phones/%s/sip' % PHONE)['lines']:
        if line['user'] == DN:
            return [(e['event'], e['server']) for e in line['events'] if e['time'] >= since]
    return []


def wait_registered_at_a(lab, since=''):
    """A registration of the DN at site A's registrar among the events since ``since``."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        happened = events(lab, since)
        if ('registered', REGISTRAR['A']) in happened:
            return happened
        time.sleep(0.5)
    raise AssertionError('waited %d s for %s to register at A; events since %s: %r; line: %r' % (
        WAIT, DN, since, events(lab, since), lab.get('phone', '/phones/%s/sip' % PHONE)['lines']))


def test_a_rotated_sip_password_reaches_gax_and_the_phone_in_one_run_and_the_line_registers(lab):
    output = deploy(lab)
    assert set(gax_passwords(lab).values()) == {OLD_PASSWORD}
    wait_registered_at_a(lab)
    assert lab.get('phone', '/phones/%s' % PHONE)['variants']['secrets'] == 'encrypted'   # the phone hides it

    rotate(lab.inventory, NEW_PASSWORD)
    output = deploy(lab)
    assert NEW_PASSWORD not in output and OLD_PASSWORD not in output
    # GAX (both switches of the pair) and the phone hold the new password after ONE run
    assert gax_passwords(lab) == {'SIP_Switch_A': NEW_PASSWORD, 'SIP_Switch_B': NEW_PASSWORD}
    assert lab.get('phone', '/phones/%s/config' % PHONE)['voip/line/0/auth_password'] == NEW_PASSWORD

    # a fresh registration (the phone power-cycled) is accepted by the registrar with the new password
    failures = lab.get('sip', '/counters')['servers']['site-a']['lab_auth_failures']
    since = now()
    lab.post('phone', '/phones/%s/reboot' % PHONE)
    happened = wait_registered_at_a(lab, since)
    assert ('failed', REGISTRAR['A']) not in happened, happened
    assert lab.get('sip', '/counters')['servers']['site-a']['lab_auth_failures'] == failures

    # a second run changes nothing on the phone (no rotation left to carry)
    writes = lab.get('phone', '/counters?phone=%s' % PHONE)['phones'].get(PHONE, {}).get('writes', 0)
    deploy(lab)
    assert lab.get('phone', '/counters?phone=%s' % PHONE)['phones'].get(PHONE, {}).get('writes', 0) == writes
