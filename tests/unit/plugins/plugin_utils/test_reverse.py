"""The table read in reverse: what phones and switches hold, back into an inventory.

What was read is made here from the forward function's result (what a deploy leaves on the
phones and switches), so a round trip must give back an inventory whose desired state is the same;
the hand-made cases (keys no feature explains, a phone of no site, a DN on two desks) are written
literally.
"""

import copy
import json

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features import desired_state
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.reverse import VAULT_SIP, export

SECRETS = {'1502': 'Sip-S3cret-1502', '1503': 'Sip-S3cret-1503', '1506': 'Sip-S3cret-1506', '1601': 'Sip-S3cret-1601'}


def site(name, address, switch, **extra):
    entry = {'name': name, 'sip_server': {'address': address, 'port': 5060, 'tls_port': 5061},
             'sip_proxy_pool': {'fqdn': 'pool-%s.example' % name, 'port': 5060},
             'gax': {'url': 'https://gax.example:8080', 'switch': switch},
             'sip_server_version': '8.1.101.75', 'sip_server_application': 'SIP_Server_%s' % name}
    entry.update(extra)
    return entry


SITES = [site('paris', '192.0.2.10', 'SIP_Switch_Paris', agent_logins=[{'login_code': '7001', 'options': {'TServer': {'wrap-up-time': '5'}}}]),
         site('lyon', '192.0.2.20', 'SIP_Switch_Lyon', agent_logins=[{'login_code': '7011'}])]


def inventory(bc_mode='primary_fallback'):
    agent = {'sip_auth': True, 'agent_login': True, 'remote_answer': True, 'remote_hold': True,
             'remote_auto_answer': True, 'blind_transfer': True, 'attended_transfer': {'method': 'refer'},
             'mwi': {'voice_mail_number': '8000'}, 'dtmf_method': 'sip_info'}
    if bc_mode != 'simultaneous':
        agent['agent_state_control'] = True
    return {
        'desk-1502': {'address': '192.0.2.102', 'gac_model': '440HD', 'mac': '00:90:8f:00:15:02',
                      'gac_firmware': '2.2.16.501', 'gac_site': 'paris',
                      'gac_lines': [{'dn': '1502', 'display_name': 'Agent 1502', 'sip_password': SECRETS['1502'],
                                     'dn_name': 'Desk', 'features': agent},
                                    {'dn': '1503', 'sip_password': SECRETS['1503'],
                                     'features': {'sip_auth': True, 'dnd': True,
                                                  'call_forward': {'type': 'busy', 'destination': '1506'}}}]},
        'desk-1506': {'address': '192.0.2.106', 'gac_model': '420HD', 'mac': '00:90:8f:00:15:06',
                      'gac_firmware': '2.2.16.501', 'gac_site': 'lyon',
                      'gac_lines': [{'dn': '1506', 'display_name': 'Reception', 'sip_password': SECRETS['1506'],
                                     'dn_type': 'acd_position',
                                     'features': {'sip_auth': {'requests': ['register']}, 'auto_answer': True,
                                                  'remote_dtmf': True}}]},
        'desk-1601': {'address': '192.0.2.116', 'gac_model': '405', 'mac': '00:90:8f:00:16:01',
                      'gac_firmware': '2.2.16.501', 'gac_site': 'paris',
                      'gac_lines': [{'dn': '1601', 'sip_password': SECRETS['1601'], 'features': {'sip_auth': True}}]},
    }


def forward(phones, deployment, bc_mode=None):
    if deployment == 'business_continuity':
        return desired_state(phones, SITES, deployment, bc_mode, ['paris', 'lyon'])
    return desired_state(phones, SITES, deployment)


def what_was_read(state, phones):
    """The phones' and switches' state after a deploy of ``state``, as the readers return it."""
    read_phones = {}
    for host, want in state['phones'].items():
        config = dict((k, str(v)) for k, v in want['settings'].items() if 'password' not in k)
        config['system/type'] = want['model']
        read_phones[host] = {'address': phones[host]['address'],
                             'device': {'model': want['model'], 'mac': want['mac'], 'firmware': want['firmware']},
                             'config': config}
    switches = {}
    for name, switch in state['switches'].items():
        dns = []
        for dn in switch['dns']:
            options = dict((k, str(v)) for k, v in dn['options']['TServer'].items() if v is not None)
            dns.append({'number': dn['number'], 'type': dn['type'], 'name': dn['name'], 'options': {'TServer': options}})
        logins = [dict((k, v) for k, v in login.items() if k in ('login_code', 'options') and v)
                  for login in switch['agent_logins']]
        switches[name] = {'dns': dns, 'agent_logins': logins}
    return read_phones, switches


def with_secrets(exported):
    hosts = copy.deepcopy(exported['hosts'])
    for entry in hosts.values():
        for line in entry['gac_lines']:
            if 'sip_password' in line:
                line['sip_password'] = exported['secrets'][VAULT_SIP][line['dn']]
    return hosts


def comparable(state):
    phones = dict((host, (p['settings'], p['site'], p['model'])) for host, p in state['phones'].items())
    switches = dict((name, (sorted(json.dumps(dn, sort_keys=True) for dn in s['dns']),
                            sorted(json.dumps(dict((k, v) for k, v in login.items() if k != 'password'), sort_keys=True)
                                   for login in s['agent_logins'])))
                    for name, s in state['switches'].items())
    return phones, switches


@pytest.mark.parametrize('deployment,bc_mode', [('standalone', None), ('sip_proxy_ha', None),
                                                ('business_continuity', 'primary_fallback'),
                                                ('business_continuity', 'simultaneous')])
def test_a_deployed_site_exports_to_an_inventory_with_the_same_desired_state(deployment, bc_mode):
    phones = inventory(bc_mode)
    state = forward(phones, deployment, bc_mode)
    read_phones, switches = what_was_read(state, phones)
    exported = export(SITES, read_phones, switches)
    group = exported['group_vars']
    assert group['gac_deployment'] == deployment
    assert group.get('gac_bc_mode') == bc_mode
    report = exported['report']
    assert report['conflicts'] == [] and report['preflight'] == [], report
    again = desired_state(with_secrets(exported), group['gac_sites'], group['gac_deployment'],
                          group.get('gac_bc_mode'), group.get('gac_bc_sites'))
    assert comparable(again) == comparable(state)
    # the flags themselves, as the inventory states them (the defaults left out)
    line = exported['hosts']['desk-1502']['gac_lines'][0]
    assert line['features']['attended_transfer'] == {'method': 'refer'}
    assert line['features']['mwi'] == {'voice_mail_number': '8000'}
    assert line['features']['dtmf_method'] == 'sip_info'
    assert line['dn_name'] == 'Desk' and line['display_name'] == 'Agent 1502'
    assert exported['hosts']['desk-1502']['gac_lines'][1]['features']['call_forward'] == {'type': 'busy', 'destination': '1506'}
    assert exported['hosts']['desk-1506']['gac_lines'][0]['features']['sip_auth'] == {'requests': ['register']}
    assert exported['hosts']['desk-1506']['gac_lines'][0]['dn_type'] == 'acd_position'


@pytest.mark.parametrize('bc_mode', ['primary_fallback', 'simultaneous'])
def test_business_continuity_behind_proxy_pools_only_exports_to_the_same_desired_state(bc_mode):
    # Sites that give only sip_proxy_pool (note section 5, DNS-based redundancy "also may be used for
    # Genesys Business Continuity"): the phones hold the pool FQDNs, and the export still finds the mode.
    sites = [dict((k, v) for k, v in entry.items() if k != 'sip_server') for entry in SITES]
    phones = inventory(bc_mode)
    state = desired_state(phones, sites, 'business_continuity', bc_mode, ['paris', 'lyon'])
    assert state['phones']['desk-1502']['settings']['voip/signalling/sip/proxy_address'] == 'pool-paris.example'
    assert state['phones']['desk-1502']['settings']['voip/signalling/sip/redundant_proxy/address'] == 'pool-lyon.example'
    read_phones, switches = what_was_read(state, phones)
    exported = export(sites, read_phones, switches)
    group = exported['group_vars']
    assert group['gac_deployment'] == 'business_continuity'
    assert group.get('gac_bc_mode') == bc_mode
    report = exported['report']
    assert report['conflicts'] == [] and report['preflight'] == [], report
    again = desired_state(with_secrets(exported), group['gac_sites'], group['gac_deployment'],
                          group.get('gac_bc_mode'), group.get('gac_bc_sites'))
    assert comparable(again) == comparable(state)


def test_secrets_leave_only_through_the_vault_mapping():
    phones = inventory()
    state = forward(phones, 'business_continuity', 'primary_fallback')
    exported = export(SITES, *what_was_read(state, phones))
    assert exported['secrets'][VAULT_SIP] == SECRETS
    shown = json.dumps([exported['hosts'], exported['group_vars'], exported['report']])
    for secret in SECRETS.values():
        assert secret not in shown
    assert exported['hosts']['desk-1502']['gac_lines'][0]['sip_password'] == "{{ vault_sip_passwords['1502'] }}"
    # Agent Login passwords cannot be read: listed, never invented
    assert any('7001' in item['subject'] for item in exported['report']['not_recoverable'])
    # Business Continuity: both switches hold both sites' logins; each is exported once
    logins = [login for s in exported['group_vars']['gac_sites'] for login in s.get('agent_logins', [])]
    assert sorted(logins, key=lambda login: login['login_code']) == [
        {'login_code': '7001', 'options': {'TServer': {'wrap-up-time': '5'}}}, {'login_code': '7011'}]


def test_what_no_feature_explains_is_listed_and_kept():
    phones = inventory()
    state = forward(phones, 'standalone')
    read_phones, switches = what_was_read(state, phones)
    read_phones['desk-1601']['config']['network/lan_type'] = 'STATIC'
    switches['paris']['dns'][0]['options']['TServer']['wrap-up-time'] = '30'
    exported = export(SITES, read_phones, switches)
    report = exported['report']
    assert [(i['subject'], i['key'], i['value']) for i in report['unexplained_phone_keys']] == [
        ('phone desk-1601 (192.0.2.116)', 'network/lan_type', 'STATIC')]
    assert [(i['option'], i['value']) for i in report['unexplained_dn_options']] == [('wrap-up-time', '30')]
    assert report['conflicts'] == []


def test_conflicts_name_the_phone_the_cause_and_the_fix():
    phones = inventory()
    state = forward(phones, 'standalone')
    read_phones, switches = what_was_read(state, phones)
    stray = read_phones['desk-1601']['config']
    stray['voip/signalling/sip/proxy_address'] = '198.51.100.7'     # a proxy of no site of the seed
    stray['voip/signalling/sip/sip_outbound_proxy/addr'] = '198.51.100.7'
    twin = copy.deepcopy(read_phones['desk-1506'])
    twin['address'] = '192.0.2.126'
    read_phones['desk-1506b'] = twin                                # the same DN on two desks, not shared
    exported = export(SITES, read_phones, switches)
    causes = [(c['subject'], c['cause']) for c in exported['report']['conflicts']]
    assert any(s.startswith('phone desk-1601') and 'matches no site' in c for s, c in causes), causes
    assert ('DN 1506', 'it is a line of desk-1506, desk-1506b, which are not a shared line') in causes
    assert all(c['fix'] for c in exported['report']['conflicts'])


def test_a_hand_configured_line_that_differs_from_the_table_is_a_conflict_not_a_guess():
    phones = inventory()
    state = forward(phones, 'standalone')
    read_phones, switches = what_was_read(state, phones)
    # a member no feature writes: the export keeps what it can explain, and says what a deploy would change
    for dn in switches['paris']['dns']:
        if dn['number'] == '1601':
            dn['options']['TServer']['sip-cti-control'] = 'talk,conference'
    exported = export(SITES, read_phones, switches)
    assert exported['hosts']['desk-1601']['gac_lines'][0]['features'].get('remote_answer') is None  # no talk_event on the phone
    conflicts = [(c['subject'], c['cause']) for c in exported['report']['conflicts']]
    assert ('DN 1601 on the switch of site paris',
            "a deploy of the export would change option sip-cti-control from 'talk,conference' to None") in conflicts


def test_a_login_on_one_business_continuity_switch_only_is_a_conflict():
    phones = inventory()
    state = forward(phones, 'business_continuity', 'primary_fallback')
    read_phones, switches = what_was_read(state, phones)
    switches['lyon']['agent_logins'] = [login for login in switches['lyon']['agent_logins'] if login['login_code'] != '7001']
    exported = export(SITES, read_phones, switches)
    assert [c['subject'] for c in exported['report']['conflicts']] == ['agent login 7001 on the switch of site lyon']
