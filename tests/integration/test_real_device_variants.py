"""Issue 15: the behaviours real phones may show where the public evidence is silent, each a lab
variant (docs/lab.md "Real-device variants"), and audiocodes_phone against each of them.

Every verdict comes from the lab's admin API (configuration, history, counters), never from the
module's own report. Addresses: phones 127.70.0.x, admin API 127.0.0.70.
"""

import pytest

from test_audiocodes_support import ADMIN_PASSWORD, Phone, phone_lab, run_module, same_value

MODULE = 'audiocodes_phone'
ADDRESS = '127.70.0.1'
LINE_PASSWORD = 'Sip-Pw-1502-xyz'
SETTINGS = {
    'voip/line/0/id': '1502',
    'voip/line/0/description': 'Agent 1502',
    'voip/signalling/sip/proxy_address': '127.0.2.10',
    'voip/media/out_of_band_dtmf': 'via_sip',
}
NOOP_BUDGET = 4          # login, manu_config.htm, the file, info.htm


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    return phone_lab(lab_factory, tmp_path_factory, 'real-device-variants', 70, '127.0.0.70:8090',
                     ['420HD', '440HD'],
                     config={'voip/line/0/auth_password': LINE_PASSWORD, 'voip/line/0/enabled': '1'})


@pytest.fixture
def phone(lab):
    phone = Phone(lab, ADDRESS)
    phone.reset()
    return phone


def assert_holds(phone, settings):
    config = phone.config()
    for key, value in settings.items():
        if isinstance(value, bool):
            value = int(value)
        assert same_value(value, config[key]), '%s: wanted %r, the phone holds %r' % (key, value, config[key])


def change_then_noop(phone, settings=None, **extra):
    """A change, judged from the lab, then a second run that changes nothing within the budget."""
    settings = settings or SETTINGS
    result, output = run_module(MODULE, phone.args(settings=settings, **extra))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_holds(phone, settings)
    phone.clear_counters()
    again, output2 = run_module(MODULE, phone.args(settings=settings, **extra))
    assert again['changed'] is False and not again.get('failed'), again.get('msg')
    assert phone.requests() <= NOOP_BUDGET, phone.counters()
    assert phone.counters().get('writes', 0) == 0
    for text in (output, output2):
        assert LINE_PASSWORD not in text and ADMIN_PASSWORD not in text
    return result, again


# --- 3. session loss in every form seen, and HTTP Basic firmware --------------------------------

@pytest.mark.parametrize('form', ['login_page', 'redirect_login', 'redirect_login_redirect', 'web_login',
                                  'unauthorized'])
def test_a_session_lost_in_any_form_is_renewed_and_the_request_repeated(phone, form):
    phone.reset(expired_session=form)
    phone.lab.put('phone', '/timings', {'expire_session_every': 2})
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_holds(phone, SETTINGS)
    counters = phone.counters()
    assert counters.get('login_page', 0) >= 1 and counters.get('login', 0) >= 2
    assert counters.get('upload') == 1
    again, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    assert again['changed'] is False, again


@pytest.mark.parametrize('form', ['redirect_login_redirect', 'web_login'])
def test_a_session_that_never_holds_fails_naming_the_page(phone, form):
    phone.reset(expired_session=form)
    phone.lab.put('phone', '/timings', {'expire_session_every': 1})   # a session serves one request
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    # Each request may renew the session once: a page that needs a second request in the same
    # session (the upload form after its GET) fails, naming it; nothing is written.
    assert result['failed'] is True
    assert 'manu_config.htm' in result['msg'] and 'login page' in result['msg'], result['msg']
    assert phone.counters().get('writes', 0) == 0 and phone.counters().get('login', 0) <= 2 * NOOP_BUDGET


@pytest.mark.parametrize('auth', ['basic', 'basic_silent_login'])
def test_http_basic_firmware_is_configured_within_the_budget(phone, auth):
    phone.reset(auth=auth)
    change_then_noop(phone)
    assert phone.counters().get('login', 0) == 0    # no cookie session was ever opened


def test_basic_firmware_with_a_silent_login_refuses_a_wrong_password_by_name(phone):
    phone.reset(auth='basic_silent_login')
    result, output = run_module(MODULE, phone.args(settings=SETTINGS, password='not-the-password'))
    assert result['failed'] is True
    assert 'phone %s' % ADDRESS in result['msg'] and 'HTTP Basic' in result['msg'] and 'pages.py' in result['msg']
    assert phone.counters().get('writes', 0) == 0
    assert 'not-the-password' not in output
