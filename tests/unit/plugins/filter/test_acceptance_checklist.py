"""The acceptance checklist: the note's scenarios for the features a phone has, automatic or by hand."""

import json

from ansible_collections.telephony.genesys_audiocodes.plugins.filter import acceptance_checklist as plugin
from ansible_collections.telephony.genesys_audiocodes.plugins.filter import desired_state as state_filter

SITES = [{'name': 'A', 'sip_server': {'address': '127.0.0.96'}, 'gax': {'url': 'http://127.0.0.96:8080', 'switch': 'SW_A'}},
         {'name': 'B', 'sip_server': {'address': '127.0.0.97'}, 'gax': {'url': 'http://127.0.0.96:8080', 'switch': 'SW_B'}}]
PHONES = {'phone-1502': {'address': '127.96.1.2', 'gac_model': '440HD', 'gac_firmware': '2.2.16.142.12', 'gac_site': 'A',
                         'gac_lines': [{'dn': '1502', 'features': {'remote_answer': True, 'remote_hold': True, 'mwi': True}},
                                       {'dn': '1503', 'state': 'absent'},
                                       {'dn': '1504', 'features': {'dnd': True}}]}}


def status(*lines):
    return {'phone-1502': {'verify_phone': {'status': {'lines': list(lines)}}}}


def test_registered_line_passes_and_each_feature_has_its_scenario_to_test_by_hand():
    desired = state_filter.desired_state(PHONES, SITES[:1])
    hostvars = status({'line': 0, 'registered': True, 'state': 'Registered', 'server': '127.0.0.96'},
                      {'line': 2, 'registered': False, 'state': 'Unregistered'})
    result = plugin.acceptance_checklist(desired, ['phone-1502'], hostvars)['phone-1502']
    items = [(i['scenario'], i['line'], i['how'], i['result']) for i in result['checklist']['items']]
    assert items == [
        ('registration', 0, 'checked automatically', 'passed'),
        ('basic_call', 0, 'to test by hand', None),
        ('answer_3pcc', 0, 'to test by hand', None),
        ('hold_retrieve_3pcc', 0, 'to test by hand', None),
        ('mwi', 0, 'to test by hand', None),
        ('registration', 2, 'checked automatically', 'failed'),
        ('basic_call', 2, 'to test by hand', None),
        ('dnd', 2, 'to test by hand', None)]
    assert result['checklist']['items'][4]['steps'][0] == "Leave a voice message in mailbox 1502; the phone's message lamp lights."
    json.dumps(result['checklist'])          # the JSON file
    assert result['markdown'].startswith('# Acceptance checklist: phone-1502')
    assert '| 6 | Line registered | 2 (1504) | checked automatically | failed |' in result['markdown']
    assert '| 2 | Basic call | 0 (1502) | to test by hand | [ ] passed  [ ] failed |' in result['markdown']
    assert 'Signature:' in result['markdown']


def test_a_phone_not_read_has_its_automatic_scenarios_not_checked():
    desired = state_filter.desired_state(PHONES, SITES[:1])
    items = plugin.acceptance_checklist(desired, ['phone-1502'], {'phone-1502': {}})['phone-1502']['checklist']['items']
    assert [i['result'] for i in items if i['scenario'] == 'registration'] == ['not checked', 'not checked']


def test_business_continuity_adds_home_registration_and_failover():
    desired = state_filter.desired_state(PHONES, SITES, deployment='business_continuity', bc_mode='primary_fallback')
    at_home = status({'line': 0, 'registered': True, 'server': '127.0.0.96'}, {'line': 2, 'registered': True, 'server': '127.0.0.96'})
    items = plugin.acceptance_checklist(desired, ['phone-1502'], at_home, 'business_continuity',
                                        'primary_fallback')['phone-1502']['checklist']['items']
    assert [(i['scenario'], i['how'], i['result']) for i in items[-2:]] == [
        ('bc_home_registration', 'checked automatically', 'passed'), ('bc_failover', 'to test by hand', None)]
    assert '127.0.0.96' in items[-1]['steps'][0]
    away = status({'line': 0, 'registered': True, 'server': '127.0.0.97'}, {'line': 2, 'registered': True, 'server': '127.0.0.96'})
    items = plugin.acceptance_checklist(desired, ['phone-1502'], away, 'business_continuity',
                                        'primary_fallback')['phone-1502']['checklist']['items']
    assert items[-2]['result'] == 'failed' and '127.0.0.97' in items[-2]['evidence']
