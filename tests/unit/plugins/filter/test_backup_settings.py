"""backup_settings: a phone backup's text as the settings that put the phone back."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.genesys_audiocodes.plugins.filter.backup_settings import backup_settings

BACKUP = '\r\n'.join([
    '; 420HD configuration',
    'voip/line/0/id=1501',
    'voip/line/0/auth_password={"c2VjcmV0"}',
    '; voip/line/1/auth_password=<left out of the backup: the phone showed this secret in clear>',
    'system/password=$1$abcdefgh$0123456789012345678901',
    'voip/media/media_tos=0xb8',
    'voip/line/0/description = Agent 1501 ',
    'management/tr069/url=https://acs:********@acs.example/',
    '',
])


def test_every_key_value_line_but_comments_masks_and_skipped_keys():
    assert backup_settings(BACKUP, skip=['system/password']) == {
        'voip/line/0/id': '1501', 'voip/line/0/auth_password': '{"c2VjcmV0"}', 'voip/media/media_tos': '184',
        'voip/line/0/description': 'Agent 1501'}


def test_a_file_without_settings_is_refused():
    with pytest.raises(AnsibleFilterError):
        backup_settings('; nothing\n')
    with pytest.raises(AnsibleFilterError):
        backup_settings(None)
