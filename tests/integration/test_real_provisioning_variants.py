"""Issue 15 item 7: the provisioning URL against phones that fetch only a named file, or ask for
their file name in upper case (docs/lab.md "Real-device variants"). Verdicts come from the lab:
the phone's configuration and its provisioning fetches, the provisioning server's request log.

Addresses: phones 127.73.<worker+1>.x, admin APIs and the provisioning server on 127.0.0.73.
"""

import os

import pytest
import yaml

from test_audiocodes_support import ADMIN_PASSWORD, HTTPS_PORT, Phone, run_module, same_value
from labfixture import only_these_emulators

MODULE = 'audiocodes_provisioning'
WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
BLOCK = '127.73.%d.' % (1 + WORKER)
ADMIN_HOST = '127.0.0.73'
PORT_BASE = 18730 + 10 * WORKER
PROV_LISTEN, PROV_ADMIN, PHONE_ADMIN = PORT_BASE, PORT_BASE + 1, PORT_BASE + 2
PROV_USER, PROV_PASSWORD = 'phones', 'Prov-Lab-Pw-73'
CONFIG_URL = 'https://%s:%s@%s:%d/phones/' % (PROV_USER, PROV_PASSWORD, ADMIN_HOST, PROV_LISTEN)
SETTINGS = {'voip/line/0/id': '1502', 'voip/line/0/description': 'Agent 1502',
            'voip/media/out_of_band_dtmf': 'via_sip'}


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    folder = tmp_path_factory.mktemp('provisioning-variants')
    seed = {'voip/line/0/id': '1501', 'security/provisioning/verify_server_certificate': '1'}
    phones = [{'address': BLOCK + '1', 'model': '420HD', 'admin_password': ADMIN_PASSWORD, 'config': seed}]
    phones_file = str(folder / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    return lab_factory('provisioning-variants', only_these_emulators({
        'phone': {'admin': '%s:%d' % (ADMIN_HOST, PHONE_ADMIN), 'http_port': 8080, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file,
                  'variants': {'auth': 'cookie', 'apply': 'replace', 'after_upload': 'reboot'},
                  'timings': {'reboot_seconds': 1}, 'faults': {'seed': 1}},
        'provserver': {'enabled': True, 'listen': '%s:%d' % (ADMIN_HOST, PROV_LISTEN),
                       'admin': '%s:%d' % (ADMIN_HOST, PROV_ADMIN), 'users': {PROV_USER: PROV_PASSWORD}},
    }))


@pytest.fixture
def phone(lab):
    lab.post('provserver', '/reset')
    phone = Phone(lab, BLOCK + '1')
    phone.reset()
    return phone


@pytest.mark.parametrize('variant', [{'provisioning_url': 'directory_or_file'}, {'provisioning_url': 'file_only'},
                                     {'provisioning_name_case': 'upper'}],
                         ids=lambda variant: '%s=%s' % next(iter(variant.items())))
def test_the_configuration_url_names_the_phones_file(phone, variant):
    phone.lab.put('phone', '/phones/%s/variant' % phone.address, variant)
    directory = phone.lab.ready('provserver')['directory']
    args = phone.args(config_url=CONFIG_URL, publish_dir=directory, settings=SETTINGS, resync='reboot')
    result, output = run_module(MODULE, args)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    config = phone.config()
    name = phone.info()['mac'].replace(':', '').lower() + '.cfg'
    assert config['provisioning/configuration/url'] == CONFIG_URL + name     # the full file URL, <= 128
    assert len(config['provisioning/configuration/url']) <= 128
    for key, value in SETTINGS.items():
        assert same_value(value, config[key]), key
    fetched = phone.lab.get('phone', '/phones/%s/provisioning' % phone.address)['fetches']
    assert [f['outcome'] for f in fetched if f['trigger'] == 'boot'][-1] == 'applied', fetched
    assert phone.counters().get('restarts') == 1
    assert PROV_PASSWORD not in output
    again, dummy = run_module(MODULE, args)
    assert again['changed'] is False, again
