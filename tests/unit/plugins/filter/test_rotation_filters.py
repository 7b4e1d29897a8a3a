"""rotated_dns and phone_update_secrets: which phones write their SIP password in a run."""

from ansible_collections.telephony.genesys_audiocodes.plugins.filter.phone_update_secrets import phone_update_secrets
from ansible_collections.telephony.genesys_audiocodes.plugins.filter.rotated_dns import rotated_dns

LOOPED = {'changed': True, 'results': [
    {'switch': 'SIP_Switch_A', 'dns': [
        {'number': '1502', 'action': 'updated', 'changes': {'TServer/password': {'before': '********', 'after': '********'}}},
        {'number': '1503', 'action': 'updated', 'changes': {'TServer/contact': {'before': None, 'after': '*'}}},
        {'number': '1504', 'action': 'created', 'changes': {'TServer/password': {'before': None, 'after': '********'}}},
        {'number': '1505', 'action': 'none', 'changes': {}}]},
    {'switch': 'SIP_Switch_B', 'dns': [
        {'number': '1502', 'action': 'updated', 'changes': {'TServer/password': {'before': '********', 'after': '********'}}}]},
    {'skipped': True, 'item': 'C'}]}


def test_the_dns_whose_password_was_written_each_once():
    assert rotated_dns(LOOPED) == ['1502', '1504']
    assert rotated_dns(LOOPED['results'][1]) == ['1502']


def test_a_skipped_or_missing_dn_task_rotates_nothing():
    for registered in ({}, None, {'skipped': True}, {'results': []}, 'text'):
        assert rotated_dns(registered) == []


PHONE = {'address': '127.0.1.11', 'settings': {'voip/line/0/id': '1502', 'voip/line/0/auth_password': 'x',
                                               'voip/line/1/id': '1503'}}
OTHER = {'address': '127.0.1.12', 'settings': {'voip/line/0/id': '1505'}}


def test_a_phone_on_a_rotated_dn_writes_its_secrets_always_and_the_others_keep_their_default():
    assert phone_update_secrets(PHONE, ['1502']) == 'always'
    assert phone_update_secrets(OTHER, ['1502']) == 'on_change'
    assert phone_update_secrets(OTHER, ['1502'], 'on_create') == 'on_create'
    assert phone_update_secrets(PHONE, []) == 'on_change'
    assert phone_update_secrets(PHONE, None, 'always') == 'always'


def test_on_the_phones_mapping_each_entry_gets_its_update_secrets():
    phones = phone_update_secrets({'phone-a01': PHONE, 'phone-a02': OTHER}, ['1502'])
    assert phones['phone-a01']['update_secrets'] == 'always' and phones['phone-a02']['update_secrets'] == 'on_change'
    assert phones['phone-a01']['settings'] == PHONE['settings'] and 'update_secrets' not in PHONE
