"""The field check's report filter: which keys a firmware knows, what to do, and no secret."""

import json

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.genesys_audiocodes.plugins.filter import field_check_report as plugin

SECRET = 'sip-secret-Qw9'
DESIRED = {
    'phones': {'phone-a01': {'address': '127.0.1.11', 'model': '440HD', 'settings': {
        'voip/line/0/id': '1501', 'voip/line/0/auth_password': SECRET,
        'voip/signalling/sip/redundant_proxy/mode': 'PRIMARY_FALLBACK', 'voip/line/7/id': '1'}}},
    'switches': {'A': {'switch': 'SIP_Switch_A', 'gax_url': 'http://gax', 'dns': [], 'agent_logins': []}},
}


def entry(ident, status, evidence='seen'):
    return {'id': ident, 'subject': ident, 'status': status, 'evidence': evidence}


def phone_result(download='confirmed', keys=('voip/line/0/id',)):
    return {'changed': False, 'host': '127.0.1.11', 'device': {'model': '440HD', 'firmware': '2.2.16.501', 'mac': 'x'},
            'auth': 'cookie', 'config_file': '440HD_00908FA00111.cfg', 'config_keys': list(keys), 'model_lines': 6,
            'entries': [entry('pages.LOGIN_PATH', 'confirmed'), entry('behaviour.download', download),
                        entry('behaviour.secrets', 'confirmed')],
            'errors': {}, 'requests': [{'method': 'GET', 'path': '/', 'status': 200}], 'writes': []}


SITE = {'results': [{'item': 'A', 'site': 'A', 'switch': 'SIP_Switch_A', 'entries': [entry('objects.SWITCH_TYPE', 'confirmed')],
                     'dns': {}, 'agent_logins': {}, 'annex_options': {'TServer/shared-line': 2}, 'errors': {},
                     'requests': [], 'writes': []}]}


@pytest.mark.parametrize('key, known, download, status', [
    ('voip/line/0/id', ['voip/line/0/id'], 'confirmed', 'confirmed'),
    ('voip/line/0/id', [], 'confirmed', 'contradicted'),          # a full download without it: unknown firmware key
    ('voip/line/0/id', [], 'contradicted', 'unknown'),            # modified-only download, the key table knows it
    ('voip/foo/bar', [], 'contradicted', 'contradicted'),         # modified-only, unknown to the key table too
    ('voip/line/0/auth_password', [], 'confirmed', 'unknown'),    # a secret may be left out of any download
    ('voip/line/7/id', ['voip/line/7/id'], 'confirmed', 'contradicted'),   # beyond the model's 6 lines
])
def test_whether_a_firmware_knows_a_key(key, known, download, status):
    assert plugin.judge_key(key, set(known), download, 'confirmed', 6)[0] == status


def test_a_key_a_full_download_lacks_names_its_feature_and_the_stop_before_any_write():
    report = plugin.field_check_report({'phone-a01': phone_result()}, SITE, DESIRED, deployment='business_continuity')['report']
    phone = report['phones'][0]
    keys = dict((e['id'], e['status']) for e in phone['keys'])
    assert keys['key.voip/line/0/id'] == 'confirmed'
    assert keys['key.voip/signalling/sip/redundant_proxy/mode'] == 'contradicted'
    features = dict((f['feature'], f['keys']) for f in phone['unknown_features'])
    assert 'voip/signalling/sip/redundant_proxy/mode' in features['deployment primary_fallback']
    assert any('stops before any write' in item for item in phone['todo'])
    # the assumed key of the features table is judged on its own
    assumed = [e for e in phone['entries'] if e['id'].startswith('deployment.') and e['id'].endswith('redundant_proxy/mode')]
    assert assumed and all(e['status'] == 'contradicted' for e in assumed)


def test_a_modified_only_download_leaves_known_keys_unknown_not_contradicted():
    report = plugin.field_check_report({'phone-a01': phone_result('contradicted')}, SITE, DESIRED)['report']
    keys = dict((e['id'], e['status']) for e in report['phones'][0]['keys'])
    assert keys['key.voip/signalling/sip/redundant_proxy/mode'] == 'unknown'


def test_the_site_reports_assumed_dn_options_seen_on_the_switch():
    site = plugin.field_check_report({}, SITE, DESIRED)['report']['sites'][0]
    shared = [e for e in site['entries'] if e['id'].endswith('.shared-line')]
    assert shared and shared[0]['status'] == 'confirmed' and '2 DN(s)' in shared[0]['evidence']


def test_nothing_contradicted_says_so_and_markdown_has_a_row_per_entry():
    desired = {'phones': {'phone-a01': {'address': '127.0.1.11', 'settings': {'voip/line/0/id': '1'}}}, 'switches': {}}
    assumed = [name.replace('{n}', '0') for where, name, dummy in plugin.table.assumed_entries() if 'phone key' in where]
    result = plugin.field_check_report({'phone-a01': phone_result(keys=['voip/line/0/id'] + assumed)}, [], desired)
    assert result['summary'][-1].startswith('nothing contradicted')
    assert '| `pages.LOGIN_PATH` | pages.LOGIN_PATH | **confirmed** | seen |' in result['markdown']
    assert result['report']['totals']['contradicted'] == 0


def test_a_phone_that_could_not_be_read_is_named_with_the_cause():
    failed = {'failed': True, 'msg': 'phone 127.0.1.11: connection refused; check the address'}
    result = plugin.field_check_report({'phone-a01': failed}, SITE, DESIRED)
    assert 'phone phone-a01 (127.0.1.11): NOT READ: phone 127.0.1.11: connection refused' in result['summary'][0]
    assert not result['report']['phones'][0]['read']


def test_no_value_of_the_desired_state_reaches_the_report():
    result = plugin.field_check_report({'phone-a01': phone_result()}, SITE, DESIRED)
    assert SECRET not in json.dumps(result)


def test_bad_input_fails_as_a_filter_error():
    with pytest.raises(AnsibleFilterError):
        plugin.field_check_report(['phone-a01'], SITE, DESIRED)
    with pytest.raises(AnsibleFilterError):
        plugin.field_check_report({}, 'nonsense', DESIRED)


def test_the_filter_is_registered():
    assert plugin.FilterModule().filters()['field_check_report'] is plugin.field_check_report
