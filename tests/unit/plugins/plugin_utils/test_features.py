"""The note's knowledge: inventory in, DN options and phone settings out.

Expected values are written literally from FEATURES.md and the application note, never computed
from the table under test.
"""

import copy
import os

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils import features
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features import (
    InventoryError, desired_state, preflight,
)

SECRET = 'Sip-S3cret-1502'


def site(name, address, switch, **extra):
    entry = {'name': name, 'sip_server': {'address': address, 'port': 5060},
             'gax': {'url': 'http://127.0.0.3:8080', 'switch': switch}}
    entry.update(extra)
    return entry


PARIS = site('paris', '127.0.0.50', 'SIP_Switch_A', agent_logins=[{'login_code': 7001, 'password': 'Agent-7001'}])
LYON = site('lyon', '127.0.0.51', 'SIP_Switch_B')
SITES = [PARIS, LYON]


def phone(dn='1502', model='440HD', site_name='paris', firmware='2.2.16.142.12', features_=None, **line_extra):
    line = {'dn': dn, 'display_name': 'Agent %s' % dn, 'features': features_ or {}}
    line.update(line_extra)
    return {'address': '127.0.1.12', 'gac_model': model, 'mac': '00908F123456', 'gac_firmware': firmware,
            'gac_site': site_name, 'gac_lines': [line]}


def the_notes_sample_phone():
    """The features of the note's sample DN 1502 (section 4)."""
    return phone(sip_password=SECRET, features_={
        'sip_auth': True, 'blind_transfer': True, 'attended_transfer': True, 'agent_login': True,
        'remote_auto_answer': True, 'remote_answer': True, 'remote_hold': True})


def standalone(phones, sites=None):
    return desired_state(phones, sites or [PARIS])


def bc(phones, mode, sites=None):
    return desired_state(phones, sites or SITES, 'business_continuity', mode, ['paris', 'lyon'])


def tserver(state, switch='paris', number='1502'):
    for dn in state['switches'][switch]['dns']:
        if dn['number'] == number:
            return dn['options']['TServer']
    raise AssertionError('no DN %s on switch %s' % (number, switch))


def settings(state, host='phone-1502'):
    return state['phones'][host]['settings']


def rules(findings, severity='error'):
    return sorted(set(f.rule for f in findings if f.severity == severity))


# --- the note's sample ------------------------------------------------------------------------

def test_the_notes_sample_dn_gets_the_notes_annex():
    options = tserver(standalone({'phone-1502': the_notes_sample_phone()}))
    set_by_features = dict((k, v) for k, v in options.items() if v is not None)
    assert set_by_features == {
        'authenticate-requests': 'register,invite',
        'blind-transfer-enabled': 'true',
        'contact': '*',
        'dual-dialog-enabled': 'true',
        'enable-agentlogin-subscribe': 'true',
        'make-call-rfc3725-flow': '1',
        'password': SECRET,
        'refer-enabled': 'false',
        'sip-alert-info': 'info=alert-autoanswer',
        'sip-cti-control': 'talk,hold',
    }


def test_sip_cti_control_is_talk_hold_for_the_notes_sample():
    assert tserver(standalone({'phone-1502': the_notes_sample_phone()}))['sip-cti-control'] == 'talk,hold'


def test_sip_cti_control_is_one_option_in_the_fixed_order_talk_hold_dtmf():
    flags = {'remote_dtmf': True, 'remote_hold': True, 'remote_answer': True}
    assert tserver(standalone({'phone-1502': phone(features_=flags)}))['sip-cti-control'] == 'talk,hold,dtmf'
    assert tserver(standalone({'phone-1502': phone(features_={'remote_dtmf': True})}))['sip-cti-control'] == 'dtmf'


def test_sip_cti_control_is_removed_when_no_3pcc_feature_asks_for_it():
    options = tserver(standalone({'phone-1502': phone(features_={'remote_hold': False})}))
    assert 'sip-cti-control' in options and options['sip-cti-control'] is None


def test_authenticate_requests_is_a_set_written_in_a_fixed_order():
    flags = {'sip_auth': {'requests': ['invite', 'register']}}
    options = tserver(standalone({'phone-1502': phone(features_=flags, sip_password=SECRET)}))
    assert options['authenticate-requests'] == 'register,invite'


def test_remote_answer_enables_the_talk_event_on_the_phone():
    state = standalone({'phone-1502': phone(features_={'remote_answer': True})})
    assert settings(state)['voip/talk_event/enabled'] == '1'
    state = standalone({'phone-1502': phone(features_={'dnd': True})})
    assert settings(state)['voip/talk_event/enabled'] == '0'


def test_remote_hold_alone_brings_talk_so_retrieve_works_as_in_the_notes_sample():
    # Issue 17 item 2: the note's Hold/Retrieve uses the BroadSoft extensions hold AND talk.
    state = standalone({'phone-1502': phone(features_={'remote_hold': True})})
    assert tserver(state)['sip-cti-control'] == 'talk,hold'
    assert settings(state)['voip/talk_event/enabled'] == '1'


# --- SIP authentication, agent login ---------------------------------------------------------

def test_sip_auth_puts_the_same_secret_in_the_dn_password_and_the_phone_auth_password():
    state = standalone({'phone-1502': phone(features_={'sip_auth': True}, sip_password=SECRET)})
    assert tserver(state)['authenticate-requests'] == 'register,invite'
    assert tserver(state)['password'] == SECRET
    assert settings(state)['voip/line/0/auth_name'] == '1502'
    assert settings(state)['voip/line/0/auth_password'] == SECRET


def test_turning_sip_auth_off_removes_the_dn_password_and_clears_the_phone_credentials():
    state = standalone({'phone-1502': phone(features_={'sip_auth': False}, sip_password=SECRET)})
    assert tserver(state)['authenticate-requests'] is None
    assert tserver(state)['password'] is None
    assert settings(state)['voip/line/0/auth_name'] == ''
    assert settings(state)['voip/line/0/auth_password'] == ''


def test_agent_login_sets_enable_agentlogin_subscribe_and_the_bsft_application_server():
    state = standalone({'phone-1502': phone(features_={'agent_login': True})})
    assert tserver(state)['enable-agentlogin-subscribe'] == 'true'
    assert settings(state)['voip/services/application_server_type'] == 'BSFT'


def test_without_agent_login_or_sca_the_application_server_goes_back_to_generic():
    state = standalone({'phone-1502': phone(features_={'agent_login': False})})
    assert tserver(state)['enable-agentlogin-subscribe'] is None
    assert settings(state)['voip/services/application_server_type'] == 'Generic'


def test_agent_logins_of_the_site_go_to_its_switch_with_their_password():
    state = standalone({'phone-1502': phone()})
    assert state['switches']['paris']['agent_logins'] == [
        {'login_code': '7001', 'login_password': 'Agent-7001', 'options': {}, 'state': 'present'}]
    assert state['switches']['paris']['switch'] == 'SIP_Switch_A'


# --- 1pcc features and phone-wide keys -------------------------------------------------------

def test_auto_answer_dtmf_sips_are_the_notes_phone_keys():
    flags = {'auto_answer': True, 'dtmf_method': 'sip_info', 'sips': True}
    keys = settings(standalone({'phone-1502': phone(features_=flags)}))
    assert keys['voip/auto_answer/enabled'] == '1'
    assert keys['voip/media/out_of_band_dtmf'] == 'VIA_SIP'
    assert keys['voip/signalling/sip/enable_sips'] == '1'
    keys = settings(standalone({'phone-1502': phone(features_={'dtmf_method': {'method': 'rfc2833'}})}))
    assert keys['voip/media/out_of_band_dtmf'] == 'RFC2833'
    assert keys['voip/auto_answer/enabled'] == '0'
    assert keys['voip/signalling/sip/enable_sips'] == '0'


def test_remote_auto_answer_turns_on_header_auto_answer_and_not_every_call():
    keys = settings(standalone({'phone-1502': phone(features_={'remote_auto_answer': True})}))
    assert keys['voip/auto_answer/enabled'] == '1'
    assert 'voip/advanced_auto_answer/type' not in keys       # a 3.0.4 firmware lacks it: left as it is
    keys = settings(standalone({'phone-1502': phone(features_={'auto_answer': True})}))
    assert (keys['voip/auto_answer/enabled'], keys['voip/advanced_auto_answer/type']) == ('1', 'Manual')
    keys = settings(standalone({'phone-1502': phone()}))
    assert keys['voip/auto_answer/enabled'] == '0' and 'voip/advanced_auto_answer/type' not in keys


def test_auto_answer_stated_off_beside_remote_auto_answer_answers_headers_only():
    raw = phone(features_={'remote_auto_answer': True, 'auto_answer': False})
    assert preflight({'phone-1502': raw}, [PARIS]) == []
    keys = settings(standalone({'phone-1502': raw}))
    assert (keys['voip/auto_answer/enabled'], keys['voip/advanced_auto_answer/type']) == ('1', 'SIP_Header')
    raw = phone(features_={'remote_auto_answer': True})
    raw['gac_lines'].append({'dn': '1503', 'features': {'auto_answer': False}})    # another line states it
    keys = settings(standalone({'phone-1502': raw}))
    assert (keys['voip/auto_answer/enabled'], keys['voip/advanced_auto_answer/type']) == ('1', 'SIP_Header')


def test_tls_sets_transport_tls_1_2_and_srtp():
    keys = settings(standalone({'phone-1502': phone(features_={'tls': True})}))
    assert keys['voip/signalling/sip/transport_protocol'] == 'TLS'
    assert keys['voip/signalling/sip/tls_method'] == 'tls_1_2'
    assert keys['voip/media/srtp/mode'] == 'SupportEncryption'
    keys = settings(standalone({'phone-1502': phone(features_={'tls': {'srtp': 'require'}})}))
    assert keys['voip/media/srtp/mode'] == 'RequireEncryption'


def test_tls_off_goes_back_to_udp_and_leaves_the_assumed_srtp_key_unwritten():
    keys = settings(standalone({'phone-1502': phone(features_={'tls': False})}))
    assert keys['voip/signalling/sip/transport_protocol'] == 'UDP'
    assert 'voip/media/srtp/mode' not in keys


def test_dnd_activates_the_line_and_keeps_dnd_available():
    keys = settings(standalone({'phone-1502': phone(features_={'dnd': True})}))
    assert keys['voip/line/0/do_not_disturb/activated'] == '1'
    assert keys['voip/services/do_not_disturb/enabled'] == '1'
    keys = settings(standalone({'phone-1502': phone()}))
    assert keys['voip/line/0/do_not_disturb/activated'] == '0'


def test_call_forward_writes_the_line_keys_and_off_deactivates_it():
    flags = {'call_forward': {'type': 'busy', 'destination': '1600', 'timeout': 20}}
    keys = settings(standalone({'phone-1502': phone(features_=flags)}))
    assert keys['voip/line/0/call_forward/enabled'] == '1'
    assert keys['voip/line/0/call_forward/active'] == '1'
    assert keys['voip/line/0/call_forward/type'].upper() == 'BUSY'
    assert keys['voip/line/0/call_forward/destination'] == '1600'
    assert keys['voip/line/0/call_forward/timeout'] == '20'
    keys = settings(standalone({'phone-1502': phone()}))
    assert keys['voip/line/0/call_forward/active'] == '0'
    assert keys['voip/line/0/call_forward/destination'] == ''


# --- message waiting --------------------------------------------------------------------------

def test_mwi_sets_gvm_mailbox_to_the_dn_and_enables_the_phone_keys():
    state = standalone({'phone-1502': phone(features_={'mwi': {'voice_mail_number': '8000'}})})
    assert tserver(state)['gvm_mailbox'] == '1502'
    assert settings(state)['voip/services/msg_waiting_ind/enabled'] == 'ENABLE'
    assert settings(state)['voip/services/msg_waiting_ind/voice_mail_number'] == '8000'


def test_turning_mwi_off_removes_gvm_mailbox_and_disables_the_phone_keys():
    state = standalone({'phone-1502': phone(features_={'mwi': False})})
    assert 'gvm_mailbox' in tserver(state) and tserver(state)['gvm_mailbox'] is None
    assert settings(state)['voip/services/msg_waiting_ind/enabled'] == 'DISABLE'
    assert settings(state)['voip/services/msg_waiting_ind/voice_mail_number'] == ''


# --- 3pcc transfers ---------------------------------------------------------------------------

def test_attended_transfer_defaults_to_invite_and_rfc3725_flow_1():
    options = tserver(standalone({'phone-1502': phone(features_={'attended_transfer': True})}))
    assert options['dual-dialog-enabled'] == 'true'
    assert options['make-call-rfc3725-flow'] == '1'
    assert options['refer-enabled'] == 'false'


def test_attended_transfer_with_refer_and_flow_2():
    flags = {'attended_transfer': {'method': 'refer', 'rfc3725_flow': 2}}
    options = tserver(standalone({'phone-1502': phone(features_=flags)}))
    assert options['make-call-rfc3725-flow'] == '2'
    assert options['refer-enabled'] == 'true'


def test_turning_attended_transfer_off_removes_its_three_options():
    options = tserver(standalone({'phone-1502': phone(features_={'attended_transfer': False})}))
    for name in ('dual-dialog-enabled', 'make-call-rfc3725-flow', 'refer-enabled'):
        assert name in options and options[name] is None


def test_blind_transfer_is_written_on_the_dn_of_the_host_that_owns_the_flag():
    state = standalone({'phone-1502': phone('1502', features_={'blind_transfer': True}),
                        'phone-1503': dict(phone('1503'), address='127.0.1.13')})
    assert tserver(state, number='1502')['blind-transfer-enabled'] == 'true'
    assert tserver(state, number='1503')['blind-transfer-enabled'] is None


def test_remote_auto_answer_sets_the_alert_info_header_value():
    options = tserver(standalone({'phone-1502': phone(features_={'remote_auto_answer': True})}))
    assert options['sip-alert-info'] == 'info=alert-autoanswer'


# --- deployments ------------------------------------------------------------------------------

def test_standalone_points_proxy_and_outbound_proxy_at_the_sip_server():
    keys = settings(standalone({'phone-1502': phone()}))
    assert keys['voip/signalling/sip/use_proxy'] == '1'
    assert keys['voip/signalling/sip/proxy_address'] == '127.0.0.50'
    assert keys['voip/signalling/sip/proxy_port'] == '5060'
    assert keys['voip/signalling/sip/sip_outbound_proxy/enabled'] == '1'
    assert keys['voip/signalling/sip/sip_outbound_proxy/addr'] == '127.0.0.50'
    assert keys['voip/signalling/sip/sip_outbound_proxy/port'] == '5060'
    assert keys['voip/signalling/sip/redundant_proxy/enabled'] == '0'
    assert 'voip/signalling/sip/redundant_proxy/mode' not in keys


def test_tls_standalone_uses_the_sip_server_tls_port_default_5061():
    keys = settings(standalone({'phone-1502': phone(features_={'tls': True})}))
    assert keys['voip/signalling/sip/transport_protocol'] == 'TLS'
    assert keys['voip/signalling/sip/proxy_address'] == '127.0.0.50'
    assert keys['voip/signalling/sip/proxy_port'] == '5061'
    assert keys['voip/signalling/sip/sip_outbound_proxy/port'] == '5061'


def test_tls_standalone_uses_the_given_sip_server_tls_port_and_udp_keeps_port():
    paris = dict(PARIS, sip_server={'address': '127.0.0.50', 'port': 5070, 'tls_port': 5071})
    tls_keys = settings(standalone({'phone-1502': phone(features_={'tls': True})}, [paris]))
    assert tls_keys['voip/signalling/sip/proxy_port'] == '5071'
    assert tls_keys['voip/signalling/sip/sip_outbound_proxy/port'] == '5071'
    udp_keys = settings(standalone({'phone-1502': phone(features_={'tls': False})}, [paris]))
    assert udp_keys['voip/signalling/sip/transport_protocol'] == 'UDP'
    assert udp_keys['voip/signalling/sip/proxy_port'] == '5070'
    assert udp_keys['voip/signalling/sip/sip_outbound_proxy/port'] == '5070'


def test_tls_sip_proxy_ha_uses_the_pool_tls_port():
    default_pool = dict(PARIS, sip_proxy_pool={'fqdn': 'sips-a.qa.domain.com', 'port': 5070})
    keys = settings(desired_state({'phone-1502': phone(features_={'tls': True})}, [default_pool], 'sip_proxy_ha'))
    assert keys['voip/signalling/sip/proxy_address'] == 'sips-a.qa.domain.com'
    assert keys['voip/signalling/sip/proxy_port'] == '5061'
    assert keys['voip/signalling/sip/sip_outbound_proxy/port'] == '5061'
    given_pool = dict(PARIS, sip_proxy_pool={'fqdn': 'sips-a.qa.domain.com', 'port': 5070, 'tls_port': 5081})
    keys = settings(desired_state({'phone-1502': phone(features_={'tls': True})}, [given_pool], 'sip_proxy_ha'))
    assert keys['voip/signalling/sip/proxy_port'] == '5081'
    assert keys['voip/signalling/sip/sip_outbound_proxy/port'] == '5081'


@pytest.mark.parametrize('mode', ['primary_fallback', 'simultaneous'])
def test_tls_business_continuity_uses_both_sites_tls_ports(mode):
    paris = dict(PARIS, sip_server={'address': '127.0.0.50', 'port': 5060, 'tls_port': 5161})
    lyon = dict(LYON, sip_server={'address': '127.0.0.51', 'port': 5062, 'tls_port': 5162})
    keys = settings(bc({'phone-1502': phone(features_={'tls': True})}, mode, [paris, lyon]))
    assert keys['voip/signalling/sip/proxy_address'] == '127.0.0.50'
    assert keys['voip/signalling/sip/proxy_port'] == '5161'
    assert keys['voip/signalling/sip/redundant_proxy/address'] == '127.0.0.51'
    assert keys['voip/signalling/sip/redundant_proxy/port'] == '5162'
    assert keys['voip/signalling/sip/sip_outbound_proxy/port'] == '0'
    udp = settings(bc({'phone-1502': phone()}, mode, [paris, lyon]))
    assert udp['voip/signalling/sip/proxy_port'] == '5060'
    assert udp['voip/signalling/sip/redundant_proxy/port'] == '5062'


def test_tls_port_outside_the_phones_range_is_a_schema_error_naming_the_field():
    paris = dict(PARIS, sip_server={'address': '127.0.0.50', 'port': 5060, 'tls_port': 80})
    findings = preflight({'phone-1502': phone(features_={'tls': True})}, [paris])
    assert rules(findings) == ['schema']
    assert any('sip_server.tls_port' in f.cause and f.subjects == ('site paris',) for f in findings)


def test_unknown_sip_server_field_lists_tls_port_among_the_valid_ones():
    paris = dict(PARIS, sip_server={'address': '127.0.0.50', 'tlsport': 5061})
    findings = preflight({'phone-1502': phone()}, [paris])
    assert any("'tlsport'" in f.cause and 'tls_port' in f.fix for f in findings)


def test_standalone_removes_dr_forward():
    options = tserver(standalone({'phone-1502': phone()}))
    assert 'dr-forward' in options and options['dr-forward'] is None


def test_sip_proxy_ha_uses_the_pool_fqdn_and_registration_expires_5():
    pool_site = dict(PARIS, sip_proxy_pool={'fqdn': 'sips-a.qa.domain.com', 'port': 5070})
    state = desired_state({'phone-1502': phone()}, [pool_site], 'sip_proxy_ha')
    keys = settings(state)
    assert keys['voip/signalling/sip/proxy_address'] == 'sips-a.qa.domain.com'
    assert keys['voip/signalling/sip/proxy_port'] == '5070'
    assert keys['voip/signalling/sip/sip_outbound_proxy/enabled'] == '1'
    assert keys['voip/signalling/sip/sip_outbound_proxy/addr'] == 'sips-a.qa.domain.com'
    assert keys['voip/signalling/sip/sip_outbound_proxy/port'] == '5070'
    assert keys['voip/signalling/sip/proxy_timeout'] == '5'


def test_bc_primary_fallback_sets_dr_forward_oos_on_both_switches():
    state = bc({'phone-1502': phone()}, 'primary_fallback')
    assert tserver(state, 'paris')['dr-forward'] == 'oos'
    assert tserver(state, 'lyon')['dr-forward'] == 'oos'


def test_bc_simultaneous_sets_dr_forward_no_agent_on_both_switches():
    state = bc({'phone-1502': phone()}, 'simultaneous')
    assert tserver(state, 'paris')['dr-forward'] == 'no-agent'
    assert tserver(state, 'lyon')['dr-forward'] == 'no-agent'


def test_bc_writes_the_same_dns_and_agent_logins_on_both_switches():
    state = bc({'phone-1502': the_notes_sample_phone(),
                'phone-1600': dict(phone('1600', site_name='lyon'), address='127.0.1.16')}, 'primary_fallback')
    paris, lyon = state['switches']['paris'], state['switches']['lyon']
    assert [dn['number'] for dn in paris['dns']] == ['1502', '1600']
    assert paris['dns'] == lyon['dns']
    assert [login['login_code'] for login in lyon['agent_logins']] == ['7001']
    assert paris['agent_logins'] == lyon['agent_logins']


def test_bc_simultaneous_registers_to_both_sites_without_outbound_proxy():
    keys = settings(bc({'phone-1502': phone()}, 'simultaneous'))
    assert keys['voip/signalling/sip/proxy_address'] == '127.0.0.50'
    assert keys['voip/signalling/sip/redundant_proxy/enabled'] == '1'
    assert keys['voip/signalling/sip/redundant_proxy/address'] == '127.0.0.51'
    assert keys['voip/signalling/sip/redundant_proxy/port'] == '5060'
    assert keys['voip/signalling/sip/redundant_proxy/mode'] == 'SIMULTANEOUS'
    assert keys['voip/signalling/sip/proxy_timeout'] == '300'
    assert keys['voip/signalling/sip/registration_failed_timeout'] == '5'
    assert keys['voip/signalling/sip/sip_outbound_proxy/enabled'] == '0'


def test_bc_primary_fallback_switches_back_to_the_primary():
    keys = settings(bc({'phone-1502': phone()}, 'primary_fallback'))
    assert keys['voip/signalling/sip/redundant_proxy/mode'] == 'PRIMARY_FALLBACK'
    assert keys['voip/signalling/sip/redundant_proxy/symmetric_mode'] == '0'
    assert keys['voip/signalling/sip/proxy_timeout'] == '300'
    assert keys['voip/signalling/sip/registration_failed_timeout'] == '5'


def test_a_lyon_phone_in_bc_has_paris_as_its_redundant_proxy():
    keys = settings(bc({'phone-1600': phone('1600', site_name='lyon')}, 'primary_fallback'), 'phone-1600')
    assert keys['voip/signalling/sip/proxy_address'] == '127.0.0.51'
    assert keys['voip/signalling/sip/redundant_proxy/address'] == '127.0.0.50'


def test_going_back_from_bc_to_standalone_undoes_the_redundant_proxy_and_timers():
    keys = settings(standalone({'phone-1502': phone()}))
    assert keys['voip/signalling/sip/redundant_proxy/enabled'] == '0'
    assert keys['voip/signalling/sip/redundant_proxy/address'] == '0.0.0.0'
    assert keys['voip/signalling/sip/proxy_timeout'] == '3600'
    assert keys['voip/signalling/sip/registration_failed_timeout'] == '60'


# Business Continuity behind SIP Proxies: the note's DNS-based redundancy row "also may be used for
# Genesys Business Continuity" (proxy = the pool FQDN, Registration Expires 5 s).

def pool_site(base, fqdn, port=5060, keep_server=False):
    entry = dict((k, v) for k, v in base.items() if keep_server or k != 'sip_server')
    entry['sip_proxy_pool'] = {'fqdn': fqdn, 'port': port, 'tls_port': port + 1}
    return entry


@pytest.mark.parametrize('mode', ['primary_fallback', 'simultaneous'])
def test_bc_with_proxy_pools_registers_through_the_home_pool_with_the_other_pool_redundant(mode):
    sites = [pool_site(PARIS, 'sips-a.qa.domain.com', 5070), pool_site(LYON, 'sips-b.qa.domain.com', 5080)]
    state = desired_state({'phone-1502': phone()}, sites, 'business_continuity', mode, ['paris', 'lyon'])
    keys = settings(state)
    assert keys['voip/signalling/sip/use_proxy'] == '1'
    assert keys['voip/signalling/sip/proxy_address'] == 'sips-a.qa.domain.com'
    assert keys['voip/signalling/sip/proxy_port'] == '5070'
    assert keys['voip/signalling/sip/proxy_timeout'] == '5'
    assert keys['voip/signalling/sip/registration_failed_timeout'] == '5'
    assert keys['voip/signalling/sip/sip_outbound_proxy/enabled'] == '0'
    assert keys['voip/signalling/sip/redundant_proxy/enabled'] == '1'
    assert keys['voip/signalling/sip/redundant_proxy/address'] == 'sips-b.qa.domain.com'
    assert keys['voip/signalling/sip/redundant_proxy/port'] == '5080'
    assert keys['voip/signalling/sip/redundant_proxy/mode'] == mode.upper()
    assert tserver(state, 'lyon')['dr-forward'] == {'primary_fallback': 'oos', 'simultaneous': 'no-agent'}[mode]


def test_bc_site_with_both_a_pool_and_a_server_keeps_its_sip_server():
    # an inventory that lists the pool for sip_proxy_ha keeps its Business Continuity phones where they were
    sites = [pool_site(PARIS, 'sips-a.qa.domain.com', keep_server=True), LYON]
    keys = settings(bc({'phone-1502': phone()}, 'primary_fallback', sites))
    assert keys['voip/signalling/sip/proxy_address'] == '127.0.0.50'
    assert keys['voip/signalling/sip/proxy_timeout'] == '300'
    assert keys['voip/signalling/sip/redundant_proxy/address'] == '127.0.0.51'


def test_bc_phone_on_a_server_site_keeps_300_and_takes_the_other_sites_pool_as_redundant():
    sites = [PARIS, pool_site(LYON, 'sips-b.qa.domain.com', 5080)]
    keys = settings(bc({'phone-1502': phone()}, 'primary_fallback', sites))
    assert keys['voip/signalling/sip/proxy_address'] == '127.0.0.50'
    assert keys['voip/signalling/sip/proxy_timeout'] == '300'
    assert keys['voip/signalling/sip/redundant_proxy/address'] == 'sips-b.qa.domain.com'
    assert keys['voip/signalling/sip/redundant_proxy/port'] == '5080'


def test_bc_tls_with_proxy_pools_uses_the_pools_tls_ports():
    sites = [pool_site(PARIS, 'sips-a.qa.domain.com', 5070), pool_site(LYON, 'sips-b.qa.domain.com', 5080)]
    keys = settings(bc({'phone-1502': phone(features_={'tls': True})}, 'primary_fallback', sites))
    assert keys['voip/signalling/sip/proxy_port'] == '5071'
    assert keys['voip/signalling/sip/redundant_proxy/port'] == '5081'


def test_bc_site_without_sip_server_nor_pool_is_a_schema_error_naming_both_fields():
    lyon = dict((k, v) for k, v in LYON.items() if k != 'sip_server')
    findings = preflight({'phone-1502': phone()}, [PARIS, lyon], 'business_continuity', 'primary_fallback')
    assert rules(findings) == ['schema']
    assert any(f.subjects == ('site lyon',) and 'sip_server or sip_proxy_pool' in f.cause
               and 'sip_proxy_pool: {fqdn:' in f.fix for f in findings)


def test_bc_other_sites_pool_fqdn_longer_than_32_characters_is_refused_as_redundant_proxy():
    sites = [PARIS, pool_site(LYON, 'sip-proxy-pool-lyon.example.com.fr')]
    findings = preflight({'phone-1502': phone()}, sites, 'business_continuity', 'primary_fallback', ['paris', 'lyon'])
    assert rules(findings) == ['value_length']
    assert 'redundant_proxy/address' in str(findings[0]) and 'sip_proxy_pool.fqdn' in str(findings[0])


def test_dn_name_is_not_managed_by_default_and_per_site_in_bc():
    assert tserver  # keep the helper import honest
    state = standalone({'phone-1502': phone()})
    assert state['switches']['paris']['dns'][0]['name'] is None
    state = bc({'phone-1502': phone(dn_name='agent-1502')}, 'primary_fallback')
    assert state['switches']['paris']['dns'][0]['name'] == 'agent-1502_paris'
    assert state['switches']['lyon']['dns'][0]['name'] == 'agent-1502_lyon'


# --- lines ------------------------------------------------------------------------------------

def test_basic_calling_enables_the_line_with_its_dn_and_display_name():
    keys = settings(standalone({'phone-1502': phone()}))
    assert keys['voip/line/0/enabled'] == '1'
    assert keys['voip/line/0/id'] == '1502'
    assert keys['voip/line/0/description'] == 'Agent 1502'
    assert tserver(standalone({'phone-1502': phone()}))['contact'] == '*'


def test_lines_the_inventory_does_not_declare_are_switched_off():
    keys = settings(standalone({'phone-1502': phone(model='440HD')}))
    assert [keys['voip/line/%d/enabled' % n] for n in range(6)] == ['1', '0', '0', '0', '0', '0']
    assert keys['voip/line/5/call_forward/active'] == '0'
    keys = settings(standalone({'phone-1502': phone(model='420HD')}))
    assert keys['voip/line/1/enabled'] == '0'
    assert 'voip/line/2/enabled' not in keys


def test_a_line_marked_absent_deletes_its_dn_and_switches_the_line_off():
    state = standalone({'phone-1502': phone(state='absent')})
    assert state['switches']['paris']['dns'] == [
        {'number': '1502', 'type': 'extension', 'name': None, 'state': 'absent', 'enabled': True, 'options': {}}]
    assert settings(state)['voip/line/0/enabled'] == '0'


def test_a_yaml_number_dn_and_model_are_read_as_text():
    state = standalone({'phone-405': dict(phone(1405, model=405, firmware='2.2.12'))})
    assert state['phones']['phone-405']['model'] == '405'
    assert state['switches']['paris']['dns'][0]['number'] == '1405'
    assert state['phones']['phone-405']['mac'] == '00:90:8f:12:34:56'


# --- shared call appearance -------------------------------------------------------------------

def sca_pair(secondary_dn='1503'):
    primary = phone('1502', features_={'sca': {'role': 'primary'}, 'sip_auth': True}, sip_password=SECRET)
    secondary = dict(phone(secondary_dn, features_={'sca': {'role': 'secondary', 'primary_dn': '1502'},
                                                    'sip_auth': True}), address='127.0.1.13')
    return {'phone-1502': primary, 'phone-sec': secondary}


def test_sca_primary_is_a_shared_line_with_bsft():
    state = standalone(sca_pair())
    assert settings(state)['voip/services/application_server_type'] == 'BSFT'
    assert settings(state)['voip/line/0/line_mode'].upper() == 'SHARED'
    assert tserver(state)['shared-line'] == 'true'


def test_sca_secondary_authenticates_with_the_primary_user_name_and_password():
    state = standalone(sca_pair())
    keys = settings(state, 'phone-sec')
    assert keys['voip/line/0/line_mode'].upper() == 'SHARED'
    assert keys['voip/line/0/auth_name'] == '1502'
    assert keys['voip/line/0/auth_password'] == SECRET
    assert tserver(state, number='1503')['shared-line'] is None


def test_sca_secondary_registering_as_the_shared_line_writes_no_dn():
    state = standalone(sca_pair(secondary_dn='1502'))
    assert [dn['number'] for dn in state['switches']['paris']['dns']] == ['1502']
    assert settings(state, 'phone-sec')['voip/line/0/id'] == '1502'


def test_sca_preferred_site_is_ignored_outside_bc_so_one_inventory_switches_deployment():
    phones = sca_pair()
    phones['phone-1502']['gac_lines'][0]['features']['sca'] = {'role': 'primary', 'preferred_site': 'lyon'}
    state = standalone(phones, SITES)
    assert 'sca-preferred-site' not in tserver(state)
    assert tserver(state)['shared-line'] == 'true'


# --- known limitations, each violated on purpose ----------------------------------------------

def test_sca_with_business_continuity_is_refused():
    findings = preflight(sca_pair(), SITES, 'business_continuity', 'primary_fallback', ['paris', 'lyon'])
    assert 'sca_business_continuity' in rules(findings)
    text = '\n'.join(str(f) for f in findings if f.rule == 'sca_business_continuity')
    assert 'phone-1502 line 0 (dn 1502)' in text and 'phone-sec line 0 (dn 1503)' in text
    assert 'note section 5, Shared Call Appearance' in text and 'section 6.1' in text
    assert 'remove sca' in text and '8.1.101' not in text


@pytest.mark.parametrize('model', ['405', '405HD', '420HD', '430HD', '440HD'])
@pytest.mark.parametrize('mode', ['simultaneous', 'primary_fallback'])
@pytest.mark.parametrize('versions', [(None, None), ('8.1.101.75', '8.1.101.75'), ('8.1.101.80', '9.0.0.1'),
                                      ('8.1.101.75', '8.1.100.2')])
def test_sca_in_bc_is_refused_for_every_model_and_sip_server_version(model, mode, versions):
    sites = [dict(PARIS, sip_server_application='SIPS_Paris'), dict(LYON, sip_server_application='SIPS_Lyon')]
    for site_, version in zip(sites, versions):
        if version:
            site_['sip_server_version'] = version
    pair = sca_pair()
    for host in pair.values():
        host['gac_model'] = model
    findings = preflight(pair, sites, 'business_continuity', mode, ['paris', 'lyon'])
    refused = [f for f in findings if f.rule == 'sca_business_continuity' and f.severity == 'error']
    assert sorted(s for f in refused for s in f.subjects) == ['phone-1502 line 0 (dn 1502)', 'phone-sec line 0 (dn 1503)']
    with pytest.raises(InventoryError, match='sca_business_continuity'):
        bc(pair, mode, sites)


def test_sca_on_a_model_other_than_the_440hd_is_refused():
    findings = preflight({'phone-1502': phone(model='430HD', features_={'sca': {'role': 'primary'}})}, [PARIS])
    assert rules(findings) == ['sca_model']
    assert '440HD' in str(findings[0]) and 'phone-1502 line 0 (dn 1502)' in str(findings[0])


def test_a_sca_secondary_needs_its_primary_in_the_inventory_with_the_same_sip_auth():
    pair = sca_pair()
    del pair['phone-1502']
    assert rules(preflight(pair, [PARIS])) == ['sca_primary']
    pair = sca_pair()
    pair['phone-sec']['gac_lines'][0]['features']['sip_auth'] = False
    findings = preflight(pair, [PARIS])
    assert rules(findings) == ['sca_primary'] and 'phone-sec line 0 (dn 1503)' in str(findings[0])


def test_decommissioning_a_sca_primary_with_its_secondaries_is_allowed():
    pair = sca_pair()
    for host in pair.values():
        for line in host['gac_lines']:
            line['state'] = 'absent'
    assert rules(preflight(pair, [PARIS])) == []
    state = desired_state(pair, [PARIS])
    assert sorted(dn['state'] for dn in state['switches']['paris']['dns']) == ['absent', 'absent']


def test_agent_state_control_with_bc_simultaneous_is_refused():
    flags = {'agent_login': True, 'agent_state_control': True}
    findings = preflight({'phone-1502': phone(features_=flags)}, SITES, 'business_continuity', 'simultaneous')
    assert rules(findings) == ['agent_state_control_business_continuity']
    assert 'primary_fallback' in findings[0].fix
    assert preflight({'phone-1502': phone(features_=flags)}, SITES, 'business_continuity', 'primary_fallback') == []


def test_agent_state_control_needs_agent_login_on_the_line():
    findings = preflight({'phone-1502': phone(features_={'agent_state_control': True})}, [PARIS])
    assert rules(findings) == ['requires']


@pytest.mark.parametrize('model, firmware, refused', [
    ('430HD', '2.2.12', True),      # 430HD is only in the 2.2.16 row
    ('430HD', '2.2.16.142.12', False),
    ('440HD', '2.2.12', False),     # 440HD, 420HD, 405: 2.2.12 or later
    ('420HD', '2.2.12.3', False),
    ('405', '2.2.8.61', True),
    ('405HD', '2.2.12', True),      # 405HD: supported "with 2.2.16" (summary)
    ('405HD', '2.2.16', False),
])
def test_firmware_older_than_the_validated_release_is_refused(model, firmware, refused):
    findings = preflight({'phone-1502': phone(model=model, firmware=firmware)}, [PARIS])
    assert (rules(findings) == ['firmware']) is refused


def test_allow_unvalidated_firmware_overrides_the_firmware_rule():
    raw = dict(phone(model='430HD', firmware='2.2.8'), allow_unvalidated_firmware='true')
    assert preflight({'phone-1502': raw}, [PARIS]) == []


def test_tls_is_a_security_pack_warning_not_an_error():
    phones = {'phone-1502': phone(features_={'tls': True})}
    findings = preflight(phones, [PARIS])
    assert rules(findings) == [] and rules(findings, 'warning') == ['tls_security_pack']
    state = standalone(phones)
    assert len(state['warnings']) == 1
    assert 'Security Pack 8.5.1' in state['warnings'][0] and 'phone-1502' in state['warnings'][0]


def test_one_problem_of_many_hosts_is_reported_once_naming_five_and_counting_the_rest():
    phones = dict(('phone-%d' % n, dict(phone(str(2000 + n), features_={'tls': True}), address='127.0.1.%d' % (n + 1)))
                  for n in range(8))
    warnings = standalone(phones)['warnings']
    assert len(warnings) == 1
    assert warnings[0].startswith('phone-0, phone-1, phone-2, phone-3, phone-4 and 3 more: TLS 1.2')


def test_a_redundant_proxy_address_longer_than_32_characters_is_refused():
    long_name = 'sip-server-lyon.datacenter.example.com'
    findings = preflight({'phone-1502': phone()}, [PARIS, site('lyon', long_name, 'SIP_Switch_B')],
                         'business_continuity', 'primary_fallback')
    assert rules(findings) == ['value_length']
    assert 'redundant_proxy/address' in str(findings[0]) and '32' in str(findings[0])


def test_the_same_dn_on_two_hosts_is_refused_naming_both():
    findings = preflight({'phone-a': phone('1502'), 'phone-b': phone('1502')}, [PARIS])
    assert rules(findings) == ['duplicate_dn']
    assert 'phone-a' in str(findings[0]) and 'phone-b' in str(findings[0])


def test_the_same_dn_on_two_sites_is_refused_in_bc_but_not_standalone():
    phones = {'phone-a': phone('1502'), 'phone-b': phone('1502', site_name='lyon')}
    assert preflight(phones, SITES) == []
    assert rules(preflight(phones, SITES, 'business_continuity', 'simultaneous')) == ['duplicate_dn']


def test_a_typo_in_a_feature_flag_names_the_host_the_line_and_the_valid_flags():
    findings = preflight({'phone-1502': phone(features_={'remote_answr': True})}, [PARIS])
    assert rules(findings) == ['unknown_flag']
    text = str(findings[0])
    assert 'phone-1502 line 0 (dn 1502)' in text and "'remote_answr'" in text
    for flag in ('agent_login', 'attended_transfer', 'remote_answer', 'sca', 'tls'):
        assert flag in findings[0].fix


def test_an_unknown_feature_parameter_is_refused():
    findings = preflight({'phone-1502': phone(features_={'attended_transfer': {'flow': 2}})}, [PARIS])
    assert rules(findings) == ['unknown_param']
    assert 'rfc3725_flow' in findings[0].fix


def test_more_lines_than_the_model_has_is_refused():
    raw = phone(model='420HD')
    raw['gac_lines'] = [{'dn': str(1500 + n)} for n in range(3)]
    findings = preflight({'phone-1502': raw}, [PARIS])
    assert rules(findings) == ['line_count']
    assert '420HD has 2 lines' in str(findings[0])


def test_lines_that_disagree_on_a_phone_wide_key_are_refused():
    raw = phone(features_={'auto_answer': True})
    raw['gac_lines'].append({'dn': '1503', 'features': {'auto_answer': False}})
    findings = preflight({'phone-1502': raw}, [PARIS])
    assert rules(findings) == ['phone_wide_conflict']
    assert 'voip/auto_answer/enabled' in str(findings[0])


def test_a_line_that_leaves_out_a_phone_wide_flag_follows_the_others():
    raw = phone(features_={'auto_answer': True})
    raw['gac_lines'].append({'dn': '1503'})
    assert settings(standalone({'phone-1502': raw}))['voip/auto_answer/enabled'] == '1'


def test_an_unknown_line_field_and_a_missing_parameter_are_refused():
    findings = preflight({'phone-1502': phone(sip_pasword='x', features_={'call_forward': {'type': 'busy'}})}, [PARIS])
    assert rules(findings) == ['schema']
    text = '\n'.join(str(f) for f in findings)
    assert "'sip_pasword'" in text and 'destination' in text


def test_sip_auth_without_a_password_is_refused():
    assert rules(preflight({'phone-1502': phone(features_={'sip_auth': True})}, [PARIS])) == ['schema']


def test_bc_without_bc_mode_is_refused():
    findings = preflight({'phone-1502': phone()}, SITES, 'business_continuity')
    assert rules(findings) == ['schema'] and 'bc_mode' in str(findings[0])


def test_desired_state_raises_listing_every_problem():
    phones = {'phone-a': phone('1502', model='405', firmware='2.2.8', features_={'dndd': True}),
              'phone-b': phone('1503', model='450HD')}
    with pytest.raises(InventoryError) as caught:
        desired_state(phones, [PARIS])
    message = caught.value.message
    assert "unknown feature flag 'dndd'" in message
    assert 'phone-b' in message and '450HD' in message
    assert 'phone-a' in message and 'firmware 2.2.8' in message


# --- secrets ----------------------------------------------------------------------------------

def test_no_finding_shows_a_secret():
    long_secret = 'x' * 260     # the parameter database: auth_password takes 256 characters
    phones = {'phone-1502': phone(features_={'sip_auth': True}, sip_password=long_secret)}
    findings = preflight(phones, [PARIS])
    assert rules(findings) == ['value_length']
    assert long_secret not in str(findings[0]) and '260' in str(findings[0])
    bad = {'phone-1502': phone(sip_password=SECRET, features_={'sip_auth': True, 'nope': True}, state='gone')}
    assert all(SECRET not in str(f) for f in preflight(bad, [PARIS]))


def test_the_input_is_not_changed():
    phones = {'phone-1502': the_notes_sample_phone()}
    phones['phone-1502']['gac_lines'][0]['features']['mwi'] = {'voice_mail_number': '8000'}
    before = copy.deepcopy(phones)
    standalone(phones)
    assert phones == before


def test_a_thousand_phones_in_bc():
    phones = {}
    for n in range(1000):
        phones['phone-%d' % n] = dict(phone(str(2000 + n), site_name=('paris', 'lyon')[n % 2],
                                            features_={'remote_answer': True, 'remote_hold': True}),
                                      address='127.0.%d.%d' % (n // 250 + 2, n % 250 + 1))
    state = bc(phones, 'primary_fallback')
    assert len(state['phones']) == 1000
    assert len(state['switches']['paris']['dns']) == len(state['switches']['lyon']['dns']) == 1000


# --- the table itself ---------------------------------------------------------------------------

def test_the_assumed_names_of_features_md_are_marked_in_the_table():
    assumed = set(name for _where, name, _evidence in features.assumed_entries())
    assert assumed == {
        'voip/services/application_server_type',        # ACD method BroadSoft (agent_login)
        'voip/services/msg_waiting_ind/enabled',        # value spelling on 2.2.16
        'shared-line',                                  # Genesys SCA option
        'voip/media/srtp/mode',                         # SRTP confirmed on 3.x only
        'voip/signalling/sip/redundant_proxy/mode',     # SIMULTANEOUS / PRIMARY_FALLBACK
        'voip/signalling/sip/redundant_proxy/enabled',  # "Secondary Proxy" in simultaneous mode
        'voip/signalling/sip/redundant_proxy/address',
        'voip/signalling/sip/redundant_proxy/port',
        'voip/advanced_auto_answer/type',               # every call answered: manual 3.4.3 only
    }
    assert all(evidence for _where, _name, evidence in features.assumed_entries())


def test_every_flag_and_parameter_is_documented_in_the_inventory_schema():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, '..', '..', '..', '..', 'docs', 'inventory.md')) as handle:
        text = handle.read()
    for feature in features.FEATURES:
        assert '`%s`' % feature.name in text
        for spec in feature.params:
            assert '`%s`' % spec.name in text
    for field in features.PHONE_FIELDS + features.LINE_FIELDS + features.SITE_FIELDS:
        assert '`%s`' % field in text


def bare_names(host_vars):
    """The same host with the schema's names before 0.3.0 (model, firmware, site, lines)."""
    return dict((name[4:] if name in ('gac_model', 'gac_firmware', 'gac_site', 'gac_lines') else name, value)
                for name, value in host_vars.items())


def test_the_bare_names_still_work_for_one_release_with_one_deprecation_naming_the_hosts():
    prefixed = {'phone-1502': phone(features_={'remote_answer': True}), 'phone-1503': phone(dn='1503')}
    bare = dict((host, bare_names(host_vars)) for host, host_vars in prefixed.items())
    state = desired_state(bare, SITES)
    expected = desired_state(prefixed, SITES)
    assert state['phones'] == expected['phones'] and state['switches'] == expected['switches']
    assert expected['deprecations'] == []
    assert len(state['deprecations']) == 4            # model, firmware, site, lines: one each, all hosts named
    assert state['deprecations'][0] == ('phone-1502, phone-1503: the inventory variable model is deprecated '
                                        '(removed in 0.4.0): rename it gac_model (the prefixed name wins when both '
                                        'are set) [deprecated_name]')


def test_a_site_set_by_another_inventory_source_loses_to_gac_site():
    host_vars = phone()
    host_vars['site'] = {'id': 7, 'name': 'NetBox DC', 'slug': 'dc'}   # what NetBox's inventory plugin sets
    host_vars['sites'] = ['dc']
    state = desired_state({'phone-1502': host_vars}, SITES)
    assert state['phones']['phone-1502']['site'] == 'paris' and state['deprecations'] == []


def test_a_schema_message_names_the_variable_as_the_inventory_wrote_it():
    host_vars = bare_names(phone())
    host_vars['model'] = '450HD'
    assert 'phone-1502: model must be one of' in str(preflight({'phone-1502': host_vars}, SITES)[-1])
    assert 'phone-1502: gac_model must be one of' in str(preflight({'phone-1502': phone(model='450HD')}, SITES)[0])


# --- issue 17: the note, row by row ---------------------------------------------------------------

REGISTRATION = {'voip/signalling/sip/use_proxy_ip_port_for_registrar': '1',
                'voip/signalling/sip/sip_registrar/enabled': '0',
                'voip/signalling/sip/registrar_ka/enabled': '0'}


@pytest.mark.parametrize('deployment', ['standalone', 'sip_proxy_ha', 'simultaneous', 'primary_fallback'])
def test_every_deployment_writes_the_registration_settings_of_the_notes_screenshot(deployment):
    # Issue 17 item 4: "Use SIP Proxy IP and Port for Registration: Enable", "Use SIP Registrar:
    # Disable", "Registrar Keep Alive: Disable".
    pool = {'sip_proxy_pool': {'fqdn': 'pool.example'}}
    sites = [dict(PARIS, **pool), dict(LYON, **pool)]
    kwargs = {'deployment': deployment} if deployment in ('standalone', 'sip_proxy_ha') else {
        'deployment': 'business_continuity', 'bc_mode': deployment}
    got = settings(desired_state({'phone-1502': phone()}, sites, **kwargs))
    assert dict((k, got[k]) for k in REGISTRATION) == REGISTRATION


def test_mwi_without_a_voice_mail_number_leaves_the_phones_own_number():
    # Issue 17 item 7: the note asks for no voice-mail number.
    state = standalone({'phone-1502': phone(features_={'mwi': True})})
    assert tserver(state)['gvm_mailbox'] == '1502'
    assert settings(state)['voip/services/msg_waiting_ind/enabled'] == 'ENABLE'
    assert 'voip/services/msg_waiting_ind/voice_mail_number' not in settings(state)


def test_mwi_lines_with_and_without_a_number_agree_on_the_one_that_gives_it():
    host_vars = phone(features_={'mwi': True})
    host_vars['gac_lines'].append({'dn': '1503', 'features': {'mwi': {'voice_mail_number': '8000'}}})
    state = standalone({'phone-1502': host_vars})
    assert settings(state)['voip/services/msg_waiting_ind/voice_mail_number'] == '8000'


def test_ipv6_addresses_are_warned_about_never_refused():
    # Issue 17 item 6: the note's chart, read in the glossary's order, says IPv6: No.
    v6_site = dict(PARIS, sip_server={'address': '2001:db8::10', 'port': 5060})
    host_vars = phone()
    host_vars['address'] = '2001:db8::1502'
    findings = preflight({'phone-1502': host_vars}, [v6_site])
    assert [(f.severity, f.rule) for f in findings] == [('warning', 'ipv6'), ('warning', 'ipv6')]
    assert findings[0].subjects == ('site paris sip_server',) and '2001:db8::10' in findings[0].cause
    assert findings[1].subjects == ('phone-1502',) and 'not validated by the note' in findings[1].cause
    state = desired_state({'phone-1502': host_vars}, [v6_site])
    assert len(state['warnings']) == 2 and settings(state)['voip/signalling/sip/proxy_address'] == '2001:db8::10'
    assert preflight({'phone-1502': phone()}, SITES) == []
