"""audiocodes_phone_reboot against emulated phones: it restarts the phone (the lab counts the
restart), waits until it is back and, when asked, until its enabled lines are registered."""

import pytest

from test_audiocodes_support import ADMIN_PASSWORD, Phone, phone_lab, run_module

MODULE = 'audiocodes_phone_reboot'
SEED = {'voip/signalling/sip/use_proxy': '1', 'voip/signalling/sip/proxy_address': '127.0.2.10'}


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    return phone_lab(lab_factory, tmp_path_factory, 'audiocodes-phone-reboot', 33, '127.0.0.33:8090',
                     ['420HD', '440HD'], config=SEED)


@pytest.fixture
def phone(lab):
    phone = Phone(lab, '127.33.0.1')
    phone.reset()
    return phone


def test_check_mode_says_it_would_restart_and_does_not(phone):
    result, output = run_module(MODULE, phone.args(), check=True)
    assert result['changed'] is True and result['rebooted'] is False and result['reboot_pending'] is False
    assert 'would be restarted' in result['msg']
    counters = phone.counters()
    assert counters.get('restarts', 0) == 0 and counters.get('writes', 0) == 0
    assert ADMIN_PASSWORD not in output


def test_a_restart_is_waited_for(phone):
    result, output = run_module(MODULE, phone.args())
    assert result['changed'] is True and result['rebooted'] is True and result['reboot_pending'] is False
    counters = phone.counters()
    assert counters.get('reboot') == 1 and counters.get('restarts') == 1
    assert counters.get('ignored_post', 0) == 0
    assert phone.info()['state'] == 'up'
    assert phone.requests(counters, polls=False) <= 3      # login, GET and POST of reboot.htm
    assert ADMIN_PASSWORD not in output


def test_without_waiting_the_phone_is_still_restarting(phone):
    result, dummy = run_module(MODULE, phone.args(wait_for_reboot=False))
    assert result['rebooted'] is False and result['reboot_pending'] is True
    assert phone.info()['state'] == 'rebooting'


def test_waiting_for_registration_returns_the_registered_lines(phone):
    phone.reset(fake_registration=True)
    result, dummy = run_module(MODULE, phone.args(wait_for_registration=True, reboot_timeout=60))
    assert result['rebooted'] is True
    lines = dict((line['line'], line) for line in result['lines'])
    assert lines[0]['registered'] is True and lines[0]['server'] == '127.0.2.10'
    assert phone.counters().get('restarts') == 1


def test_lines_that_never_register_fail_naming_them(phone):
    result, dummy = run_module(MODULE, phone.args(wait_for_registration=True, reboot_timeout=12))
    assert result['failed'] is True
    assert 'phone 127.33.0.1' in result['msg'] and 'line(s) 0 not registered' in result['msg']
    assert phone.counters().get('restarts') == 1


@pytest.mark.parametrize('variant', [{'auth': 'basic'}, {'require_referer': True}, {'post_requires_get': 'any_page'}],
                         ids=lambda variant: '%s=%s' % next(iter(variant.items())))
def test_firmware_variants_restart_too(phone, variant):
    phone.reset(**variant)
    result, dummy = run_module(MODULE, phone.args())
    assert result['rebooted'] is True, result.get('msg')
    assert phone.counters().get('restarts') == 1


def test_transient_faults_do_not_stop_a_restart(phone):
    phone.lab.put('phone', '/faults', {'seed': 21, 'error_rate': 0.04, 'reset_rate': 0.03, 'lost_reply_rate': 0.03})
    result, dummy = run_module(MODULE, phone.args())
    assert result['rebooted'] is True, result.get('msg')
    assert phone.counters().get('restarts', 0) >= 1
