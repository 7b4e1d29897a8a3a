"""Self-test of the lab's provisioning path: the provisioning server (tests/lab/provserver) and the
phones' fetch of their file (tests/lab/phone/provisioning.py), started and stopped by labctl.

Phones on 127.74.<worker>.y, admin APIs and the server on 127.0.0.74. The lab's word is its admin
APIs and the server's request log.
"""

import os
import socket
import time
import uuid

import pytest
import requests
import yaml

from labfixture import Lab, deep_merge, labctl, load_profile, only_these_emulators

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
BLOCK = '127.74.%d.' % (1 + WORKER)
HOST = '127.0.0.74'
PORT_BASE = 18740 + 10 * WORKER
SERVER, SERVER_ADMIN, PHONE_ADMIN = PORT_BASE, PORT_BASE + 1, PORT_BASE + 2
USER, PASSWORD = 'phones', 'Lab-Prov-Selftest'
NAME = 'prov.selftest.lab.test'
DIRECTORY_URL = 'https://%s:%s@%s:%d/phones/' % (USER, PASSWORD, NAME, SERVER)
FILE_URL = 'https://%s:%s@%s:%d/phones/shared.cfg' % (USER, PASSWORD, HOST, SERVER)
PHONES = {
    'directory': (BLOCK + '1', DIRECTORY_URL, 'merge'),
    'file': (BLOCK + '2', FILE_URL, 'merge'),
    'wrong_password': (BLOCK + '3', DIRECTORY_URL.replace(PASSWORD, 'wrong'), 'merge'),
    'unknown_name': (BLOCK + '4', DIRECTORY_URL.replace(NAME, 'nowhere.lab.test'), 'merge'),
    'replace': (BLOCK + '5', DIRECTORY_URL, 'replace'),
}


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('provisioning-lab')
    phones = [{'address': address, 'model': '420HD', 'variants': {'apply': apply},
               'config': {'provisioning/method': 'Static', 'provisioning/configuration/url': url,
                          'security/provisioning/verify_server_certificate': '1',
                          'voip/line/0/description': 'seed'}}
              for address, url, apply in PHONES.values()]
    phones_file = str(tmp / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    profile = deep_merge(load_profile(), only_these_emulators({
        'phone': {'admin': '%s:%d' % (HOST, PHONE_ADMIN), 'http_port': 8080, 'https_port': 8443,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 0.5},
                  'sip': {'enabled': True, 'stagger_seconds': 0}},
        'provserver': {'enabled': True, 'listen': '%s:%d' % (HOST, SERVER), 'admin': '%s:%d' % (HOST, SERVER_ADMIN),
                       'users': {USER: PASSWORD}},
        'names': [{'name': NAME, 'addresses': [HOST]}],
    }))
    lab = Lab(str(tmp / 'state'), profile)
    lab.up()
    yield lab
    lab.down()
    # labctl down leaves nothing: the server's port refuses connections
    with pytest.raises(OSError):
        socket.create_connection((HOST, SERVER), timeout=2).close()


@pytest.fixture
def clean(lab):
    lab.post('phone', '/reset')
    lab.post('provserver', '/reset')
    return lab


def publish(lab, name, text):
    path = os.path.join(lab.ready('provserver')['directory'], name)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def mac_file(lab, address):
    return lab.get('phone', '/phones/%s' % address)['mac'].replace(':', '').lower() + '.cfg'


def reboot_and_wait(lab, address):
    lab.post('phone', '/phones/%s/reboot' % address)
    for dummy in range(100):
        if lab.get('phone', '/phones/%s' % address)['state'] == 'up':
            return lab.get('phone', '/phones/%s/provisioning' % address)['fetches']
        time.sleep(0.1)
    raise AssertionError('phone %s did not come back' % address)


def test_the_server_serves_only_with_credentials(clean):
    publish(clean, 'x.cfg', 'voip/line/0/id=1\n')
    url = 'https://%s:%d/phones/x.cfg' % (HOST, SERVER)
    ca = clean.ca_path
    assert requests.get(url, verify=ca, timeout=5).status_code == 401
    assert requests.get(url, verify=ca, auth=(USER, 'wrong'), timeout=5).status_code == 401
    assert requests.get(url.replace('x.cfg', 'y.cfg'), verify=ca, auth=(USER, PASSWORD), timeout=5).status_code == 404
    answer = requests.get(url, verify=ca, auth=(USER, PASSWORD), timeout=5)
    assert answer.status_code == 200 and answer.text == 'voip/line/0/id=1\n'
    assert [r['status'] for r in clean.get('provserver', '/requests')] == [401, 401, 404, 200]
    assert clean.get('provserver', '/files')[0]['mode'] == '0600'


def test_a_directory_url_means_the_mac_file_fetched_at_boot_through_the_name_table(clean):
    address = PHONES['directory'][0]
    publish(clean, mac_file(clean, address), 'voip/line/0/id=4711\n')
    fetches = reboot_and_wait(clean, address)
    assert [(f['trigger'], f['outcome'], f['status']) for f in fetches] == [('boot', 'applied', 200)]
    assert fetches[0]['url'].endswith('/phones/' + mac_file(clean, address)) and PASSWORD not in fetches[0]['url']
    config = clean.get('phone', '/phones/%s/config' % address)
    assert config['voip/line/0/id'] == '4711' and config['voip/line/0/description'] == 'seed'   # merge
    log = clean.get('provserver', '/requests')
    assert [(r['client'], r['user'], r['status']) for r in log] == [(address, USER, 200)]
    assert log[0]['user_agent'].startswith('AUDC-IPPhone/')


def test_a_file_url_is_taken_as_it_is(clean):
    address = PHONES['file'][0]
    publish(clean, 'shared.cfg', 'voip/line/0/id=4712\n')
    fetches = reboot_and_wait(clean, address)
    assert [f['outcome'] for f in fetches] == ['applied']
    assert clean.get('provserver', '/requests')[0]['path'] == '/phones/shared.cfg'


def test_replace_resets_what_the_file_leaves_out(clean):
    address = PHONES['replace'][0]
    publish(clean, mac_file(clean, address), 'voip/line/0/id=4715\nprovisioning/method=STATIC\n')
    reboot_and_wait(clean, address)
    config = clean.get('phone', '/phones/%s/config' % address)
    assert config['voip/line/0/id'] == '4715' and config['voip/line/0/description'] != 'seed'


def test_refused_credentials_and_unknown_names_change_nothing(clean):
    for case, status in (('wrong_password', 401), ('unknown_name', None)):
        address = PHONES[case][0]
        publish(clean, mac_file(clean, address), 'voip/line/0/id=4713\n')
        fetches = reboot_and_wait(clean, address)
        assert [(f['outcome'], f['status']) for f in fetches] == [('failed', status)], fetches
        assert clean.get('phone', '/phones/%s/config' % address)['voip/line/0/id'] != '4713'
    assert 'cannot resolve' in fetches[0]['error']


def notify(address, event):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((HOST, 0))
    sock.settimeout(3)
    call = uuid.uuid4().hex
    sock.sendto(('NOTIFY sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s\r\nFrom: <sip:t@%s>;tag=1\r\n'
                 'To: <sip:%s>\r\nCall-ID: %s\r\nCSeq: 1 NOTIFY\r\nEvent: %s\r\nContent-Length: 0\r\n\r\n'
                 % (address, HOST, sock.getsockname()[1], call, HOST, address, call, event)).encode(), (address, 5060))
    try:
        return sock.recv(4096).decode().split('\r\n', 1)[0]
    finally:
        sock.close()


def test_check_sync_fetches_without_a_reboot_request_and_other_events_are_refused(clean):
    address = PHONES['directory'][0]
    publish(clean, mac_file(clean, address), 'voip/line/0/id=4714\n')
    assert notify(address, 'check-sync') == 'SIP/2.0 200 OK'
    for dummy in range(50):
        fetches = clean.get('phone', '/phones/%s/provisioning' % address)['fetches']
        if fetches and clean.get('phone', '/phones/%s' % address)['state'] == 'up' and len(fetches) >= 2:
            break
        time.sleep(0.1)
    # applied on check-sync, then (after_upload: reboot) the boot fetch finds nothing new
    assert [(f['trigger'], f['outcome']) for f in fetches] == [('check-sync', 'applied'), ('boot', 'unchanged')]
    assert clean.get('phone', '/phones/%s/config' % address)['voip/line/0/id'] == '4714'
    assert notify(address, 'presence') == 'SIP/2.0 489 Bad Event'
    assert labctl('status', '--state-dir', clean.state_dir).returncode == 0
