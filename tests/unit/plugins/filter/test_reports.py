"""The report filters: what the preflight, a deployment run and verify.yml say, from plain results."""

from ansible_collections.telephony.genesys_audiocodes.plugins.filter import deploy_report as deploy
from ansible_collections.telephony.genesys_audiocodes.plugins.filter import desired_state as state_filter
from ansible_collections.telephony.genesys_audiocodes.plugins.filter import preflight_summary as summary
from ansible_collections.telephony.genesys_audiocodes.plugins.filter import verify_report as verify

SITES = [{'name': 'paris', 'sip_server': {'address': '127.0.0.95'},
          'gax': {'url': 'http://127.0.0.95:8080', 'switch': 'SIP_Switch_A'},
          'agent_logins': [{'login_code': '7001', 'password': 'Agent-S3cret'}]}]


def host(dn, **features):
    return {'ansible_host': '127.95.0.%d' % int(dn[-2:]), 'gac_model': '440HD', 'gac_firmware': '2.2.16.142.12',
            'gac_site': 'paris', 'mac': '00:90:8f:00:00:%s' % dn[-2:],
            'gac_lines': [{'dn': dn, 'display_name': 'Agent %s' % dn, 'sip_password': 'Sip-S3cret-%s' % dn,
                           'features': dict(features, sip_auth=True)}]}


PHONES = {'phone-1502': host('1502', remote_answer=True), 'phone-1503': host('1503')}


def desired(**kwargs):
    return state_filter.desired_state(PHONES, SITES, **kwargs)


def test_filters_are_registered_under_their_names():
    assert summary.FilterModule().filters() == {'preflight_summary': summary.preflight_summary}
    assert deploy.FilterModule().filters() == {'deploy_report': deploy.deploy_report}
    assert verify.FilterModule().filters() == {'verify_report': verify.verify_report}


def test_the_desired_state_lists_each_line_with_the_features_on_and_no_secret():
    lines = desired()['phones']['phone-1502']['lines']
    assert lines == [{'index': 0, 'dn': '1502', 'state': 'present', 'features': ['remote_answer', 'sip_auth']}]


def test_state_absent_decommissions_every_line():
    state = desired(state='absent')
    assert [dn['state'] for dn in state['switches']['paris']['dns']] == ['absent', 'absent']
    assert state['phones']['phone-1503']['settings']['voip/line/0/enabled'] == '0'


def test_the_preflight_summary_names_the_switch_and_counts_without_secrets():
    lines = summary.preflight_summary(desired(state='absent'), state='absent')
    assert lines == [
        'standalone: 2 phone(s) checked against the rules of the note, nothing written yet (decommissioning: every line off)',
        'switch SIP_Switch_A (site paris, http://127.0.0.95:8080): 2 DN(s), 2 to delete; 1 Agent Login(s)']
    assert 'S3cret' not in repr(lines)


def test_the_preflight_summary_shows_the_bc_mode_and_the_warnings():
    lines = summary.preflight_summary({'phones': {}, 'switches': {}, 'warnings': ['phone-1: check TLS']},
                                      deployment='business_continuity', bc_mode='simultaneous')
    assert lines[0].startswith('business_continuity (simultaneous): 0 phone(s)')
    assert lines[1] == 'warning: phone-1: check TLS'


DN_LOOP = {'results': [
    {'item': 'paris', 'switch': 'SIP_Switch_A', 'changed': True,
     'dns': [{'number': '1502', 'action': 'created', 'changed': True},
             {'number': '1503', 'action': 'none', 'changed': False}]},
    {'item': 'lyon', 'skipped': True}]}
LOGIN_LOOP = {'results': [{'item': 'paris', 'switch': 'SIP_Switch_A', 'failed': True, 'msg': 'GAX refused',
                           'agent_logins': []}]}


def test_the_deploy_report_says_per_switch_and_per_phone_what_changed():
    hostvars = {'phone-1502': {'audiocodes_phone_result': {'changed': True, 'changes': {'a': 1, 'b': 2}, 'rebooted': True},
                               'audiocodes_phone_verify': {'changed': False}},
                'phone-1503': {'audiocodes_phone_result': {'changed': False}},
                'phone-1504': {'audiocodes_phone_result': {'skipped': True},
                               'audiocodes_provisioning_result': {'failed': True, 'msg': 'no answer'}},
                'phone-1505': {}}
    lines = deploy.deploy_report(['phone-1502', 'phone-1503', 'phone-1504', 'phone-1505'], hostvars, DN_LOOP,
                                 LOGIN_LOOP, active_hosts=['phone-1502', 'phone-1503', 'phone-1505'])
    assert lines == [
        'switch SIP_Switch_A: DN(s) created 1502, 1 unchanged',
        'switch SIP_Switch_A: Agent Login(s) in sync FAILED: GAX refused',
        'phone phone-1502: 2 key(s) changed, restarted and verified',
        'phone phone-1503: in sync',
        'phone phone-1504: FAILED: no answer (host failed: see its task results above)',
        'phone phone-1505: not configured by this run']


def test_the_deploy_report_in_check_mode_says_would_be():
    lines = deploy.deploy_report(['phone-1502'], {'phone-1502': {'audiocodes_phone_result': {
        'changed': True, 'changes': {'a': 1}, 'rebooted': False}}}, DN_LOOP, check_mode=True)
    assert lines == ['switch SIP_Switch_A: DN(s) would be created 1502, 1 unchanged',
                     'phone phone-1502: 1 key(s) would be changed']


def _facts(model='440HD', firmware='2.2.16.142.12', mac='00:90:8f:00:00:02', changes=None, registered=True):
    return {'verify_phone': {'device': {'model': model, 'firmware': firmware, 'mac': mac},
                             'status': {'lines': [{'line': 0, 'registered': registered,
                                                   'state': 'Registered' if registered else 'Unregistered',
                                                   'server': '127.0.0.95'}]}},
            'verify_settings': {'changes': changes or {}}}


def test_verify_report_all_in_sync_has_a_table_and_no_problem():
    state = desired()
    hostvars = {'phone-1502': _facts(), 'phone-1503': _facts(mac='00:90:8f:00:00:03')}
    dns = {'results': [{'item': 'paris', 'dns': [{'number': '1502', 'state': 'present'},
                                                 {'number': '1503', 'state': 'present'}]}]}
    logins = {'results': [{'item': 'paris', 'agent_logins': [{'login_code': '7001', 'state': 'present'}]}]}
    report = verify.verify_report(state, ['phone-1502', 'phone-1503'], hostvars, dns, logins, registration=True)
    assert report['problems'] == []
    assert report['table'][1].split() == ['phone-1502', '127.95.0.2', '440HD', '2.2.16.142.12', 'settings', 'in', 'sync']
    assert report['table'][2].split() == ['line', '0', 'DN', '1502', 'present', 'Registered', 'at', '127.0.0.95']
    assert report['table'][-2:] == ['switch SIP_Switch_A (site paris): 2 DN(s) present: 1502 1503',
                                    'switch SIP_Switch_A (site paris): 1 Agent Login(s) present: 7001']


def test_verify_report_names_every_difference_with_its_fix():
    state = desired()
    hostvars = {'phone-1502': _facts(model='420HD', firmware='2.2.12.1', changes={'k%d' % i: 1 for i in range(7)},
                                     registered=False),
                'phone-1503': {'verify_phone': {'msg': 'connection refused'}}}
    dns = {'results': [{'item': 'paris', 'dns': [{'number': '1502', 'state': 'present'}]}]}
    logins = {'results': [{'item': 'paris', 'msg': 'GAX down'}]}
    problems = verify.verify_report(state, ['phone-1502', 'phone-1503'], hostvars, dns, logins,
                                    registration=True)['problems']
    assert problems == [
        'phone-1502 (127.95.0.2): the phone is a 420HD, the inventory says 440HD; correct model',
        'phone-1502 (127.95.0.2): firmware 2.2.12.1, the inventory expects 2.2.16.142.12; upgrade the phone or '
        'correct firmware',
        'phone-1502 (127.95.0.2): 7 setting(s) differ from the inventory: k0, k1, k2, k3, k4 ...; run '
        'playbooks/drift.yml for the diff, deploy to correct',
        'phone-1502 (127.95.0.2): line 0 (DN 1502) is not registered (the phone reports: Unregistered); check the '
        'DN and its password on the switch, and that the SIP Server answers',
        'phone-1503 (127.95.0.3): not read: connection refused',
        'switch SIP_Switch_A: DN 1503 is absent, the inventory says present; deploy to correct',
        'switch SIP_Switch_A: Agent Logins not read: GAX down']


def test_verify_report_registration_is_shown_not_judged_by_default():
    state = desired()
    report = verify.verify_report(state, ['phone-1502'], {'phone-1502': _facts(registered=False)})
    assert report['problems'] == []
    assert report['table'][2].split()[-3:] == ['Unregistered', 'at', '127.0.0.95']
