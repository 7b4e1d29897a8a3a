"""audiocodes_phone_info against emulated phones: what it reads matches the lab, costs little,
writes nothing, and never shows a secret."""

import json

import pytest

from test_audiocodes_support import ADMIN_PASSWORD, Phone, phone_lab, run_module, same_value

MODULE = 'audiocodes_phone_info'
LINE_PASSWORD = 'Seeded-Sip-Pw-77'
SEED = {'voip/line/0/auth_name': '1501', 'voip/line/0/auth_password': LINE_PASSWORD,
        'voip/signalling/sip/use_proxy': '1', 'voip/signalling/sip/proxy_address': '127.0.2.10'}


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    return phone_lab(lab_factory, tmp_path_factory, 'audiocodes-phone-info', 32, '127.0.0.32:8090',
                     ['420HD', '440HD'], config=SEED)


@pytest.fixture
def phone(lab):
    phone = Phone(lab, '127.32.0.1')
    phone.reset()
    return phone


def assert_no_secret(*outputs):
    for output in outputs:
        text = output if isinstance(output, str) else json.dumps(output)
        assert LINE_PASSWORD not in text and ADMIN_PASSWORD not in text


@pytest.mark.parametrize('address,lines', [('127.32.0.1', 2), ('127.32.0.2', 6)])
def test_device_status_and_configuration_are_what_the_phone_holds(lab, address, lines):
    phone = Phone(lab, address)
    phone.reset()
    result, output = run_module(MODULE, phone.args())
    assert result['changed'] is False
    info = phone.info()
    assert result['device'] == {'model': info['model'], 'firmware': info['firmware'], 'mac': info['mac'].lower()}
    assert [line['line'] for line in result['status']['lines']] == list(range(lines))
    assert not any(line['registered'] for line in result['status']['lines'])
    held = phone.config()
    for key, value in result['config'].items():
        assert same_value(value, held[key]), key
    assert 'voip/line/0/auth_password' not in result['config']
    assert result['secret_keys']['voip/line/0/auth_password'] == 'encrypted'
    assert result['secret_keys']['system/password'] == 'encrypted'
    assert result['config_file'] == info['config_file'].rsplit('/', 1)[1]
    assert phone.counters().get('writes', 0) == 0
    assert phone.requests() <= 5          # login, manu_config.htm, the file, info.htm, voip_status.cgi
    assert_no_secret(result, output)


def test_a_line_with_a_proxy_shows_registered_with_its_server(phone):
    phone.reset(fake_registration=True)
    result, dummy = run_module(MODULE, phone.args(gather=['status']))
    assert result['status']['lines'][0]['registered'] is True
    assert result['status']['lines'][0]['server'] == '127.0.2.10'
    assert result['status']['lines'][1]['registered'] is False
    assert phone.requests() == 2          # login, voip_status.cgi
    assert 'config' not in result and 'device' not in result


def test_device_alone_costs_four_requests(phone):
    result, dummy = run_module(MODULE, phone.args(gather=['device']))
    assert result['device']['model'] == '420HD'
    assert phone.requests() <= 4


@pytest.mark.parametrize('secrets', ['encrypted', 'clear', 'omitted'])
def test_the_configuration_is_valid_settings_input_and_changes_nothing(phone, secrets):
    phone.reset(secrets=secrets)
    result, output = run_module(MODULE, phone.args(gather=['config']))
    assert_no_secret(result, output)
    phone.clear_counters()
    applied, output = run_module('audiocodes_phone', phone.args(settings=result['config']))
    assert applied['changed'] is False and not applied.get('failed'), applied.get('msg')
    assert phone.counters().get('writes', 0) == 0
    assert phone.config()['voip/line/0/auth_password'] == LINE_PASSWORD
    assert_no_secret(applied, output)


def test_check_mode_reads_the_same_and_writes_nothing(phone):
    result, dummy = run_module(MODULE, phone.args(), check=True)
    assert result['changed'] is False and result['device']['model'] == '420HD'
    assert phone.counters().get('writes', 0) == 0


def test_basic_auth_firmware(phone):
    phone.reset(auth='basic')
    result, dummy = run_module(MODULE, phone.args(use_https=False, port=8080))
    assert result['device']['model'] == '420HD' and len(result['config']) > 100
    assert phone.counters().get('login', 0) == 0


def test_transient_faults_do_not_stop_a_read(phone):
    phone.lab.put('phone', '/faults', {'seed': 11, 'error_rate': 0.04, 'reset_rate': 0.03, 'lost_reply_rate': 0.03})
    for dummy in range(3):
        result, dummy = run_module(MODULE, phone.args())
        assert not result.get('failed'), result.get('msg')
        assert result['device']['model'] == '420HD'
