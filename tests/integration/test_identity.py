"""Identity before any write: two desks whose phones swapped addresses (DHCP) must not get each
other's SIP credentials, on the web, provisioning and firmware paths.

The lab's profile swaps the two phones: the phone answering at desk A's address reports desk B's
MAC, and the other way round. The inventory (here: the modules' expected_mac/expected_model, as
the roles pass them) still says desk A's MAC for desk A's address. Every verdict comes from the
lab's records: each phone's configuration and history, its provisioning form and fetches, its
firmware history, the provisioning server's directory.
"""

import os

import pytest
import requests
import yaml

from labfixture import only_these_emulators
from test_audiocodes_support import ADMIN_PASSWORD, Phone, run_module

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
BLOCK = '127.98.%d.' % (1 + WORKER)
ADMIN_HOST = '127.0.0.98'
PORT_BASE = 18850 + 10 * WORKER
PHONE_ADMIN, HTTP_PORT, HTTPS_PORT, PROV_LISTEN, PROV_ADMIN = (PORT_BASE + n for n in range(5))
PROV_USER, PROV_PASSWORD = 'phones', 'Prov-Lab-Pw-85'
PROV_NAME = 'prov.h8.lab.test'
CONFIG_URL = 'https://%s:%s@%s:%d/phones/' % (PROV_USER, PROV_PASSWORD, PROV_NAME, PROV_LISTEN)

DESK_A, DESK_B = BLOCK + '1', BLOCK + '2'
MAC_A, MAC_B = '00:90:8f:85:00:01', '00:90:8f:85:00:02'     # what each desk's inventory entry says
SECRET_A = 'Sip-Pw-Desk-A-85'
SETTINGS_A = {'voip/line/0/id': '1851', 'voip/line/0/auth_name': '1851', 'voip/line/0/auth_password': SECRET_A}
OLD, NEW = '2.2.16.501', '2.2.16.600'


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    folder = tmp_path_factory.mktemp('identity')
    seed = {'voip/line/0/id': '1850'}
    # Swapped: desk A's address answers with desk B's phone, and the other way round.
    phones = [{'address': DESK_A, 'model': '420HD', 'mac': MAC_B.upper(), 'firmware': OLD,
               'admin_password': ADMIN_PASSWORD, 'config': seed},
              {'address': DESK_B, 'model': '420HD', 'mac': MAC_A.upper(), 'firmware': OLD,
               'admin_password': ADMIN_PASSWORD, 'config': seed}]
    phones_file = str(folder / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    return lab_factory('identity', only_these_emulators({
        'phone': {'admin': '%s:%d' % (ADMIN_HOST, PHONE_ADMIN), 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file,
                  'variants': {'auth': 'cookie', 'apply': 'replace', 'after_upload': 'reboot'},
                  'timings': {'reboot_seconds': 0.5, 'flash_seconds': 0.5, 'firmware_verify_seconds': 0.5},
                  'faults': {'seed': 1}},
        'provserver': {'enabled': True, 'listen': '%s:%d' % (ADMIN_HOST, PROV_LISTEN),
                       'admin': '%s:%d' % (ADMIN_HOST, PROV_ADMIN), 'users': {PROV_USER: PROV_PASSWORD}},
        'names': [{'name': PROV_NAME, 'addresses': [ADMIN_HOST]}],
    }))


class Desk(Phone):
    def args(self, **extra):
        args = {'host': self.address, 'port': HTTPS_PORT, 'ca_path': self.lab.ca_path,
                'password': ADMIN_PASSWORD, 'timeout': 10}
        args.update(extra)
        return args


@pytest.fixture
def desks(lab):
    lab.post('phone', '/reset')
    lab.post('provserver', '/reset')
    lab.post('phone', '/counters/reset')
    return Desk(lab, DESK_A), Desk(lab, DESK_B)


def assert_untouched(*desks):
    """No phone holds desk A's SIP secret, none was written, none restarted."""
    for desk in desks:
        config = desk.config()
        assert SECRET_A not in config.values(), '%s holds desk A\'s SIP password' % desk.address
        assert config['voip/line/0/id'] == '1850'
        assert all(str(entry.get('cause')).startswith('seed') for entry in desk.history()), desk.history()
        assert desk.counters().get('writes', 0) == 0


def assert_names_both(result, reported, expected):
    assert result.get('failed') is True, result
    assert reported in result['msg'] and expected in result['msg'], result['msg']
    assert SECRET_A not in str(result)


def published(lab):
    return sorted(name for name in os.listdir(lab.ready('provserver')['directory']) if not name.startswith('.'))


def test_web_path_refuses_the_phone_that_reports_another_mac(desks):
    desk_a, desk_b = desks
    result, output = run_module('audiocodes_phone', desk_a.args(settings=SETTINGS_A, expected_mac=MAC_A,
                                                                expected_model='420HD'))
    assert_names_both(result, MAC_B, MAC_A)
    # the words of the catalogue (docs/reliability.md, phone_at_another_desks_address)
    for words in ('reports MAC %s, not %s as the inventory says' % (MAC_B, MAC_A), 'nothing was written',
                  'correct address, mac or model in the inventory'):
        assert words in result['msg'], result['msg']
    assert SECRET_A not in output
    assert_untouched(desk_a, desk_b)


def test_web_path_writes_the_phone_whose_mac_matches_in_any_spelling(desks):
    # The same call can succeed: the refusal above is the identity check, not a broken write.
    desk_a, desk_b = desks
    result, dummy = run_module('audiocodes_phone', desk_b.args(settings=SETTINGS_A, expected_mac='0090.8F85.0001',
                                                               expected_model='420HD'))
    assert result.get('failed') is not True and result['changed'] is True, result.get('msg')
    assert desk_b.config()['voip/line/0/auth_password'] == SECRET_A
    assert_untouched(desk_a)
    # A no-op run with the identity check stays within the budget of 4 requests.
    desk_b.clear_counters()
    again, dummy = run_module('audiocodes_phone', desk_b.args(settings=SETTINGS_A, expected_mac=MAC_A))
    assert again['changed'] is False and not again.get('failed'), again.get('msg')
    assert desk_b.requests() <= 4, desk_b.counters()


def test_web_path_refuses_another_model(desks):
    desk_a, desk_b = desks
    result, dummy = run_module('audiocodes_phone', desk_b.args(settings=SETTINGS_A, expected_mac=MAC_A,
                                                               expected_model='440HD'))
    assert_names_both(result, '420HD', '440HD')
    assert_untouched(desk_a, desk_b)


def test_provisioning_path_publishes_no_file_and_points_no_phone(desks, lab):
    desk_a, desk_b = desks
    form_before = lab.get('phone', '/phones/%s/provisioning' % DESK_A)
    result, output = run_module('audiocodes_provisioning', desk_a.args(
        config_url=CONFIG_URL, publish_dir=lab.ready('provserver')['directory'], settings=SETTINGS_A,
        expected_mac=MAC_A, expected_model='420HD', resync='none'))
    assert_names_both(result, MAC_B, MAC_A)
    assert SECRET_A not in output
    assert published(lab) == []                      # neither <mac-a>.cfg nor <mac-b>.cfg
    after = lab.get('phone', '/phones/%s/provisioning' % DESK_A)
    assert after['method'] == form_before['method'] and after['url'] == form_before['url']
    assert desk_a.config()['provisioning/configuration/url'] != CONFIG_URL
    assert_untouched(desk_a, desk_b)


def test_provisioning_path_without_a_file_points_no_phone_either(desks, lab):
    desk_a, desk_b = desks
    result, dummy = run_module('audiocodes_provisioning', desk_a.args(config_url=CONFIG_URL, expected_mac=MAC_A))
    assert_names_both(result, MAC_B, MAC_A)
    assert desk_a.config()['provisioning/configuration/url'] != CONFIG_URL
    assert_untouched(desk_a, desk_b)


def test_provisioning_path_publishes_the_file_of_the_phone_that_matches(desks, lab):
    desk_a, desk_b = desks
    result, dummy = run_module('audiocodes_provisioning', desk_b.args(
        config_url=CONFIG_URL, publish_dir=lab.ready('provserver')['directory'], settings=SETTINGS_A,
        expected_mac=MAC_A.replace(':', '-'), resync='none'))
    assert result.get('failed') is not True and result['changed'] is True, result.get('msg')
    assert published(lab) == [MAC_A.replace(':', '') + '.cfg']
    with open(os.path.join(lab.ready('provserver')['directory'], published(lab)[0]), encoding='utf-8') as handle:
        assert 'voip/line/0/auth_password=%s' % SECRET_A in handle.read()


def test_firmware_path_uploads_no_image_to_the_wrong_phone(desks, lab, tmp_path):
    desk_a, desk_b = desks
    answer = requests.get(lab.admin_url('phone') + '/firmware/image',
                          params={'model': '420HD', 'version': NEW, 'size': 4096}, timeout=30)
    answer.raise_for_status()
    image = tmp_path / ('420HD_%s.img' % NEW)
    image.write_bytes(answer.content)
    result, dummy = run_module('audiocodes_firmware', desk_a.args(image=str(image), expected_mac=MAC_A,
                                                                  expected_model='420HD'))
    assert_names_both(result, MAC_B, MAC_A)
    firmware = lab.get('phone', '/phones/%s/firmware' % DESK_A)
    assert firmware['running'] == OLD and firmware['upgrades'] == []
    # The matching phone takes it (the refusal is the identity check).
    result, dummy = run_module('audiocodes_firmware', desk_b.args(image=str(image), expected_mac=MAC_A))
    assert result.get('failed') is not True, result.get('msg')
    assert lab.get('phone', '/phones/%s/firmware' % DESK_B)['running'] == NEW


def test_a_malformed_expected_mac_is_refused_before_any_request(desks):
    desk_a, desk_b = desks
    result, dummy = run_module('audiocodes_phone', desk_a.args(settings=SETTINGS_A, expected_mac='00:90:8f:85'))
    assert result.get('failed') is True and 'expected_mac' in result['msg'], result
    assert desk_a.requests() == 0
    assert_untouched(desk_a, desk_b)
