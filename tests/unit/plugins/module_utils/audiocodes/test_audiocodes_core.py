"""What the phone module decides to write, how it merges into the file, and what it shows."""

import os

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import (
    MASK, InputError, SecretMasker, changes_of, diff_of,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import core
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.cfgfile import ConfigFile

REPO_ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.realpath(__file__)), '..', '..', '..', '..', '..'))
DUMP = os.path.join(REPO_ROOT, '..', 'shared', 'reference', 'samples', 'audiocodes-310HD-full-dump.cfg')

HAVE = {
    'system/type': '420HD',
    'voip/line/0/enabled': '1',
    'voip/line/0/id': '1501',
    'voip/line/0/auth_password': '{"b2xkc2VjcmV0"}',
    'voip/line/1/auth_password': 'clear-secret',
    'voip/media/out_of_band_dtmf': 'RFC2833',
    'voip/auto_answer/enabled': '0',
}


def test_only_keys_that_differ_are_written_in_the_phones_spelling():
    writes, unknown = core.plan({'voip/line/0/id': 1502, 'voip/media/out_of_band_dtmf': 'rfc2833',
                                 'voip/auto_answer/enabled': True}, HAVE)
    assert writes == {'voip/line/0/id': '1502', 'voip/auto_answer/enabled': '1'}
    assert unknown == {}


def test_nothing_to_write_when_everything_matches_after_normalising():
    assert core.plan({'voip/line/0/id': '1501 ', 'voip/media/out_of_band_dtmf': 'Rfc2833',
                      'voip/auto_answer/enabled': 'no'}, HAVE) == ({}, {})


def test_a_secret_shown_in_clear_compares_like_any_key():
    assert core.plan({'voip/line/1/auth_password': 'clear-secret'}, HAVE) == ({}, {})
    assert core.plan({'voip/line/1/auth_password': 'new-secret'}, HAVE) == ({'voip/line/1/auth_password': 'new-secret'}, {})


def test_a_secret_shown_encrypted_or_not_at_all_is_unknown_and_waits_for_another_write():
    writes, unknown = core.plan({'voip/line/0/auth_password': 's3cret', 'system/web_user_password': '$1$ab$' + 'c' * 22}, HAVE)
    assert writes == {}
    assert unknown == {'voip/line/0/auth_password': 's3cret', 'system/web_user_password': '$1$ab$' + 'c' * 22}


def test_the_encrypted_form_given_back_means_keep():
    assert core.plan({'voip/line/0/auth_password': '{"b2xkc2VjcmV0"}'}, HAVE) == ({}, {})


def test_update_secrets_always_writes_every_secret():
    writes, unknown = core.plan({'voip/line/0/auth_password': 's3cret', 'voip/line/1/auth_password': 'clear-secret'},
                                HAVE, 'always')
    assert writes == {'voip/line/0/auth_password': 's3cret', 'voip/line/1/auth_password': 'clear-secret'}
    assert unknown == {}


def test_not_kept_names_dropped_and_changed_keys_and_skips_secrets_it_cannot_see():
    writes = {'voip/line/0/id': '1502', 'voip/signalling/sip/redundant_proxy/mode': 'SIMULTANEOUS',
              'voip/media/out_of_band_dtmf': 'via_sip', 'voip/line/0/auth_password': 's3cret',
              'voip/auto_answer/enabled': '1'}
    now = dict(HAVE, **{'voip/line/0/id': '1502', 'voip/media/out_of_band_dtmf': 'INBAND',
                        'voip/auto_answer/enabled': '1'})
    assert core.not_kept(writes, now) == {
        'voip/signalling/sip/redundant_proxy/mode': ('dropped', None),
        'voip/media/out_of_band_dtmf': ('changed', 'INBAND'),
    }


def test_a_normalised_read_back_counts_as_kept():
    assert core.not_kept({'voip/media/out_of_band_dtmf': 'rfc2833', 'voip/x/enabled': 'true'},
                         {'voip/media/out_of_band_dtmf': 'RFC2833', 'voip/x/enabled': '1'}) == {}


def test_merge_into_a_real_dump_changes_the_values_in_place_and_appends_new_keys():
    if not os.path.exists(DUMP):
        pytest.skip('reference sample %s not found' % DUMP)
    with open(DUMP, 'rb') as handle:
        data = handle.read()
    config = ConfigFile.from_bytes(data)
    writes, unknown = core.plan({'voip/line/0/id': '1502', 'voip/line/0/auth_password': '2833',
                                 'voip/media/out_of_band_dtmf': 'via_sip'}, config.values())
    assert writes == {'voip/line/0/id': '1502', 'voip/media/out_of_band_dtmf': 'VIA_SIP'}
    config.update(writes)
    config.set('voip/signalling/sip/redundant_proxy/mode', 'SIMULTANEOUS')
    text = config.to_bytes().decode('utf-8')
    lines = text.splitlines()
    assert len(lines) == len(data.decode('utf-8').splitlines()) + 1
    assert 'voip/line/0/id=1502' in lines and 'voip/line/0/id=168' not in lines
    assert 'voip/media/out_of_band_dtmf=VIA_SIP' in lines
    assert lines[-1] == 'voip/signalling/sip/redundant_proxy/mode=SIMULTANEOUS'
    assert 'voip/line/0/auth_password=2833' in lines


def test_secrets_are_masked_in_changes_and_diff():
    masker = SecretMasker(['s3cret-pw'])
    writes = {'voip/line/0/auth_password': 's3cret-pw', 'voip/line/0/description': 'uses s3cret-pw', 'voip/line/0/id': '1502'}
    changes = changes_of(writes, HAVE, secret_keys=['voip/line/0/auth_password'], masker=masker)
    assert changes['voip/line/0/auth_password'] == {'before': MASK, 'after': MASK}
    assert changes['voip/line/0/description'] == {'before': None, 'after': 'uses %s' % MASK}
    assert changes['voip/line/0/id'] == {'before': '1501', 'after': '1502'}
    diff = diff_of(changes, 'phone 127.0.1.12')
    assert 's3cret' not in repr(diff) and 'voip/line/0/auth_password=%s' % MASK in diff['after']


def test_secret_values_are_the_password_and_the_secret_keys_of_settings():
    settings = {'voip/line/0/auth_password': 1234, 'voip/line/0/id': '1502', 'system/password': '$1$ab$' + 'c' * 22, 'x': None}
    params = {'password': 'adminpw', 'settings': settings}
    assert sorted(core.secret_values(params)) == sorted(['adminpw', '1234', '$1$ab$' + 'c' * 22])


def test_bad_settings_are_refused_before_any_request_naming_every_key():
    class NoPhone(object):
        def __getattr__(self, name):
            raise AssertionError('the phone was asked (%s) although settings were wrong' % name)

    params = {'host': '127.0.1.12', 'password': 'pw',
              'settings': {'Voip/Line/0/ID': '1', 'voip/line/0/description': 'a\nb', 'voip/line/0/auth_password': '********'}}
    with pytest.raises(InputError) as caught:
        core.run_phone(params, client=NoPhone())
    message = str(caught.value)
    assert message.startswith('phone 127.0.1.12: settings refused before any change')
    for key in ("'Voip/Line/0/ID'", 'voip/line/0/description', 'voip/line/0/auth_password'):
        assert key in message


def test_the_login_password_is_sent_along_only_when_the_phone_hides_it():
    hiding = {'system/user_name': 'admin', 'voip/line/0/id': '1501'}
    assert core._hides_own_password({'username': 'admin'}, hiding, {})
    assert not core._hides_own_password({'username': 'admin'}, dict(hiding, **{'system/password': '{"x"}'}), {})
    assert not core._hides_own_password({'username': 'admin'}, hiding, {'system/password': '$1$ab$' + 'c' * 22})
    assert not core._hides_own_password({'username': 'user'}, hiding, {})
    assert core._hides_own_password({}, {'voip/line/0/id': '1501'}, {})


@pytest.mark.parametrize('newline', [b'\n', b'\r\n', b'\r'])
def test_a_backup_leaves_clear_secrets_out_whatever_the_line_ends(newline):
    """Issue 22 item 8: a CR-only file was one "line" to the backup, so its clear secrets stayed."""
    data = newline.join([b'voip/line/0/id=1501', b'voip/line/0/auth_password=clear-Secret-1',
                         b'voip/line/0/description=caf\xe9 ' + b'known-Secret-2', b'system/password=$1$ab$'
                         + b'x' * 22, b''])
    saved = core.backup_bytes(data, SecretMasker(['known-Secret-2']))
    assert b'clear-Secret-1' not in saved and b'known-Secret-2' not in saved
    assert saved.count(newline) == data.count(newline), saved   # the file's own line ends, kept
    assert b'; voip/line/0/auth_password=' + core.CLEAR_SECRET_LEFT_OUT.encode() + newline in saved
    assert b'caf\xe9 ' + MASK.encode() + newline in saved and (b'$1$ab$' + b'x' * 22) in saved


def test_a_value_the_phones_latin1_file_cannot_carry_is_refused_before_any_write():
    config = ConfigFile.from_bytes(b'voip/line/0/description=caf\xe9\n')
    with pytest.raises(InputError) as caught:
        core.refuse_uncarried(config, {'voip/line/0/description': u'5 \u20ac'}, 'phone 127.0.1.12')
    message = str(caught.value)
    assert message.startswith("phone 127.0.1.12: the phone's configuration file is not UTF-8 (it reads as latin-1)")
    assert 'voip/line/0/description' in message and 'nothing was written' in message and 'latin-1 characters' in message
    core.refuse_uncarried(config, {'voip/line/0/description': u'Zo\xeb'}, 'phone 127.0.1.12')   # fits: no error
