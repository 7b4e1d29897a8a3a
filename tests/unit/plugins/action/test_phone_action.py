"""The phone modules' action plugins, their pure logic: when they run in-process, what they return.

The HTTP side is the core functions' (tested against the lab in
tests/integration/test_action_inprocess.py); here a stand-in core function records its call.
"""

import os

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.action import (
    audiocodes_phone, audiocodes_phone_info, audiocodes_phone_reboot,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import core, module_support
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import InputError
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils import phone_action

NO_LOG = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


class Thing:
    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class Templar:
    def template(self, value):
        return value


def action(plugin=audiocodes_phone.ActionModule, transport='local', check_mode=False, diff=False, async_val=0,
           become=False, core_function=None):
    """An action plugin instance without ActionBase.__init__ (no loader, no connection needed)."""
    instance = plugin.__new__(plugin)
    instance._task = Thing(action='telephony.genesys_audiocodes.audiocodes_phone', check_mode=check_mode, diff=diff,
                           async_val=async_val, args={}, environment=None)
    instance._connection = Thing(transport=transport)
    instance._play_context = Thing(become=become)
    instance._templar = Templar()
    if core_function is not None:
        instance.core_function = core_function
    return instance


def recorder(result=None, error=None, learn=None):
    calls = []

    def function(params, masker=None, **options):
        calls.append((params, options))
        if learn:
            masker.add(learn)
        if error:
            raise error
        return dict(result or {'changed': False})

    function.calls = calls
    return function


def test_each_plugin_uses_its_modules_spec_and_core_function():
    assert audiocodes_phone.ActionModule.argument_spec() == module_support.phone_argument_spec()
    assert audiocodes_phone.ActionModule.core_function is core.run_phone
    assert set(audiocodes_phone.ActionModule.core_options) == {'check_mode', 'diff'}
    assert audiocodes_phone_info.ActionModule.argument_spec() == module_support.phone_info_argument_spec()
    assert audiocodes_phone_info.ActionModule.core_function is core.run_phone_info
    assert audiocodes_phone_info.ActionModule.core_options == ()
    assert audiocodes_phone_reboot.ActionModule.argument_spec() == module_support.phone_reboot_argument_spec()
    assert audiocodes_phone_reboot.ActionModule.core_function is core.run_phone_reboot
    assert audiocodes_phone_reboot.ActionModule.core_options == ('check_mode',)


@pytest.mark.parametrize('changes, reason', [
    ({}, None),
    ({'transport': 'ssh'}, 'connection ssh'),
    ({'async_val': 30}, 'async'),
    ({'become': True}, 'become'),
])
def test_in_process_only_on_a_plain_local_connection(changes, reason):
    assert action(**changes).module_needed({}) == reason


def test_the_variable_turns_the_in_process_path_off():
    assert action().module_needed({'audiocodes_in_process': False}) == 'audiocodes_in_process is false'
    assert action().module_needed({'audiocodes_in_process': 'no'}) == 'audiocodes_in_process is false'
    assert action().module_needed({'audiocodes_in_process': True}) is None


def test_the_core_gets_validated_params_with_defaults_and_the_modes_the_module_passes():
    function = recorder({'changed': True})
    result = action(check_mode=True, diff=True, core_function=function).run_in_process(
        {'host': '127.0.1.12', 'password': 'Pw-Unit-1', 'settings': {'voip/line/0/id': '1502'}})
    params, options = function.calls[0]
    assert options == {'check_mode': True, 'diff': True}
    assert params['username'] == 'admin' and params['use_https'] is True and params['wait_for_reboot'] is True
    assert result['changed'] is True


def test_reboot_passes_check_mode_only_and_info_passes_nothing():
    function = recorder()
    action(plugin=audiocodes_phone_reboot.ActionModule, check_mode=True, diff=True,
           core_function=function).run_in_process({'host': '127.0.1.12', 'password': 'Pw-Unit-1'})
    action(plugin=audiocodes_phone_info.ActionModule, check_mode=True, diff=True,
           core_function=function).run_in_process({'host': '127.0.1.12', 'password': 'Pw-Unit-1'})
    assert [options for _params, options in function.calls] == [{'check_mode': True}, {}]


def test_the_invocation_hides_the_password_and_secret_settings_as_the_module_does():
    function = recorder({'changed': True, 'msg': 'wrote Sip-Unit-Pw-9 and Pw-Unit-1'})
    result = action(core_function=function).run_in_process(
        {'host': '127.0.1.12', 'password': 'Pw-Unit-1',
         'settings': {'voip/line/0/auth_password': 'Sip-Unit-Pw-9', 'voip/line/0/id': '1502'}})
    module_args = result['invocation']['module_args']
    assert module_args['password'] == NO_LOG
    assert module_args['settings']['voip/line/0/auth_password'] == NO_LOG
    assert module_args['settings']['voip/line/0/id'] == '1502'
    assert 'Sip-Unit-Pw-9' not in str(result) and 'Pw-Unit-1' not in str(result)


def test_a_secret_the_core_learns_is_hidden_too():
    function = recorder({'changed': False, 'msg': 'hash $1$abc$learned'}, learn='$1$abc$learned')
    result = action(core_function=function).run_in_process({'host': '127.0.1.12', 'password': 'Pw-Unit-1'})
    assert '$1$abc$learned' not in str(result)


def test_booleans_and_none_survive_the_masking():
    # A password "True" must not turn changed=True into a masked string (AnsibleModule keeps them too).
    function = recorder({'changed': True, 'rebooted': False, 'backup_file': None})
    result = action(core_function=function).run_in_process({'host': '127.0.1.12', 'password': 'True'})
    assert result['changed'] is True and result['rebooted'] is False and result['backup_file'] is None


def test_an_operator_error_fails_with_its_message_and_warnings_are_kept():
    function = recorder(error=InputError('phone 127.0.1.12', 'settings refused before any change: voip/x', 'correct it'))
    result = action(core_function=function).run_in_process({'host': '127.0.1.12', 'password': 'Pw-Unit-1'})
    assert result['failed'] is True
    assert result['msg'] == 'phone 127.0.1.12: settings refused before any change: voip/x; correct it'
    warned = action(core_function=recorder({'changed': True, 'warnings': ['phone 127.0.1.12 does not show x']}))
    assert warned.run_in_process({'host': '127.0.1.12', 'password': 'Pw-Unit-1'})['warnings'] == \
        ['phone 127.0.1.12 does not show x']


def test_warnings_recorded_with_module_utils_warn_reach_the_result_before_ansible_core_2_19(monkeypatch):
    # ansible-core 2.17/2.18 keep warn()'s warnings in a list that only AnsibleModule reads; in-process,
    # the action takes them into the result (2.19 and later show them at once: no list).
    from ansible.module_utils.common import warnings as module_warnings
    monkeypatch.setattr(module_warnings, '_global_warnings', [])

    def function(params, masker=None, **options):
        module_warnings._global_warnings.append('validate_certs is false: Pw-Unit-1 must not show')
        return {'changed': False}
    result = action(core_function=function).run_in_process({'host': '127.0.1.12', 'password': 'Pw-Unit-1'})
    assert result['warnings'] == ['validate_certs is false: ******** must not show']
    assert module_warnings._global_warnings == []


def test_a_deprecated_option_is_reported_as_the_module_reports_it():
    args = {'host': '127.0.1.12', 'password': 'Pw-Unit-1', 'backup_dir': '/tmp/phones'}
    result = action(core_function=recorder()).run_in_process(args)
    assert not result.get('failed'), result
    notice, = result['deprecations']
    assert "'backup_dir' is deprecated" in notice['msg']
    assert (notice['version'], notice['collection_name']) == ('1.0.0', 'telephony.genesys_audiocodes')


def test_bad_arguments_fail_before_the_core_is_called():
    function = recorder()
    unknown = action(core_function=function).run_in_process({'host': '127.0.1.12', 'password': 'Pw-Unit-1', 'nope': 1})
    assert unknown['failed'] is True
    assert unknown['msg'].startswith('Unsupported parameters for (telephony.genesys_audiocodes.audiocodes_phone) module: nope')
    missing = action(core_function=function).run_in_process({'password': 'Pw-Unit-1'})
    assert missing['failed'] is True and 'host' in missing['msg']
    wrong = action(core_function=function).run_in_process({'host': 'x', 'password': 'Pw-Unit-1', 'update_secrets': 'never'})
    assert wrong['failed'] is True and 'update_secrets' in wrong['msg']
    assert function.calls == []


def test_the_password_may_come_from_the_environment(monkeypatch):
    monkeypatch.setitem(os.environ, 'AUDIOCODES_PASSWORD', 'Env-Unit-Pw')
    function = recorder()
    result = action(core_function=function).run_in_process({'host': '127.0.1.12'})
    assert function.calls[0][0]['password'] == 'Env-Unit-Pw'
    assert 'Env-Unit-Pw' not in str(result)


def test_the_plugin_base_says_which_mark_tests_look_for():
    assert phone_action.IN_PROCESS_MARK == 'in the controller process'
