"""audiocodes_phone against emulated phones: changes, idempotence, check mode, the firmware
variants, reboots, faults, secrets and the request budget.

Every verdict comes from the lab's admin API (configuration, history, counters), never from the
module's own report.
"""

import json
import os
import stat
import subprocess
import sys

import pytest

from test_audiocodes_support import (
    ADMIN_PASSWORD, COLLECTIONS, HTTP_PORT, Phone, phone_lab, run_module, same_value,
)

MODULE = 'audiocodes_phone'
LINE_PASSWORD = 'Sip-Pw-1502-xyz'
# A DN's basic calling keys (FEATURES.md), as a role would give them.
SETTINGS = {
    'voip/line/0/id': '1502',
    'voip/line/0/description': 'Agent 1502',
    'voip/line/0/auth_name': '1502',
    'voip/line/0/auth_password': LINE_PASSWORD,
    'voip/signalling/sip/use_proxy': True,
    'voip/signalling/sip/proxy_address': '127.0.2.10',
    'voip/signalling/sip/proxy_port': 5060,
    'voip/media/out_of_band_dtmf': 'via_sip',
}
NOOP_BUDGET = 4          # login, manu_config.htm, the file, info.htm
CHANGE_BUDGET = 3        # upload, then the read-back of the file (a login after a restart)
REBOOT_HTM_EXTRA = 3     # read-back of the file before the restart, GET and POST of reboot.htm


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    return phone_lab(lab_factory, tmp_path_factory, 'audiocodes-phone', 31, '127.0.0.31:8090',
                     ['420HD', '440HD', '405HD', '430HD'])


@pytest.fixture
def phone(lab):
    phone = Phone(lab, '127.31.0.1')
    phone.reset()
    return phone


def assert_holds(phone, settings):
    config = phone.config()
    for key, value in settings.items():
        if isinstance(value, bool):
            value = int(value)
        assert same_value(value, config[key]), '%s: wanted %r, the phone holds %r' % (key, value, config[key])


def assert_no_secret(*outputs):
    for output in outputs:
        text = output if isinstance(output, str) else json.dumps(output)
        assert LINE_PASSWORD not in text
        assert ADMIN_PASSWORD not in text


@pytest.mark.parametrize('after_upload,restarts,extra', [
    ('reboot', 1, 0),
    ('live', 0, 0),
    ('pending_reboot', 1, REBOOT_HTM_EXTRA),
    ('per_key', 1, REBOOT_HTM_EXTRA),
])
def test_a_change_is_applied_then_a_second_run_changes_nothing(phone, after_upload, restarts, extra):
    phone.reset(after_upload=after_upload)
    before = phone.config()
    # per_key: voip/line/0/enabled is a REBOOT key, the rest apply at once.
    settings = dict(SETTINGS, **{'voip/line/1/enabled': True})
    result, output = run_module(MODULE, phone.args(settings=settings), diff=True)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_holds(phone, settings)
    counters = phone.counters()
    assert counters.get('restarts', 0) == restarts
    assert result['rebooted'] is bool(restarts)
    assert counters.get('ignored_post', 0) == 0
    assert counters.get('upload') == 1
    assert phone.requests(counters, polls=False) <= NOOP_BUDGET + CHANGE_BUDGET + extra
    assert 'voip/line/0/id=1501' in result['diff']['before']
    assert 'voip/line/0/id=1502' in result['diff']['after']
    assert 'voip/media/out_of_band_dtmf=%s' % before['voip/media/out_of_band_dtmf'].upper() in result['diff']['before']
    assert 'voip/media/out_of_band_dtmf=VIA_SIP' in result['diff']['after']
    assert result['changes']['voip/line/0/auth_password'] == {'before': '********', 'after': '********'}
    assert result['device'] == {'model': '420HD', 'firmware': phone.info()['firmware'],
                                'mac': phone.info()['mac'].lower()}
    assert_no_secret(result, output)

    phone.clear_counters()
    again, output = run_module(MODULE, phone.args(settings=settings))
    assert again['changed'] is False and again['changes'] == {}
    assert again['rebooted'] is False
    assert phone.counters().get('writes', 0) == 0
    assert phone.requests() <= NOOP_BUDGET
    assert_no_secret(again, output)


def test_check_mode_reports_the_change_and_writes_nothing(phone):
    before, history = phone.config(), phone.history()
    result, output = run_module(MODULE, phone.args(settings=SETTINGS), check=True, diff=True)
    assert result['changed'] is True
    # proxy_port 5060 is already the factory value; the secret is written along with the rest.
    assert sorted(result['changes']) == sorted(key for key in SETTINGS if key != 'voip/signalling/sip/proxy_port')
    assert 'voip/line/0/description=Agent 1502' in result['diff']['after']
    assert phone.counters().get('writes', 0) == 0
    assert phone.counters().get('page_post', 0) == 0
    assert phone.config() == before and phone.history() == history
    assert phone.requests() <= NOOP_BUDGET
    assert_no_secret(result, output)


def test_a_session_that_expires_between_requests_is_renewed(phone):
    phone.lab.put('phone', '/timings', {'expire_session_every': 2})
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_holds(phone, SETTINGS)
    counters = phone.counters()
    assert counters.get('login_page', 0) >= 1 and counters.get('login', 0) >= 2
    again, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    assert again['changed'] is False


@pytest.mark.parametrize('after_upload', ['reboot', 'pending_reboot'])
def test_without_waiting_the_module_returns_while_the_phone_restarts(phone, after_upload):
    phone.reset(after_upload=after_upload)
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS, wait_for_reboot=False))
    assert result['changed'] is True and result['rebooted'] is False and result['reboot_pending'] is True
    assert phone.info()['state'] == 'rebooting'
    assert phone.counters().get('restarts') == 1


def test_the_live_variant_without_waiting_is_verified_at_once(phone):
    phone.reset(after_upload='live')
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS, wait_for_reboot=False))
    assert result['changed'] is True and result['rebooted'] is False and result['reboot_pending'] is False
    assert_holds(phone, SETTINGS)
    assert phone.counters().get('restarts', 0) == 0


def test_a_key_the_firmware_does_not_know_is_refused_naming_it(phone):
    phone.reset(without_assumed_keys=True)
    settings = dict(SETTINGS, **{'voip/signalling/sip/redundant_proxy/mode': 'SIMULTANEOUS'})
    result, dummy = run_module(MODULE, phone.args(settings=settings))
    assert result['failed'] is True
    assert 'voip/signalling/sip/redundant_proxy/mode' in result['msg']
    assert 'phone 127.31.0.1' in result['msg']
    assert phone.counters().get('writes', 0) == 0
    assert phone.config()['voip/line/0/id'] == '1501'


def test_a_misspelt_key_is_refused_naming_it(phone):
    result, dummy = run_module(MODULE, phone.args(settings=dict(SETTINGS, **{'voip/line/0/auth_nmae': 'x'})))
    assert result['failed'] is True and 'voip/line/0/auth_nmae' in result['msg']
    assert phone.counters().get('writes', 0) == 0


def test_a_value_the_phone_does_not_keep_fails_naming_the_key(phone):
    # The firmware ignores a transport it does not have (an enum value outside its list).
    # (A 0/1 spelling of an enum, as msg_waiting_ind/enabled on some firmware, is written as the
    # download shows it: tests/integration/test_real_device_variants.py.)
    settings = dict(SETTINGS, **{'voip/signalling/sip/transport_protocol': 'SCTP'})
    result, output = run_module(MODULE, phone.args(settings=settings))
    assert result['failed'] is True
    assert 'voip/signalling/sip/transport_protocol' in result['msg'] and 'did not keep' in result['msg']
    assert result['not_kept'] == ['voip/signalling/sip/transport_protocol']
    assert result['changed'] is True
    assert_holds(phone, SETTINGS)   # the rest was written
    assert_no_secret(result, output)


def test_an_invalid_value_is_reported_after_the_restart_that_might_have_applied_it(phone):
    phone.reset(after_upload='live')
    result, dummy = run_module(MODULE, phone.args(settings={'voip/signalling/sip/proxy_port': 99}))
    assert result['failed'] is True and 'voip/signalling/sip/proxy_port' in result['msg']
    assert phone.config()['voip/signalling/sip/proxy_port'] == '5060'


@pytest.mark.parametrize('settings,words', [
    ({'voip/line/2/id': '1503'}, ['voip/line/2/id', 'beyond the 2 lines of a 420HD']),
    ({'voip/signalling/sip/redundant_proxy/address': 'sip-proxy-pool-b.site-b.example.com'}, ['redundant_proxy/address', 'at most 32']),
    ({'Voip/Line/0/Id': '1502'}, ["'Voip/Line/0/Id'", 'not a configuration key']),
    ({'voip/line/0/description': 'two\nlines'}, ['voip/line/0/description', 'U+000A', 'cannot carry']),
    ({'system/password': 'clear-text'}, ['system/password', 'MD5-crypt']),
])
def test_bad_input_is_refused_before_anything_is_written(phone, settings, words):
    result, output = run_module(MODULE, phone.args(settings=settings))
    assert result['failed'] is True
    for word in words:
        assert word in result['msg']
    assert phone.counters().get('writes', 0) == 0
    assert 'clear-text' not in output


def test_the_line_limit_follows_the_model(lab):
    phone = Phone(lab, '127.31.0.2')     # a 440HD has 6 lines
    phone.reset(after_upload='live')
    result, dummy = run_module(MODULE, phone.args(settings={'voip/line/5/id': '1599'}))
    assert result['changed'] is True and phone.config()['voip/line/5/id'] == '1599'
    result, dummy = run_module(MODULE, phone.args(settings={'voip/line/6/id': '1600'}))
    assert result['failed'] is True and 'voip/line/6/id' in result['msg']


def test_a_phone_without_an_upload_form_fails_with_the_provisioning_way_out(phone):
    phone.reset(no_upload_form=True)
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    assert result['failed'] is True
    assert 'phone 127.31.0.1' in result['msg'] and 'no form to upload' in result['msg']
    assert 'provisioning' in result['msg'] and 'Auto_Provision' in result['msg']
    assert phone.counters().get('writes', 0) == 0


@pytest.mark.parametrize('variant', [
    {'auth': 'basic'},
    {'config_link': 'relative'},
    {'config_link': 'script'},
    {'upload_form': 'upload_cgi'},
    {'require_referer': True},
    {'post_requires_get': 'any_page'},
    {'missing_form_fields': 'default'},
    {'apply': 'merge'},
    {'secrets': 'clear'},
    {'secrets': 'omitted'},
    {'enum_case': 'database'},
    {'download_format': 'plain'},
    {'hidden_keys_in_download': False},
], ids=lambda variant: '%s=%s' % next(iter(variant.items())))
def test_every_firmware_variant_is_configured_and_then_left_alone(phone, variant):
    phone.reset(**variant)
    result, output = run_module(MODULE, phone.args(settings=SETTINGS))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_holds(phone, SETTINGS)
    counters = phone.counters()
    assert counters.get('ignored_post', 0) == 0 and counters.get('login_failed', 0) == 0
    # The login survives an upload even when the firmware hides the admin password.
    phone.clear_counters()
    again, output2 = run_module(MODULE, phone.args(settings=SETTINGS))
    assert again['changed'] is False, again
    assert phone.requests() <= NOOP_BUDGET
    assert_no_secret(result, again, output, output2)


@pytest.mark.parametrize('seed', [3, 4, 5])
def test_transient_faults_at_ten_percent_do_not_stop_a_change(phone, seed):
    phone.reset(after_upload='pending_reboot')
    phone.lab.put('phone', '/faults', {'seed': seed, 'error_rate': 0.04, 'reset_rate': 0.03, 'lost_reply_rate': 0.03})
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    again, dummy = run_module(MODULE, phone.args(settings=SETTINGS))
    assert again['changed'] is False and not again.get('failed'), again.get('msg')
    phone.lab.put('phone', '/faults', {'error_rate': 0, 'reset_rate': 0, 'lost_reply_rate': 0})
    assert_holds(phone, SETTINGS)
    faults = phone.counters()
    assert sum(faults.get(kind, 0) for kind in ('fault_5xx', 'fault_reset', 'fault_lost_reply')) >= 1


def test_slow_answers_are_retried_after_the_timeout(phone):
    phone.reset(after_upload='live')
    phone.lab.put('phone', '/timings', {'slow_seconds': 3})
    phone.lab.put('phone', '/faults', {'seed': 7, 'slow_rate': 0.15})
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS, timeout=2))
    assert not result.get('failed'), result.get('msg')
    phone.lab.put('phone', '/faults', {'slow_rate': 0})
    assert_holds(phone, SETTINGS)


def test_plain_http_works_too(phone):
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS, use_https=False, port=HTTP_PORT))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_holds(phone, SETTINGS)


def test_an_untrusted_certificate_fails_naming_the_fix(phone):
    args = phone.args(settings=SETTINGS)
    del args['ca_path']
    result, dummy = run_module(MODULE, args)
    assert result['failed'] is True
    assert 'certificate' in result['msg'] and 'ca_path' in result['msg'] and 'validate_certs' in result['msg']
    assert phone.requests() == 0


def test_connection_options_come_from_the_environment(phone):
    args = phone.args(settings=SETTINGS)
    for option in ('password', 'ca_path'):
        del args[option]
    env = {'AUDIOCODES_PASSWORD': ADMIN_PASSWORD, 'AUDIOCODES_CA_PATH': phone.lab.ca_path, 'AUDIOCODES_USERNAME': 'admin'}
    result, output = run_module(MODULE, args, env=env)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert_no_secret(result, output)


@pytest.mark.parametrize('auth', ['cookie', 'basic'])
def test_wrong_credentials_fail_naming_the_phone_and_the_fix(phone, auth):
    phone.reset(auth=auth)
    result, output = run_module(MODULE, phone.args(settings=SETTINGS, password='not-the-password'))
    assert result['failed'] is True
    assert 'phone 127.31.0.1' in result['msg'] and 'wrong credentials' in result['msg']
    assert 'AUDIOCODES_PASSWORD' in result['msg']
    assert phone.counters().get('writes', 0) == 0
    assert 'not-the-password' not in output


def test_update_secrets_on_change_writes_a_hidden_secret_only_alongside_other_keys(phone):
    secret_only = {'voip/line/0/auth_password': LINE_PASSWORD}
    result, dummy = run_module(MODULE, phone.args(settings=secret_only))
    assert result['changed'] is False
    assert phone.config()['voip/line/0/auth_password'] != LINE_PASSWORD
    result, dummy = run_module(MODULE, phone.args(settings=dict(secret_only, **{'voip/line/0/id': '1502'})))
    assert result['changed'] is True
    assert phone.config()['voip/line/0/auth_password'] == LINE_PASSWORD


def test_update_secrets_always_writes_on_every_run(phone):
    secret_only = {'voip/line/0/auth_password': LINE_PASSWORD}
    for dummy in range(2):
        phone.clear_counters()
        result, output = run_module(MODULE, phone.args(settings=secret_only, update_secrets='always'))
        assert result['changed'] is True
        assert phone.counters().get('upload') == 1
        assert phone.config()['voip/line/0/auth_password'] == LINE_PASSWORD
        assert_no_secret(result, output)


def test_a_secret_shown_in_clear_is_compared_like_any_key(phone):
    phone.reset(secrets='clear')
    result, dummy = run_module(MODULE, phone.args(settings={'voip/line/0/auth_password': LINE_PASSWORD}))
    assert result['changed'] is True
    again, dummy = run_module(MODULE, phone.args(settings={'voip/line/0/auth_password': LINE_PASSWORD}))
    assert again['changed'] is False


def test_update_secrets_on_create_writes_a_secret_only_where_the_phone_has_none(phone):
    phone.reset(secrets='clear')
    key = 'voip/line/0/auth_password'
    result, dummy = run_module(MODULE, phone.args(settings={key: ''}, update_secrets='always'))
    assert result['changed'] is True and phone.config()[key] == ''
    result, output = run_module(MODULE, phone.args(settings={key: LINE_PASSWORD}, update_secrets='on_create'))
    assert result['changed'] is True and phone.config()[key] == LINE_PASSWORD
    assert_no_secret(result, output)
    phone.clear_counters()
    result, dummy = run_module(MODULE, phone.args(settings={key: 'Another-Pw-77'}, update_secrets='on_create'))
    assert result['changed'] is False and phone.config()[key] == LINE_PASSWORD
    assert phone.counters().get('writes', 0) == 0


def test_backup_saves_the_configuration_as_downloaded_with_mode_0600(phone, tmp_path):
    result, dummy = run_module(MODULE, phone.args(settings=SETTINGS, backup=True,
                                                  backup_options={'dir_path': str(tmp_path / 'saved')}))
    path = result['backup_file']
    assert os.path.dirname(path) == str(tmp_path / 'saved')
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    assert 'voip/line/0/id=1501\n' in text            # before the change
    assert 'system/password={"' in text               # secrets as the phone showed them
    assert phone.config()['voip/line/0/id'] == '1502'


def test_backup_goes_to_AUDIOCODES_BACKUP_DIR_else_home_never_the_working_directory(phone, tmp_path):
    home = tmp_path / 'home'
    result, output = run_module(MODULE, phone.args(backup=True), env={'HOME': str(home)})
    assert not result.get('failed'), output
    default = home / '.ansible' / 'backups' / 'telephony.genesys_audiocodes'
    assert os.path.dirname(result['backup_file']) == str(default)
    assert stat.S_IMODE(os.stat(str(default)).st_mode) == 0o700
    assert not (tmp_path / 'backup').exists()
    result, output = run_module(MODULE, phone.args(backup=True),
                                env={'HOME': str(home), 'AUDIOCODES_BACKUP_DIR': str(tmp_path / 'from-env')})
    assert os.path.dirname(result['backup_file']) == str(tmp_path / 'from-env')


def test_backup_options_filename_names_the_file_and_backup_dir_still_works_deprecated(phone, tmp_path):
    options = {'dir_path': str(tmp_path / 'named'), 'filename': 'phone-1.cfg'}
    for dummy in range(2):      # the named file is replaced, not added to
        result, output = run_module(MODULE, phone.args(backup=True, backup_options=options))
        assert result['backup_file'] == str(tmp_path / 'named' / 'phone-1.cfg'), output
    assert os.listdir(str(tmp_path / 'named')) == ['phone-1.cfg']
    assert not result.get('deprecations')
    result, output = run_module(MODULE, phone.args(backup=True, backup_dir=str(tmp_path / 'old')))
    assert os.path.dirname(result['backup_file']) == str(tmp_path / 'old')
    notices = json.dumps(result.get('deprecations'))     # its shape differs between ansible-core versions
    assert "'backup_dir' is deprecated" in notices and '1.0.0' in notices and 'telephony.genesys_audiocodes' in notices


def test_the_secret_never_appears_in_ansible_output_at_any_verbosity(phone, tmp_path):
    config = tmp_path / 'ansible.cfg'
    config.write_text('[defaults]\nstdout_callback = default\n')
    args = json.dumps(phone.args(settings=SETTINGS))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_CONFIG=str(config),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'), ANSIBLE_HOME=str(tmp_path / 'home'))
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible'),
               'localhost', '-i', 'localhost,', '-c', 'local', '-m', 'telephony.genesys_audiocodes.' + MODULE,
               '-a', args, '-vvv', '--diff', '-e', 'ansible_python_interpreter=%s' % sys.executable]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert 'CHANGED' in output and 'voip/line/0/id=1502' in output
    assert_no_secret(output)
    assert phone.config()['voip/line/0/auth_password'] == LINE_PASSWORD
