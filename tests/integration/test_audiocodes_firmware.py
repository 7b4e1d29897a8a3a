"""audiocodes_firmware against emulated phones: the lab's own records judge every upgrade.

The lab makes the images (admin API ``GET /firmware/image``); the provisioning path fetches them
from a small web server this module starts on its own address. Flash and reboot take half a second each.
"""

import functools
import http.server
import os
import threading

import pytest
import requests
import yaml

from labfixture import only_these_emulators
from test_audiocodes_support import ADMIN_PASSWORD, Phone, run_module

MODULE = 'audiocodes_firmware'
WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
NET = '127.66.%d.' % (8 * WORKER + 1)
PORT_BASE = 18660 + 10 * WORKER
ADMIN = '127.0.0.66:%d' % PORT_BASE
HTTP_PORT, HTTPS_PORT = PORT_BASE + 1, PORT_BASE + 2
IMAGE_SERVER = ('127.0.0.67', PORT_BASE + 3)
OLD, NEW = '2.2.16.501', '2.2.16.600'
PHONES = [('440HD', OLD), ('420HD', OLD), ('430HD', '2.2.16.704')]


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    folder = tmp_path_factory.mktemp('firmware')
    phones = [{'address': NET + str(index), 'model': model, 'firmware': version, 'admin_password': ADMIN_PASSWORD}
              for index, (model, version) in enumerate(PHONES, start=1)]
    phones_file = str(folder / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    return lab_factory('audiocodes-firmware', only_these_emulators({'phone': {
        'admin': ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT, 'phones_file': phones_file,
        'timings': {'reboot_seconds': 0.5, 'flash_seconds': 0.5, 'firmware_verify_seconds': 0.5},
        'faults': {'seed': 1}}}))


@pytest.fixture(scope='module')
def images(lab, tmp_path_factory):
    """Images the lab made, in a folder a small web server serves (the provisioning path)."""
    folder = tmp_path_factory.mktemp('images')

    def image(model, version, corrupt=False):
        query = {'model': model, 'version': version, 'size': 4096}
        answer = requests.get(lab.admin_url('phone') + '/firmware/image', params=query, timeout=30)
        answer.raise_for_status()
        path = folder / ('%s_%s.img' % (model, version))
        path.write_bytes(answer.content[:-10] if corrupt else answer.content)
        return str(path)

    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(IMAGE_SERVER, handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    image.url = 'http://%s:%d/' % IMAGE_SERVER
    image.requests = server.requests = []
    yield image
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        self.server.requests.append(self.path)


@pytest.fixture
def phone(lab):
    lab.post('phone', '/reset')
    lab.post('phone', '/counters/reset')
    return FirmwarePhone(lab, NET + '1')


class FirmwarePhone(Phone):
    def firmware(self):
        return self.lab.get('phone', '/phones/%s/firmware' % self.address)

    def args(self, **extra):
        args = {'host': self.address, 'port': HTTPS_PORT, 'ca_path': self.lab.ca_path, 'password': ADMIN_PASSWORD,
                'timeout': 10, 'reboot_timeout': 60}
        args.update(extra)
        return args


def at(lab, index):
    return FirmwarePhone(lab, NET + str(index))


def test_the_running_version_is_reported_and_nothing_written(phone):
    result, output = run_module(MODULE, phone.args(version=NEW))
    assert result['changed'] is False and result['version'] == OLD and result['model'] == '440HD'
    assert result['at_target'] is False
    assert phone.counters().get('writes', 0) == 0
    assert ADMIN_PASSWORD not in output


def test_check_mode_says_what_would_happen_and_uploads_nothing(phone, images):
    result, dummy = run_module(MODULE, phone.args(image=images('440HD', NEW)), check=True, diff=True)
    assert result['changed'] is True, result
    assert 'would be upgraded from %s to %s through the web interface' % (OLD, NEW) in result['msg']
    assert result['diff']['after'] == 'firmware: %s\n' % NEW
    counters = phone.counters()
    assert counters.get('firmware_upload', 0) == 0 and counters.get('page_post', 0) == 0
    assert phone.firmware()['running'] == OLD


def test_web_upgrade_flashes_the_new_version_and_a_second_run_changes_nothing(phone, images):
    image = images('440HD', NEW)
    result, output = run_module(MODULE, phone.args(image=image, version=NEW))
    assert result['changed'] is True and result['upgraded'] is True, result.get('msg')
    record = phone.firmware()
    assert record['running'] == NEW and phone.info()['firmware'] == NEW
    assert [(u['method'], u['result'], u['from'], u['to']) for u in record['upgrades']] == [('web', 'flashed', OLD, NEW)]
    assert phone.counters().get('firmware_upload') == 1
    assert ADMIN_PASSWORD not in output

    again, dummy = run_module(MODULE, phone.args(image=image))
    assert again['changed'] is False and 'already runs %s' % NEW in again['msg']
    assert phone.counters().get('firmware_upload') == 1 and len(phone.firmware()['upgrades']) == 1


def test_an_image_for_another_model_is_refused_before_anything_is_uploaded(phone, images):
    result, dummy = run_module(MODULE, phone.args(image=images('420HD', NEW)))
    assert result['failed'] is True
    assert 'phone %s' % phone.address in result['msg'] and 'is for the 420HD, this phone is a 440HD' in result['msg']
    assert 'nothing was uploaded' in result['msg']
    counters = phone.counters()
    assert counters.get('page_post', 0) == 0 and counters.get('firmware_upload', 0) == 0
    assert counters.get('firmware_rejected', 0) == 0 and phone.firmware()['upgrades'] == []


def test_a_corrupt_image_refused_by_the_phone_is_reported(phone, images):
    result, dummy = run_module(MODULE, phone.args(image=images('440HD', NEW, corrupt=True)))
    assert result['failed'] is True and 'refused image 440HD_%s.img' % NEW in result['msg']
    record = phone.firmware()
    assert record['running'] == OLD and [u['result'] for u in record['upgrades']] == ['rejected']
    assert phone.counters().get('firmware_rejected') == 1


def test_a_failed_flash_is_reported_and_the_phone_stays_on_its_old_version(phone, images):
    phone.lab.put('phone', '/faults', {'per_phone': {phone.address: {'flash_fail_rate': 1.0}}})
    result, dummy = run_module(MODULE, phone.args(image=images('440HD', NEW)))
    assert result['failed'] is True and result['version'] == OLD
    assert 'the upgrade to %s failed' % NEW in result['msg'] and 'runs %s, its old version' % OLD in result['msg']
    record = phone.firmware()
    assert record['running'] == OLD and [u['result'] for u in record['upgrades']] == ['failed']
    assert phone.info()['state'] == 'up'


def test_provisioning_url_upgrade_then_the_url_is_put_back(lab, images):
    lab.post('phone', '/reset')
    phone = at(lab, 2)
    before = phone.config()['provisioning/firmware/url']
    image = images('420HD', NEW)
    result, dummy = run_module(MODULE, phone.args(image=image, method='provisioning',
                                                  firmware_url=images.url + os.path.basename(image)))
    assert result['upgraded'] is True, result.get('msg')
    record = phone.firmware()
    assert record['running'] == NEW
    assert [(u['method'], u['result']) for u in record['upgrades']] == [('provisioning', 'flashed')]
    assert '/' + os.path.basename(image) in images.requests
    assert phone.config()['provisioning/firmware/url'] == before


def test_a_newer_phone_is_left_alone_with_a_warning(lab, images):
    lab.post('phone', '/reset')
    lab.post('phone', '/counters/reset')
    phone = at(lab, 3)
    result, output = run_module(MODULE, phone.args(image=images('430HD', NEW)))
    assert result['changed'] is False and 'newer than %s' % NEW in result['msg']
    assert 'allow_downgrade' in output
    assert phone.firmware()['running'] == '2.2.16.704' and phone.counters().get('page_post', 0) == 0


@pytest.mark.parametrize('variant', [{'auth': 'basic'}, {'require_referer': True}],
                         ids=lambda variant: '%s=%s' % next(iter(variant.items())))
def test_firmware_variants_upgrade_too(phone, images, variant):
    phone.lab.put('phone', '/phones/%s/variant' % phone.address, variant)
    result, dummy = run_module(MODULE, phone.args(image=images('440HD', NEW)))
    assert result.get('upgraded') is True, result.get('msg')
    assert [u['result'] for u in phone.firmware()['upgrades']] == ['flashed']


def test_transient_faults_do_not_stop_an_upgrade(phone, images):
    phone.lab.put('phone', '/faults', {'seed': 7, 'per_phone': {phone.address: {
        'error_rate': 0.1, 'reset_rate': 0.1, 'lost_reply_rate': 0.1}}})
    result, dummy = run_module(MODULE, phone.args(image=images('440HD', NEW)))
    assert result.get('upgraded') is True, result.get('msg')
    record = phone.firmware()
    assert record['running'] == NEW and [u['result'] for u in record['upgrades']] == ['flashed']
    counters = phone.counters()
    assert sum(counters.get(kind, 0) for kind in ('fault_5xx', 'fault_reset', 'fault_lost_reply')) >= 1, counters
