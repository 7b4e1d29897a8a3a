"""The desired state's secrets as references (issue 22 item 12): out of the preflight's fact, back in the writing task."""

import json

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils import secret_refs

HOSTVARS = {
    'phone-a01': {'gac_lines': [{'dn': '1501', 'sip_password': 'sip-1501-Secret'}, {'dn': '1502'}],
                  'gac_sites': [{'name': 'A', 'agent_logins': [{'login_code': '7001', 'password': 'agent-7001-Pw'}]}]},
    'phone-b01': {'lines': [{'dn': '1521', 'sip_password': 'sip-1521-Secret'}]},
}
STATE = {
    'phones': {
        'phone-a01': {'address': '127.0.1.11',
                      'settings': {'voip/line/0/id': '1501', 'voip/line/0/auth_password': 'sip-1501-Secret'}},
        'phone-b01': {'address': '127.0.2.11',
                      'settings': {'voip/line/0/auth_password': 'sip-1521-Secret', 'voip/line/1/auth_password': ''}},
    },
    'switches': {'A': {'dns': [{'number': '1501', 'options': {'TServer': {'contact': '*', 'password': 'sip-1501-Secret'}}}],
                       'agent_logins': [{'login_code': '7001', 'login_password': 'agent-7001-Pw'}]}},
}
SECRETS = ('sip-1501-Secret', 'sip-1521-Secret', 'agent-7001-Pw')


def test_the_fact_holds_references_not_secrets_and_the_writing_task_gets_them_back():
    public, kept = secret_refs.without(STATE, HOSTVARS, ['phone-a01', 'phone-b01'])
    text = json.dumps(public)
    assert kept == [] and not any(secret in text for secret in SECRETS)
    assert public['phones']['phone-a01']['settings']['voip/line/0/auth_password'] == {
        '__secret__': ['phone-a01', 'gac_lines', 0, 'sip_password']}
    assert public['phones']['phone-b01']['settings']['voip/line/1/auth_password'] == ''    # no secret: as it is
    assert public['switches']['A']['agent_logins'][0]['login_password'] == {
        '__secret__': ['phone-a01', 'gac_sites', 0, 'agent_logins', 0, 'password']}
    assert secret_refs.resolve(public, HOSTVARS) == STATE
    assert STATE['phones']['phone-a01']['settings']['voip/line/0/auth_password'] == 'sip-1501-Secret'  # input kept


def test_a_secret_from_nowhere_in_the_schema_stays_and_is_named_without_its_value():
    state = {'phones': {'phone-a01': {'settings': {'voip/line/0/auth_password': 'made-by-a-template'}}}, 'switches': {}}
    public, kept = secret_refs.without(state, HOSTVARS, ['phone-a01'])
    assert kept == ['phone phone-a01 voip/line/0/auth_password']
    assert public == state


def test_a_reference_that_cannot_be_read_again_is_an_error_naming_where():
    with pytest.raises(secret_refs.Unresolved, match='gac_lines.5.sip_password of host phone-a01'):
        secret_refs.resolve({'__secret__': ['phone-a01', 'gac_lines', 5, 'sip_password']}, HOSTVARS)
