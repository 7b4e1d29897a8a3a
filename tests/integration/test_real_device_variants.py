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


def change_then_noop(phone, settings=None, judge=assert_holds, **extra):
    """A change, judged from the lab, then a second run that changes nothing within the budget."""
    settings = settings or SETTINGS
    result, output = run_module(MODULE, phone.args(settings=settings, **extra))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    judge(phone, settings)
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


# --- 2. secrets shown masked ----------------------------------------------------------------------

@pytest.mark.parametrize('secrets', ['stars', 'empty', 'encrypted', 'omitted'])
def test_a_masked_secret_is_never_uploaded_and_a_merging_phone_keeps_it(phone, secrets):
    phone.reset(secrets=secrets, apply='merge')
    change_then_noop(phone)
    assert phone.config()['voip/line/0/auth_password'] == LINE_PASSWORD
    for entry in phone.history():
        for key, (dummy, new) in entry['changed'].items():
            assert not str(new) or str(new).strip('*') != '', '%s got the mask %r' % (key, new)


@pytest.mark.parametrize('secrets', ['stars', 'empty'])
def test_a_masked_secret_named_in_settings_is_written_and_then_left_alone(phone, secrets):
    phone.reset(secrets=secrets, apply='replace')
    settings = dict(SETTINGS, **{'voip/line/0/auth_password': 'New-Line-Pw-77'})
    change_then_noop(phone, settings)
    assert phone.config()['voip/line/0/auth_password'] == 'New-Line-Pw-77'
    # The admin password, hidden too, survived the replacing upload: the second run logged in.


@pytest.mark.parametrize('after_upload', ['reboot', 'live'])
def test_a_secret_the_replacing_phone_lost_fails_naming_it_and_nothing_follows(phone, after_upload):
    phone.reset(secrets='stars', apply='replace', after_upload=after_upload)
    result, output = run_module(MODULE, phone.args(settings=SETTINGS))
    assert result['failed'] is True
    assert 'voip/line/0/auth_password' in result['msg'] and 'lost' in result['msg']
    assert 'name these secrets in settings' in result['msg']
    config = phone.config()
    # What the phone did, from the lab: the replacing upload reset the secret (never to the mask).
    assert config['voip/line/0/auth_password'] not in (LINE_PASSWORD, '********')
    counters = phone.counters()
    assert counters.get('upload') == 1 and counters.get('reboot', 0) == 0   # no reboot.htm, no second upload
    assert LINE_PASSWORD not in output


# --- 1. a download that lists only modified keys ---------------------------------------------------

AT_DEFAULT = {'voip/signalling/sip/proxy_port': 5060, 'voip/line/1/enabled': False,
              'voip/signalling/sip/proxy_timeout': 3600}


@pytest.mark.parametrize('download', ['modified_only', 'modified_only_switchable'])
def test_keys_left_out_of_a_modified_only_download_count_as_their_default(phone, download):
    phone.reset(download=download)
    settings = dict(SETTINGS, **AT_DEFAULT)
    result, dummy = change_then_noop(phone, settings)
    assert not set(AT_DEFAULT) & set(result['changes']), result['changes']   # already at their default


def test_the_full_listing_control_is_used_once_and_then_found_switched(phone):
    phone.reset(download='modified_only_switchable')
    change_then_noop(phone)
    # The second run found the control switched to "all" and posted nothing (change_then_noop: writes 0).
    assert phone.counters().get('page_post', 0) == 0
    assert phone.counters().get('ignored_post', 0) == 0


def test_writing_a_default_on_a_modified_only_phone_is_kept_not_dropped(phone):
    phone.reset(download='modified_only')
    first, dummy = run_module(MODULE, phone.args(settings={'voip/media/out_of_band_dtmf': 'via_sip'}))
    assert first['changed'] is True and not first.get('failed'), first.get('msg')
    back, dummy = run_module(MODULE, phone.args(settings={'voip/media/out_of_band_dtmf': 'rfc2833'}))
    assert back['changed'] is True and not back.get('failed'), back.get('msg')
    assert phone.config()['voip/media/out_of_band_dtmf'].upper() == 'RFC2833'


def test_a_key_unknown_to_download_and_table_is_refused_by_name(phone):
    phone.reset(download='modified_only')
    result, dummy = run_module(MODULE, phone.args(settings=dict(SETTINGS, **{'voip/nothing/like/this': '1'})))
    assert result['failed'] is True and 'voip/nothing/like/this' in result['msg']
    assert phone.counters().get('writes', 0) == 0


# --- 6. enumerations spelled differently --------------------------------------------------------

ENUMS = {'voip/services/msg_waiting_ind/enabled': 'DISABLE', 'voip/media/out_of_band_dtmf': 'via_sip',
         'voip/signalling/sip/transport_protocol': 'TCP'}


@pytest.mark.parametrize('variant', [{'enum_download': 'numbers'}, {'enum_case': 'lower'},
                                     {'enum_case': 'database'}, {'without_assumed_keys': True}],
                         ids=lambda variant: '%s=%s' % next(iter(variant.items())))
def test_enums_are_written_in_the_spelling_of_the_download_and_compared_by_kind(phone, variant):
    phone.reset(**variant)
    change_then_noop(phone, ENUMS, judge=lambda phone, settings: None)
    config = phone.config()
    assert config['voip/services/msg_waiting_ind/enabled'] in ('DISABLE', '0')   # 0: the bool firmware
    assert config['voip/media/out_of_band_dtmf'] == 'VIA_SIP'
    assert config['voip/signalling/sip/transport_protocol'] == 'TCP'


# --- 5. upload timing ------------------------------------------------------------------------------

@pytest.mark.parametrize('after_upload,restarts', [('delayed_reboot', 1), ('live', 0), ('reboot', 1)])
def test_a_phone_that_restarts_seconds_after_the_upload_is_polled_and_restarted_once(phone, after_upload, restarts):
    phone.reset(after_upload=after_upload)
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_holds(phone, SETTINGS)
    counters = phone.counters()
    assert counters.get('restarts', 0) == restarts, counters     # never two restarts
    assert counters.get('reboot', 0) == 0, counters              # reboot.htm never asked: it restarted by itself
    assert result['rebooted'] is bool(restarts)
    info = phone.info()
    assert info['state'] == 'up' and not info.get('pending_reboot')
    again, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    assert again['changed'] is False and phone.counters().get('restarts', 0) == restarts


# --- 9. line status -------------------------------------------------------------------------------

@pytest.mark.parametrize('status_lines', ['numbered', 'bare', 'enabled_only'])
def test_line_status_is_matched_to_the_configured_lines(phone, status_lines):
    # Line 0 off, line 1 on with DN 1503 and a proxy: the lab says line 1 is registered.
    phone.reset(status_lines=status_lines, fake_registration=True)
    settings = {'voip/line/0/enabled': False, 'voip/line/1/enabled': True, 'voip/line/1/id': '1503',
                'voip/signalling/sip/use_proxy': True, 'voip/signalling/sip/proxy_address': '127.0.2.10'}
    result, dummy = run_module(MODULE, phone.args(settings=settings))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    config = phone.config()
    assert config['voip/line/0/enabled'] == '0' and config['voip/line/1/id'] == '1503'
    info, dummy = run_module('audiocodes_phone_info', phone.args(gather=['config', 'status']))
    registered = sorted(line['line'] for line in info['status']['lines'] if line['registered'])
    assert registered == [1], info['status']


# --- 8. identity when info.htm shows no label the collection knows -------------------------------

def test_an_unlabelled_info_page_falls_back_to_user_agent_txt(phone):
    phone.reset(info_page='unlabelled')
    info, dummy = run_module('audiocodes_phone_info', phone.args(gather=['device']))
    truth = phone.info()
    assert info['device']['model'] == truth['model']
    assert info['device']['firmware'] == truth['firmware']
    assert info['device']['mac'].replace(':', '').upper() == truth['mac'].replace(':', '').upper()


def test_an_unlabelled_info_page_keeps_the_phone_budget(phone):
    phone.reset(info_page='unlabelled')
    change_then_noop(phone)


# --- 4. forms filled by JavaScript -------------------------------------------------------------------

PROVISIONED = {'provisioning/firmware/url': 'https://127.0.0.9/fw/', 'provisioning/period/type': 'daily',
               'provisioning/random_provisioning_time': '77'}
CONFIG_URL = 'https://127.0.0.9/phones/'


@pytest.mark.parametrize('form', ['rendered', 'script_filled'])
def test_the_provisioning_form_is_cross_checked_with_the_file_before_posting(phone, form):
    first, dummy = run_module(MODULE, phone.args(settings=PROVISIONED))
    assert not first.get('failed'), first.get('msg')
    phone.lab.put('phone', '/phones/%s/variant' % ADDRESS, {'auto_provision_form': form})
    result, dummy = run_module('audiocodes_provisioning', phone.args(config_url=CONFIG_URL))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    config = phone.config()
    assert config['provisioning/method'].lower() == 'static' and config['provisioning/configuration/url'] == CONFIG_URL
    for key, value in PROVISIONED.items():      # what the page rendered empty was not posted back empty
        assert same_value(value, config[key]), '%s: wanted %r, the phone holds %r' % (key, value, config[key])
    again, dummy = run_module('audiocodes_provisioning', phone.args(config_url=CONFIG_URL))
    assert again['changed'] is False, again


def test_a_js_filled_form_that_loses_an_unmapped_field_fails_naming_it(phone):
    first, dummy = run_module(MODULE, phone.args(settings=PROVISIONED))
    assert not first.get('failed'), first.get('msg')
    phone.lab.put('phone', '/phones/%s/variant' % ADDRESS,
                  {'auto_provision_form': 'script_filled', 'missing_form_fields': 'default'})
    result, dummy = run_module('audiocodes_provisioning', phone.args(config_url=CONFIG_URL))
    assert result['failed'] is True
    assert 'provisioning/random_provisioning_time' in result['msg'] and 'AUTO_PROVISION_KEYS' in result['msg']
    assert phone.config()['provisioning/configuration/url'] == CONFIG_URL    # what the post did, from the lab
