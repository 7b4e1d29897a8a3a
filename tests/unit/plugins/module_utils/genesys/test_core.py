"""Input checks and planning of the Genesys modules, on plain dicts (no GAX involved)."""

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import MASK, InputError, SecretMasker
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core, objects

SWITCH = {'type': 'CfgSwitch', 'dbid': '101', 'name': 'SIP_Switch_A', 'tenantdbid': '1'}


def params(**extra):
    base = {'gax_url': 'http://127.0.0.3:8080', 'username': 'default', 'password': 'gax-secret',
            'switch': 'SIP_Switch_A', 'state': 'present', 'purge_options': False}
    base.update(extra)
    return base


def existing_dn(number='1502', **fields):
    obj = {'type': 'CfgDN', 'dbid': '117', 'number': number, 'switchdbid': '101', 'tenantdbid': '1',
           'subtype': 'CFGExtension', 'name': '', 'state': 'CFGEnabled', 'association': 'desk 4',
           'unknownfield': {'nested': ['kept']},
           'userproperties': {'property': [
               {'section': 'TServer', 'key': 'contact', 'value': '*'},
               {'section': 'TServer', 'key': 'password', 'value': 'old-sip-secret'},
               {'section': 'Reporting', 'key': 'cost-center', 'value': 'FRONT-01'}]}}
    obj.update(fields)
    return obj


def plan_one(kind, prm, obj):
    wants = core._wants(kind, prm)[1]
    masker = SecretMasker(core._param_secrets(kind, prm))
    return core._plan(kind, wants[0], obj, SWITCH, masker), masker


def plan_only(kind, prm, obj):
    return plan_one(kind, prm, obj)[0]


# --- input ------------------------------------------------------------------------------------------

def test_a_number_listed_twice_fails_the_whole_call_naming_it():
    with pytest.raises(InputError) as caught:
        core._wants(core.DN, params(dns=[{'number': '1502'}, {'number': '1503'}, {'number': '1502'}]))
    assert caught.value.message.startswith('DN 1502 on switch SIP_Switch_A: listed 2 times in one call')


@pytest.mark.parametrize('number, words', [('', 'the number is empty'), ('15 02', 'contains spaces'),
                                           (' 1502', 'contains spaces'), (None, 'the number is empty')])
def test_an_empty_or_spaced_number_is_refused(number, words):
    with pytest.raises(InputError) as caught:
        core._wants(core.DN, params(dns=[{'number': number}]))
    assert words in caught.value.message


def test_every_problem_of_a_bulk_call_is_named_at_once():
    with pytest.raises(InputError) as caught:
        core._wants(core.DN, params(dns=[{'number': '1 5'}, {'number': '1503', 'options': {'TServer': {'x': [1]}}},
                                         {'number': '1504'}, {'number': '1504'}]))
    message = caught.value.message
    assert message.startswith('switch SIP_Switch_A: 3 problems in the input, nothing was changed')
    assert "DN '1 5'" in message and 'DN 1503 on switch SIP_Switch_A: option TServer/x has a list value' in message
    assert 'DN 1504 on switch SIP_Switch_A: listed 2 times' in message


def test_top_level_values_are_the_defaults_of_each_entry():
    wants = core._wants(core.DN, params(state='absent', dns=[{'number': '1502'}, {'number': '1503', 'state': 'present'}]))[1]
    assert [(want['key'], want['state']) for want in wants] == [('1502', 'absent'), ('1503', 'present')]


def test_number_and_dns_together_are_refused():
    with pytest.raises(InputError):
        core._wants(core.DN, params(number='1502', dns=[{'number': '1503'}]))


def test_a_bad_type_is_refused():
    with pytest.raises(InputError) as caught:
        core._wants(core.DN, params(number='1502', type='trunk'))
    assert 'type' in caught.value.message and 'extension' in caught.value.fix


# --- planning ---------------------------------------------------------------------------------------

def test_a_new_dn_is_a_whole_object_of_strings_on_the_switch_and_its_tenant():
    plan = plan_only(core.DN, params(number='1502', options={'TServer': {'contact': '*', 'refer-enabled': False}}), None)
    assert plan['action'] == 'created'
    body = plan['body']
    assert body == {
        'type': 'CfgDN', 'subtype': 'CFGExtension', 'number': '1502', 'switchdbid': '101', 'tenantdbid': '1',
        'state': 'CFGEnabled', 'registerall': 'CFGDRTrue', 'routetype': 'CFGDefault', 'useoverride': 'CFGTrue',
        'switchspecifictype': '1',
        'userproperties': {'property': [{'section': 'TServer', 'key': 'contact', 'value': '*'},
                                        {'section': 'TServer', 'key': 'refer-enabled', 'value': 'false'}]}}


def test_an_equal_dn_plans_nothing():
    prm = params(number='1502', type='extension', enabled=True, options={'TServer': {'contact': ' * '}})
    plan = plan_only(core.DN, prm, existing_dn())
    assert plan['action'] == 'none' and plan['changed'] == {}


def test_an_update_sends_the_whole_object_read_with_only_the_changes():
    plan = plan_only(core.DN, params(number='1502', enabled=False, options={'TServer': {'dr-forward': 'oos'}}), existing_dn())
    assert plan['action'] == 'updated'
    body = plan['body']
    assert body['state'] == 'CFGDisabled'
    assert body['association'] == 'desk 4' and body['unknownfield'] == {'nested': ['kept']}
    assert objects.annex_of(body) == {'TServer': {'contact': '*', 'password': 'old-sip-secret', 'dr-forward': 'oos'},
                                      'Reporting': {'cost-center': 'FRONT-01'}}
    assert plan['verify_options'] == {('TServer', 'dr-forward'): 'oos'}


def test_changing_the_type_of_an_existing_dn_is_refused_with_the_way_out():
    with pytest.raises(InputError) as caught:
        plan_one(core.DN, params(number='1502', type='acd_position'), existing_dn())
    message = caught.value.message
    assert message.startswith('DN 1502 on switch SIP_Switch_A: its type is extension')
    assert 'state: absent' in message and 'state: present' in message


def test_a_delete_reports_what_goes():
    plan, masker = plan_one(core.DN, params(number='1502', state='absent'), existing_dn())
    assert plan['action'] == 'deleted'
    entry, diff = core._report(core.DN, plan, masker, 'SIP_Switch_A')
    assert entry['changes']['TServer/contact'] == {'before': '*', 'after': None}
    assert entry['changes']['TServer/password'] == {'before': MASK, 'after': None}
    assert diff['after'] == '' and 'old-sip-secret' not in diff['before']


def test_absent_and_not_there_is_no_change():
    plan = plan_only(core.DN, params(number='1599', state='absent'), None)
    assert plan['action'] == 'none'


def test_secrets_are_masked_in_changes_and_diff():
    prm = params(number='1502', options={'TServer': {'password': 'new-sip-secret', 'contact': 'sip:new-sip-secret@x'}})
    plan, masker = plan_one(core.DN, prm, existing_dn())
    result = core._result(core.DN, [plan], masker, 'SIP_Switch_A')
    text = repr(result)
    assert 'new-sip-secret' not in text and 'old-sip-secret' not in text and 'gax-secret' not in text
    assert result['dns'][0]['changes']['TServer/password'] == {'before': MASK, 'after': MASK}
    assert result['changed'] is True


def test_the_module_registers_option_secrets_as_no_log_values():
    prm = params(dns=[{'number': '1502', 'options': {'TServer': {'password': 'abc123'}}}],
                 options={'TServer': {'password': 987654}})
    assert core.dn_secrets(prm) == {'abc123', '987654'}


def test_an_agent_login_password_is_written_on_create_only_by_default():
    login = {'type': 'CfgAgentLogin', 'dbid': '101', 'logincode': '7000', 'switchdbid': '101', 'state': 'CFGEnabled',
             'userproperties': {'property': []}}
    prm = params(login_code='7000', login_password='agent-secret', update_secrets='on_create')
    plan = plan_only(core.AGENT_LOGIN, prm, login)
    assert plan['action'] == 'none'
    prm['update_secrets'] = 'always'
    plan, masker = plan_one(core.AGENT_LOGIN, prm, login)
    assert plan['action'] == 'updated' and plan['body']['password'] == 'agent-secret'
    entry = core._report(core.AGENT_LOGIN, plan, masker, 'SIP_Switch_A')[0]
    assert entry['changes'] == {'login_password': {'before': MASK, 'after': MASK}}


def test_on_change_writes_an_agent_login_password_only_with_another_change():
    login = {'type': 'CfgAgentLogin', 'dbid': '101', 'logincode': '7000', 'switchdbid': '101', 'state': 'CFGEnabled',
             'userproperties': {'property': []}}
    prm = params(login_code='7000', login_password='agent-secret', update_secrets='on_change')
    assert plan_only(core.AGENT_LOGIN, prm, login)['action'] == 'none'
    prm['options'] = {'TServer': {'wrap-up-time': 5}}
    plan, masker = plan_one(core.AGENT_LOGIN, prm, login)
    assert plan['action'] == 'updated' and plan['body']['password'] == 'agent-secret'
    changes = core._report(core.AGENT_LOGIN, plan, masker, 'SIP_Switch_A')[0]['changes']
    assert changes['login_password'] == {'before': MASK, 'after': MASK} and 'TServer/wrap-up-time' in changes


def test_update_password_the_name_before_0_3_0_is_still_read():
    login = {'type': 'CfgAgentLogin', 'dbid': '101', 'logincode': '7000', 'switchdbid': '101', 'state': 'CFGEnabled',
             'userproperties': {'property': []}}
    prm = params(login_code='7000', login_password='agent-secret', update_password='always')
    assert plan_only(core.AGENT_LOGIN, prm, login)['action'] == 'updated'
    prm = params(agent_logins=[{'login_code': '7000', 'login_password': 'agent-secret', 'update_password': 'always'}])
    assert plan_only(core.AGENT_LOGIN, prm, login)['action'] == 'updated'


def test_a_new_agent_login_carries_its_password():
    plan = plan_only(core.AGENT_LOGIN, params(login_code='7001', login_password='agent-secret'), None)
    assert plan['body']['password'] == 'agent-secret' and plan['body']['logincode'] == '7001'
    assert 'password' not in plan['verify_fields'] and 'login_password' not in plan['verify_fields']


def test_info_entries_are_module_input_with_secrets_masked():
    entry = core._info_entry(core.DN, existing_dn(folderid='107'))
    assert entry == {'number': '1502', 'state': 'present', 'type': 'extension', 'name': '', 'enabled': True,
                     'options': {'TServer': {'contact': '*', 'password': MASK}, 'Reporting': {'cost-center': 'FRONT-01'}}}


def test_a_dn_name_used_elsewhere_in_the_tenant_is_refused_before_any_write():
    other_site = existing_dn(dbid='201', switchdbid='102', name='Desk_1502')
    prm = params(dns=[{'number': '1502', 'name': 'Desk_1502'}])
    wants = core._wants(core.DN, prm)[1]
    plans = [core._plan(core.DN, wants[0], None, SWITCH, SecretMasker())]
    with pytest.raises(InputError) as caught:
        core._check_names(core.DN, plans, [other_site], SWITCH, {'101': 'SIP_Switch_A', '102': 'SIP_Switch_B'})
    assert caught.value.message.startswith(
        "DN 1502 on switch SIP_Switch_A: name 'Desk_1502' is also the name of DN 1502 on switch SIP_Switch_B")
    assert 'per site' in caught.value.fix


def test_a_name_freed_in_the_same_call_may_be_reused():
    old = existing_dn(number='1501', dbid='150', name='Desk')
    prm = params(dns=[{'number': '1501', 'state': 'absent'}, {'number': '1502', 'name': 'Desk'}])
    wants = core._wants(core.DN, prm)[1]
    plans = [core._plan(core.DN, wants[0], old, SWITCH, SecretMasker()),
             core._plan(core.DN, wants[1], None, SWITCH, SecretMasker())]
    core._check_names(core.DN, plans, [old], SWITCH, {'101': 'SIP_Switch_A'})


def test_an_empty_folder_means_the_default_folder():
    plan = plan_only(core.DN, params(number='1502', folder=''), None)
    assert 'folderid' not in plan['body'] and 'folder' not in plan['changed']


class _Client:
    subject = 'GAX http://127.0.0.3:8080'


@pytest.mark.parametrize('fresh,words', [
    (existing_dn(switchdbid='102'), 'it is now on switch DBID 102, not SIP_Switch_A (DBID 101)'),
    (existing_dn(tenantdbid='2'), 'it now belongs to tenant DBID 2, the switch to tenant DBID 1'),
    (existing_dn(number='1598'), 'its number is now 1598'),
])
def test_an_object_moved_since_the_listing_is_not_updated(fresh, words):
    """Issue 22 item 11: the GET before an update must still show the object planned (the lab keeps a DN's switch
    and number fixed, so this is checked here, on what GAX could answer)."""
    want = core._wants(core.DN, params(number='1502'))[1][0]
    with pytest.raises(core.OperatorError) as caught:
        core._same_place(_Client(), core.DN, want, fresh, SWITCH, '117')
    assert words in str(caught.value) and 'DN 1502 on switch SIP_Switch_A' in str(caught.value)
    core._same_place(_Client(), core.DN, want, existing_dn(), SWITCH, '117')     # unchanged: no error
