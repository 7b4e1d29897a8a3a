"""Self-test of the lab phones' firmware (tests/lab/phone/firmware.py), spoken to by hand.

Phones on 127.69.<1+worker>.y, the admin API and a small image server on 127.0.0.69. The lab's
word is its admin API (`/phones/ADDR/firmware`, counters) and the image server's request log.
"""

import base64
import functools
import http.server
import os
import threading
import time

import pytest
import requests
import yaml

from labfixture import Lab, deep_merge, load_profile, only_these_emulators

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
BLOCK = '127.69.%d.' % (1 + WORKER)
HOST = '127.0.0.69'
PORT_BASE = 18690 + 10 * WORKER
PHONE_ADMIN, SERVER = PORT_BASE, PORT_BASE + 1
HTTP_PORT = PORT_BASE + 2
OLD, NEW = '2.2.16.501', '2.2.16.600'
FOLDER_URL = 'http://%s:%d/fw/' % (HOST, SERVER)
PHONES = {
    'web': (BLOCK + '1', '440HD', {}),
    'folder': (BLOCK + '2', '420HD', {'provisioning/method': 'Static', 'provisioning/firmware/url': FOLDER_URL}),
    'other_model': (BLOCK + '3', '440HD', {'provisioning/method': 'Static',
                                           'provisioning/firmware/url': FOLDER_URL + '420HD.img'}),
}


class _Logged(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        self.server.seen.append((self.path, self.headers.get('User-Agent')))


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('firmware-lab')
    phones = [{'address': address, 'model': model, 'config': config} for address, model, config in PHONES.values()]
    with open(str(tmp / 'phones.yml'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    profile = deep_merge(load_profile(), only_these_emulators({'phone': {
        'admin': '%s:%d' % (HOST, PHONE_ADMIN), 'http_port': HTTP_PORT, 'https_port': HTTP_PORT + 1,
        'phones_file': str(tmp / 'phones.yml'), 'faults': {'seed': 1},
        'timings': {'reboot_seconds': 0.3, 'flash_seconds': 0.3, 'firmware_verify_seconds': 0.2}}}))
    lab = Lab(str(tmp / 'state'), profile)
    lab.up()
    (tmp / 'www' / 'fw').mkdir(parents=True)
    image = requests.get(lab.admin_url('phone') + '/firmware/image', params={'model': '420HD', 'version': NEW},
                         timeout=30)
    (tmp / 'www' / 'fw' / '420HD.img').write_bytes(image.content)
    server = http.server.ThreadingHTTPServer((HOST, SERVER), functools.partial(_Logged, directory=str(tmp / 'www')))
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    lab.seen = server.seen
    yield lab
    server.shutdown()
    server.server_close()
    lab.down()


@pytest.fixture(autouse=True)
def clean(lab):
    lab.post('phone', '/reset')
    del lab.seen[:]


def firmware(lab, name):
    return lab.get('phone', '/phones/%s/firmware' % PHONES[name][0])


def counters(lab, name):
    return lab.get('phone', '/counters?phone=%s' % PHONES[name][0])['phones'].get(PHONES[name][0], {})


def wait_up(lab, name, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        info = lab.get('phone', '/phones/%s' % PHONES[name][0])
        if info['state'] == 'up' and firmware(lab, name)['stage'] == 'idle':
            return info
        time.sleep(0.1)
    raise AssertionError('phone %s did not come back' % name)


def web_session(address):
    session = requests.Session()
    answer = session.post('http://%s:%d/login.cgi' % (address, HTTP_PORT),
                          data={'user': 'admin', 'psw': base64.b64encode(b'1234').decode()}, timeout=10)
    assert 'mainform.cgi?go=mainframe.htm' in answer.text
    return session


def upload(session, address, data, name='440HD_%s.img' % NEW):
    return session.post('http://%s:%d/upload.cgi' % (address, HTTP_PORT), data={'localupgrade': '20'},
                        files={'upname': (name, data, 'application/octet-stream')}, timeout=10)


def test_an_upload_counts_only_after_the_upgrade_was_armed_in_the_session(lab):
    address = PHONES['web'][0]
    data = requests.get(lab.admin_url('phone') + '/firmware/image', params={'model': '440HD', 'version': NEW},
                        timeout=30).content
    session = web_session(address)
    page = 'http://%s:%d/mainform.cgi/Manu_Firmware_Upgrade.htm' % (address, HTTP_PORT)
    assert 'name="UPGRADESHOW"' in session.get(page, timeout=10).text
    upload(session, address, data)
    assert counters(lab, 'web').get('ignored_post') == 1 and firmware(lab, 'web')['upgrades'] == []
    armed = session.post(page, data={'UPGRADESHOW': '1'}, timeout=10).text
    assert 'action="/upload.cgi"' in armed and 'name="upname"' in armed
    assert 'Upgrading' in upload(session, address, data).text
    wait_up(lab, 'web')
    record = firmware(lab, 'web')
    assert record['running'] == NEW and [u['result'] for u in record['upgrades']] == ['flashed']
    assert lab.get('phone', '/phones/%s' % address)['firmware'] == NEW


def test_a_folder_url_makes_the_phone_fetch_its_model_image_at_boot(lab):
    lab.post('phone', '/phones/%s/reboot' % PHONES['folder'][0])
    wait_up(lab, 'folder')
    wait_up(lab, 'folder')     # flashed, then booted again (and checked again: same version)
    record = firmware(lab, 'folder')
    assert record['running'] == NEW
    assert [(u['method'], u['result']) for u in record['upgrades']] == [('provisioning', 'flashed')]
    paths = [path for path, agent in lab.seen]
    assert paths == ['/fw/420HD.img', '/fw/420HD.img']
    assert lab.seen[0][1].startswith('AUDC-IPPhone/%s (420HD; ' % OLD)


def test_a_failed_provisioning_flash_leaves_the_old_version_and_is_not_retried_at_once(lab):
    lab.put('phone', '/faults', {'per_phone': {PHONES['folder'][0]: {'flash_fail_rate': 1.0}}})
    lab.post('phone', '/phones/%s/reboot' % PHONES['folder'][0])
    time.sleep(0.5)
    wait_up(lab, 'folder')
    record = firmware(lab, 'folder')
    assert record['running'] == OLD and [u['result'] for u in record['upgrades']] == ['failed']
    assert counters(lab, 'folder').get('firmware_fetch') == 1


def test_an_image_for_another_model_is_refused_at_boot(lab):
    lab.post('phone', '/phones/%s/reboot' % PHONES['other_model'][0])
    time.sleep(0.5)
    wait_up(lab, 'other_model')
    record = firmware(lab, 'other_model')
    assert record['running'] == OLD
    assert [(u['result'], u['reason']) for u in record['upgrades']] == [
        ('rejected', 'image is for the 420HD, this phone is a 440HD')]
