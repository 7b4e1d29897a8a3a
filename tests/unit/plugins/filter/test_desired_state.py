"""The filter roles call: the same function, fed from hostvars, failing as Ansible expects."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.genesys_audiocodes.plugins.filter import desired_state as plugin

SITES = [{'name': 'paris', 'sip_server': {'address': '127.0.0.50'},
          'gax': {'url': 'http://127.0.0.3:8080', 'switch': 'SIP_Switch_A'}}]


def host(dn, **features):
    return {'ansible_host': '127.0.1.%d' % int(dn[-2:]), 'gac_model': '440HD', 'gac_firmware': '2.2.16.142.12', 'gac_site': 'paris',
            'inventory_hostname': 'phone-%s' % dn, 'group_names': ['phones'],
            'gac_lines': [{'dn': dn, 'display_name': 'Agent %s' % dn, 'features': features}]}


HOSTVARS = {'phone-1502': host('1502', remote_answer=True, remote_hold=True),
            'phone-1503': host('1503', mwi={'voice_mail_number': '8000'}),
            'gax-paris': {'ansible_host': '127.0.0.3'}}


def test_the_filter_is_registered_as_desired_state():
    assert plugin.FilterModule().filters()['desired_state'] is plugin.desired_state


def test_host_names_and_hostvars_give_the_notes_sip_cti_control():
    state = plugin.desired_state(['phone-1502', 'phone-1503'], SITES, hostvars=HOSTVARS)
    assert sorted(state['phones']) == ['phone-1502', 'phone-1503']
    dns = state['switches']['paris']['dns']
    assert [dn['number'] for dn in dns] == ['1502', '1503']
    assert dns[0]['options']['TServer']['sip-cti-control'] == 'talk,hold'
    assert dns[1]['options']['TServer']['gvm_mailbox'] == '1503'
    assert state['phones']['phone-1502']['address'] == '127.0.1.2'


def test_a_dict_of_host_variables_works_without_hostvars():
    state = plugin.desired_state({'phone-1502': HOSTVARS['phone-1502']}, SITES, deployment=None)
    assert state['phones']['phone-1502']['settings']['voip/talk_event/enabled'] == '1'


def test_a_typo_in_a_flag_fails_the_filter_naming_host_line_and_flag():
    hostvars = {'phone-1502': host('1502', remote_hodl=True)}
    with pytest.raises(AnsibleFilterError) as caught:
        plugin.desired_state(['phone-1502'], SITES, hostvars=hostvars)
    message = str(caught.value)
    assert 'phone-1502 line 0 (dn 1502)' in message
    assert "unknown feature flag 'remote_hodl'" in message and 'remote_hold' in message


def test_host_names_without_hostvars_or_unknown_hosts_fail_clearly():
    with pytest.raises(AnsibleFilterError, match='hostvars=hostvars'):
        plugin.desired_state(['phone-1502'], SITES)
    with pytest.raises(AnsibleFilterError, match='phone-9999'):
        plugin.desired_state(['phone-9999'], SITES, hostvars=HOSTVARS)


def test_warnings_are_shown_and_returned(monkeypatch):
    shown = []
    monkeypatch.setattr(plugin.display, 'warning', shown.append)
    state = plugin.desired_state({'phone-1502': host('1502', tls=True)}, SITES)
    assert shown == state['warnings'] and len(shown) == 1
    assert 'Security Pack' in shown[0]


def test_a_variable_ansible_cannot_resolve_is_named_with_its_host_and_place():
    from jinja2 import Undefined
    hostvars = {'phone-1502': host('1502', sip_auth=True)}
    hostvars['phone-1502']['gac_lines'][0]['sip_password'] = Undefined(hint="'dict object' has no attribute '1502'")
    with pytest.raises(AnsibleFilterError) as caught:
        plugin.desired_state(['phone-1502'], SITES, hostvars=hostvars)
    message = str(caught.value)
    assert 'phone-1502: gac_lines[0].sip_password cannot be resolved' in message and '[undefined]' in message
    assert 'define the variable' in message
