"""audiocodes_provisioning against emulated phones and the lab's provisioning server.

The module points a phone at the provisioning server (the whole Auto_Provision.htm form posted
back), publishes its complete <mac>.cfg (mode 0600) and makes it fetch the file: a check-sync
NOTIFY the phone answers, else a restart. Every verdict comes from the lab's own records: the
phone's configuration, history, counters and fetches (phone admin API), the provisioning server's
request log and the file on disk, never the module's report.
"""

import base64
import json
import os
import stat

import pytest
import requests
import yaml

from test_audiocodes_support import ADMIN_PASSWORD, HTTPS_PORT, Phone, run_module, same_value
from labfixture import only_these_emulators

MODULE = 'audiocodes_provisioning'
WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
BLOCK = '127.70.%d.' % (1 + WORKER)
ADMIN_HOST = '127.0.0.70'
PORT_BASE = 18700 + 10 * WORKER
PROV_LISTEN, PROV_ADMIN, PHONE_ADMIN = PORT_BASE, PORT_BASE + 1, PORT_BASE + 2
PROV_USER, PROV_PASSWORD = 'phones', 'Prov-Lab-Pw-70'
PROV_NAME = 'prov.h10.lab.test'
CONFIG_URL = 'https://%s:%s@%s:%d/phones/' % (PROV_USER, PROV_PASSWORD, PROV_NAME, PROV_LISTEN)
LINE_PASSWORD = 'Sip-Pw-1502-prov'
SETTINGS = {
    'voip/line/0/id': '1502',
    'voip/line/0/description': 'Agent 1502',
    'voip/line/0/auth_name': '1502',
    'voip/line/0/auth_password': LINE_PASSWORD,
    'voip/signalling/sip/use_proxy': True,
    'voip/signalling/sip/proxy_address': '127.0.0.71',   # nothing answers there: registration is not the point
    'voip/media/out_of_band_dtmf': 'via_sip',
}
FRESH = BLOCK + '4'      # factory-fresh: admin / 1234


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    folder = tmp_path_factory.mktemp('provisioning')
    # The phone checks the server's chain against the lab CA; a form field that is not sent back
    # would fall to its default (variant missing_form_fields), so a form posted whole shows.
    seed = {'voip/line/0/id': '1501', 'security/provisioning/verify_server_certificate': '1',
            'provisioning/random_provisioning_time': '77'}
    phones = [{'address': BLOCK + str(index), 'model': model, 'admin_password': ADMIN_PASSWORD, 'config': seed}
              for index, model in ((1, '420HD'), (2, '440HD'), (3, '405HD'))]
    phones.append({'address': FRESH, 'model': '430HD', 'config': seed})
    phones_file = str(folder / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    overrides = only_these_emulators({
        'phone': {'admin': '%s:%d' % (ADMIN_HOST, PHONE_ADMIN), 'http_port': 8080, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file,
                  'variants': {'auth': 'cookie', 'apply': 'replace', 'after_upload': 'reboot',
                               'missing_form_fields': 'default'},
                  'timings': {'reboot_seconds': 1}, 'faults': {'seed': 1},
                  # The phones' SIP stack answers the check-sync NOTIFY; no line registers anywhere.
                  'sip': {'enabled': True, 'stagger_seconds': 0}},
        'provserver': {'enabled': True, 'listen': '%s:%d' % (ADMIN_HOST, PROV_LISTEN),
                       'admin': '%s:%d' % (ADMIN_HOST, PROV_ADMIN), 'users': {PROV_USER: PROV_PASSWORD}},
        'names': [{'name': PROV_NAME, 'addresses': [ADMIN_HOST]}],
    })
    return lab_factory('audiocodes-provisioning', overrides)


@pytest.fixture
def phone(lab):
    lab.post('provserver', '/reset')
    phone = Phone(lab, BLOCK + '1')
    phone.reset()
    return phone


def directory(lab):
    return lab.ready('provserver')['directory']


def fetches(phone):
    return phone.lab.get('phone', '/phones/%s/provisioning' % phone.address)['fetches']


def served(lab):
    return lab.get('provserver', '/requests')


def file_of(phone):
    return os.path.join(directory(phone.lab), phone.info()['mac'].replace(':', '').lower() + '.cfg')


def assert_holds(phone, settings):
    config = phone.config()
    for key, value in settings.items():
        value = int(value) if isinstance(value, bool) else value
        assert same_value(value, config[key]), '%s: wanted %r, the phone holds %r' % (key, value, config[key])


def normal(value):
    """A value as the firmware reads it back: numbers in decimal, words in any case, no outer spaces."""
    text = str(value).strip()
    try:
        return str(int(text, 0))
    except ValueError:
        return text.lower()


def assert_no_secret(*outputs):
    for output in outputs:
        text = output if isinstance(output, str) else json.dumps(output)
        for secret in (LINE_PASSWORD, ADMIN_PASSWORD, PROV_PASSWORD):
            assert secret not in text


def logs_in(phone, password):
    """Whether the phone's own login page accepts admin/password (the lab's answer, over HTTPS)."""
    answer = requests.post('https://%s:%d/login.cgi' % (phone.address, HTTPS_PORT), timeout=10,
                           verify=phone.lab.ca_path,
                           data={'user': 'admin', 'psw': base64.b64encode(password.encode()).decode()})
    return 'session=' in answer.headers.get('Set-Cookie', '')


def test_the_form_is_posted_whole_then_a_second_run_changes_nothing(phone):
    args = phone.args(config_url=CONFIG_URL, period='powerup')
    checked, output = run_module(MODULE, args, check=True, diff=True)
    assert checked['changed'] is True and not checked.get('failed'), checked.get('msg')
    assert phone.writes() == 0 and phone.config()['provisioning/method'].lower() != 'static'
    assert '********' in checked['diff']['after'] and 'static' in checked['diff']['after']
    assert_no_secret(checked, output)

    result, output = run_module(MODULE, args, diff=True)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    config = phone.config()
    assert config['provisioning/method'].lower() == 'static'
    assert config['provisioning/configuration/url'] == CONFIG_URL
    assert config['provisioning/period/type'].lower() == 'powerup'
    # Fields the module does not set kept their values: the form went back whole.
    assert config['provisioning/random_provisioning_time'] == '77'
    assert phone.writes() == 1
    assert fetches(phone) == [] and served(phone.lab) == []    # no file, no resync: only pointed
    assert_no_secret(result, output)

    phone.clear_counters()
    again, output = run_module(MODULE, args, diff=True)
    assert again['changed'] is False and not again.get('failed'), again.get('msg')
    assert phone.writes() == 0


def test_the_complete_file_is_published_0600_and_fetched_on_check_sync(phone):
    args = phone.args(config_url=CONFIG_URL, publish_dir=directory(phone.lab), settings=SETTINGS)
    before = phone.config()
    result, output = run_module(MODULE, args, diff=True)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_holds(phone, SETTINGS)
    assert phone.config()['voip/line/0/auth_password'] == LINE_PASSWORD
    # the phone fetched its own file over HTTPS with the URL's credentials, after a NOTIFY it accepted
    got = [f for f in fetches(phone) if f['outcome'] == 'applied']
    assert [f['trigger'] for f in got] == ['check-sync'], fetches(phone)
    log = [r for r in served(phone.lab) if r['status'] == 200]
    assert log and all(r['client'] == phone.address and r['user'] == PROV_USER for r in log)
    assert log[0]['path'] == '/phones/' + os.path.basename(file_of(phone))
    # the COMPLETE file: every key of the phone, mode 0600, the secret in it (the phone needs it)
    path = file_of(phone)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    keys_in_file = set(line.split('=', 1)[0] for line in text.splitlines() if '=' in line and not line.startswith(';'))
    assert set(before) <= keys_in_file
    assert 'voip/line/0/auth_password=%s' % LINE_PASSWORD in text
    # everything else kept (as the firmware normalises a value it reads: case, spaces): the phone
    # applied a whole file, not a partial one (variant apply: replace resets what a file leaves out)
    after = phone.config()
    untouched = [k for k in before if k not in SETTINGS and not k.startswith('provisioning/')]
    assert dict((k, (before[k], after[k])) for k in untouched if normal(before[k]) != normal(after[k])) == {}
    assert_no_secret(result, output)

    phone.clear_counters()
    count = len(fetches(phone))
    again, output = run_module(MODULE, args, diff=True)
    assert again['changed'] is False and not again.get('failed'), again.get('msg')
    assert phone.writes() == 0 and len(fetches(phone)) == count
    assert_no_secret(again, output)


def test_a_phone_that_does_not_answer_the_notify_is_restarted_and_fetches_at_boot(phone):
    # Nothing listens on that SIP port: the NOTIFY is refused, the module restarts the phone.
    args = phone.args(config_url=CONFIG_URL, publish_dir=directory(phone.lab), settings=SETTINGS, sip_port=5999)
    result, output = run_module(MODULE, args)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_holds(phone, SETTINGS)
    assert phone.counters().get('reboot') == 1
    assert [f['trigger'] for f in fetches(phone) if f['outcome'] == 'applied'] == ['boot']
    assert_no_secret(result, output)


def test_a_factory_fresh_phone_gets_the_admin_password_and_the_run_proves_it(lab):
    lab.post('provserver', '/reset')
    fresh = Phone(lab, FRESH)
    fresh.reset()
    assert logs_in(fresh, '1234') and not logs_in(fresh, ADMIN_PASSWORD)
    args = fresh.args(config_url=CONFIG_URL, publish_dir=directory(lab), settings=SETTINGS, initial_password='1234')
    checked, output = run_module(MODULE, args, check=True, diff=True)
    assert checked['changed'] is True and 'system/password' in checked['changes'], checked
    assert fresh.writes() == 0 and not os.path.exists(file_of(fresh))

    result, output = run_module(MODULE, args, diff=True)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert logs_in(fresh, ADMIN_PASSWORD) and not logs_in(fresh, '1234')
    assert fresh.config()['system/password'].startswith('$1$')
    assert_no_secret(result, output)

    fresh.clear_counters()
    again, output = run_module(MODULE, args, diff=True)
    assert again['changed'] is False and not again.get('failed'), again.get('msg')
    assert fresh.writes() == 0 and fresh.counters().get('login_failed', 0) == 0
    assert_no_secret(again, output)


def test_the_web_path_sets_the_admin_password_of_a_factory_fresh_phone(lab):
    fresh = Phone(lab, FRESH)
    fresh.reset()
    args = fresh.args(settings={'voip/line/0/id': '1509'}, initial_password='1234')
    result, output = run_module('audiocodes_phone', args, diff=True)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert logs_in(fresh, ADMIN_PASSWORD) and not logs_in(fresh, '1234')
    assert fresh.config()['voip/line/0/id'] == '1509'
    assert_no_secret(result, output)
    again, output = run_module('audiocodes_phone', args)
    assert again['changed'] is False and not again.get('failed'), again.get('msg')


def test_bad_input_is_refused_before_any_change(phone):
    result, output = run_module(MODULE, phone.args(config_url='prov.example.com/phones/'))
    assert result.get('failed') and 'config_url' in result['msg']
    result, output = run_module(MODULE, phone.args(config_url=CONFIG_URL, settings={'voip/line/0/id': '1'}))
    assert result.get('failed') and 'publish_dir' in result['msg']
    assert phone.writes() == 0


def test_rotation_takes_the_old_password_as_the_initial_one(lab):
    lab.post('provserver', '/reset')
    phone = Phone(lab, BLOCK + '3')
    phone.reset()
    new_password = 'Rotated-Adm1n-70'
    args = phone.args(config_url=CONFIG_URL, publish_dir=directory(lab), password=new_password,
                      initial_password=ADMIN_PASSWORD)
    result, output = run_module(MODULE, args)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert logs_in(phone, new_password) and not logs_in(phone, ADMIN_PASSWORD)
    assert new_password not in output and ADMIN_PASSWORD not in output
    again, output = run_module(MODULE, args)
    assert again['changed'] is False and not again.get('failed'), again.get('msg')
