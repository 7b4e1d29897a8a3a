"""Key shapes, secret keys, models and the comparison of values by kind."""

import hashlib

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import keys
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError


@pytest.mark.parametrize('key', [
    'voip/line/0/id', 'voip/line/5/call_forward/type', 'network/lan/_802_1x/md5_password',
    'voip/signalling/sip/redundant_proxy/address', 'system/type',
])
def test_configuration_keys_have_the_key_shape(key):
    assert keys.static_problems({key: 'x'}) == []


@pytest.mark.parametrize('key', [
    'Voip/line/0/id', 'voip//id', 'voip/line/0/', '/voip/line', 'voip line', 'voip/line/0/id=1', 'system',
    'voip/Line/0', 'voip/line-0/id', 'voip/line/[0-5]/id',
])
def test_anything_else_is_refused_naming_the_key(key):
    problems = keys.static_problems({key: 'x'})
    assert len(problems) == 1
    assert repr(key) in problems[0] and 'not a configuration key' in problems[0]


@pytest.mark.parametrize('value,why', [
    (None, 'has no value'),
    ([1, 2], 'single value'),
    ({'a': 1}, 'single value'),
    ('1502\nvoip/line/1/id=666', 'U+000A'),
    ('a\rb', 'U+000D'),
    # anything a reader may split lines on (str.splitlines does on each): issue 22 item 1
    ('Alice\u2028system/password=$1$x$y', 'U+2028 (LINE SEPARATOR)'),
    ('a\u2029b', 'U+2029 (PARAGRAPH SEPARATOR)'),
    ('a\x0bb', 'U+000B'), ('a\x0cb', 'U+000C'), ('a\x85b', 'U+0085'), ('a\x1cb', 'U+001C'),
    ('a\x1db', 'U+001D'), ('a\x1eb', 'U+001E'), ('a\x00b', 'U+0000'), ('a\tb', 'U+0009'),
    ('********', 'masked secret'),
])
def test_values_that_cannot_go_into_a_file_are_refused(value, why):
    problems = keys.static_problems({'voip/line/0/id': value})
    assert len(problems) == 1
    assert problems[0].startswith('voip/line/0/id ') and why in problems[0]


def test_a_key_pattern_is_matched_in_full():
    problems = keys.static_problems({'voip/line/0/id\n': '1'})
    assert len(problems) == 1 and 'not a configuration key' in problems[0]


def test_scalars_are_accepted():
    assert keys.static_problems({'voip/a/b': 1, 'voip/a/c': True, 'voip/a/d': 1.5, 'voip/a/e': ''}) == []


def test_a_known_maximum_length_is_enforced():
    ok = {'voip/signalling/sip/redundant_proxy/address': 'a' * 32}
    long = {'voip/signalling/sip/redundant_proxy/address': 'a' * 33}
    assert keys.static_problems(ok) == []
    assert 'at most 32' in keys.static_problems(long)[0]
    assert 'at most 128' in keys.static_problems({'voip/line/3/description': 'd' * 129})[0]


def test_the_admin_password_takes_a_hash_not_a_clear_password():
    assert keys.static_problems({'system/password': '$1$FZ6rOGS1$54ZXSmjh7nod.kXFRyLx70'}) == []
    assert keys.static_problems({'system/password': '{"c2VjcmV0"}'}) == []
    assert 'MD5-crypt' in keys.static_problems({'system/password': '1234'})[0]
    assert 'MD5-crypt' in keys.static_problems({'system/web_user_password': 'secret'})[0]


@pytest.mark.parametrize('key', [
    'voip/line/0/auth_password', 'voip/line/5/auth_password', 'system/password', 'system/web_user_password',
    'management/tr069/password', 'network/lan/_802_1x/private_key_password', 'lync/sign_in/pin_code',
    'ems_server/user_password', 'some/new/api_secret', 'voip/x/shared_token',
])
def test_secret_keys(key):
    assert keys.is_secret(key)


@pytest.mark.parametrize('key', [
    'voip/line/0/auth_name', 'voip/line/0/id', 'security/sip_private_key_uri', 'lync/sign_in/pin_code_only',
    'lync/sign_in/csr/wrong_password/0/reason', 'voip/services/vm_skip_pin_code/enabled', 'system/lock/0/activated',
])
def test_not_secret_keys(key):
    assert not keys.is_secret(key)


def test_encrypted_values_are_recognised():
    assert keys.is_encrypted('{"dGVzdA=="}')
    assert keys.is_encrypted(' {"x"} ')
    assert not keys.is_encrypted('{$SERVER_IP}')
    assert not keys.is_encrypted('secret')


@pytest.mark.parametrize('text,model', [
    ('420HD', '420HD'), ('405', '405'), ('405HD', '405HD'), ('AudioCodes 440HDG-Rev0', '440HD'),
    ('430hd', '430HD'), ('450HD', None), ('C450HD', None), ('', None), (None, None),
])
def test_models(text, model):
    assert keys.model_of(text) == model


def test_line_indices_beyond_the_model_are_refused_by_model():
    have = {'voip/line/0/id': '1', 'voip/line/1/id': '2', 'voip/line/5/id': '6'}
    assert keys.dump_problems({'voip/line/1/id': 'x'}, have, '420HD') == []
    problem = keys.dump_problems({'voip/line/2/id': 'x'}, have, '420HD')[0]
    assert 'voip/line/2/id' in problem and 'beyond the 2 lines of a 420HD' in problem
    assert keys.dump_problems({'voip/line/5/id': 'x'}, have, '440HD') == []
    assert 'beyond the 6 lines' in keys.dump_problems({'voip/line/6/id': 'x'}, have, '440HD')[0]


def test_a_key_absent_from_the_dump_is_refused_but_a_hidden_secret_is_not():
    have = {'voip/line/0/id': '1'}
    problem = keys.dump_problems({'voip/signalling/sip/redundant_proxy/mode': 'SIMULTANEOUS'}, have, '420HD')
    assert problem == ["voip/signalling/sip/redundant_proxy/mode is not in the phone's configuration, "
                       "so the firmware does not know it"]
    assert keys.dump_problems({'voip/line/0/auth_password': 's3cret'}, have, '420HD') == []


@pytest.mark.parametrize('key,wanted,current', [
    ('voip/auto_answer/enabled', True, '1'),
    ('voip/auto_answer/enabled', 'true', '1'),
    ('voip/auto_answer/enabled', 'no', '0'),
    ('voip/auto_answer/enabled', False, '0'),
    ('voip/unknown/enabled', True, '1'),
    ('voip/unknown/enabled', 'yes', '1'),
    ('voip/signalling/sip/proxy_port', 5060, '5060'),
    ('voip/signalling/sip/proxy_port', '05060', '5060'),
    ('voip/unknown/port', 5060, '5060'),
    ('voip/media/out_of_band_dtmf', 'rfc2833', 'RFC2833'),
    ('voip/line/0/line_mode', 'Shared', 'SHARED'),
    ('voip/signalling/sip/tls_method', 'TLS_1_2', 'tls_1_2'),
    ('voip/unknown/mode', 'via_sip', 'VIA_SIP'),
    ('voip/line/0/description', ' Agent 1502 ', 'Agent 1502'),
])
def test_values_the_phone_normalises_compare_equal(key, wanted, current):
    assert keys.same(key, wanted, current)


@pytest.mark.parametrize('key,wanted,current', [
    ('voip/auto_answer/enabled', True, '0'),
    ('voip/signalling/sip/proxy_port', 5061, '5060'),
    ('voip/media/out_of_band_dtmf', 'via_sip', 'RFC2833'),
    ('voip/line/0/description', 'agent 1502', 'Agent 1502'),
    ('voip/line/0/id', '310hd', '310HD'),
    ('voip/line/0/id', '1502', None),
    ('voip/services/msg_waiting_ind/voice_mail_number', '0123', '123'),
])
def test_real_differences_stay_differences(key, wanted, current):
    assert not keys.same(key, wanted, current)


@pytest.mark.parametrize('key,wanted,current,written', [
    ('voip/auto_answer/enabled', True, '0', '1'),
    ('voip/auto_answer/enabled', 'off', '1', '0'),
    ('voip/signalling/sip/proxy_port', ' 5061', '5060', '5061'),
    ('voip/media/out_of_band_dtmf', 'via_sip', 'RFC2833', 'VIA_SIP'),
    ('voip/media/out_of_band_dtmf', 'rfc2833', 'RFC2833', 'RFC2833'),
    ('voip/line/0/line_mode', 'shared', 'Private', 'Shared'),
    ('voip/line/0/line_mode', 'shared', None, 'SHARED'),
    ('voip/signalling/sip/tls_method', 'TLS_1_2', 'ssl_2_3', 'tls_1_2'),
    ('voip/media/srtp/mode', 'supportencryption', None, 'SupportEncryption'),
    ('voip/unknown/mode', 'simultaneous', 'PRIMARY', 'SIMULTANEOUS'),
    ('voip/line/0/description', ' Agent 1502 ', 'x', 'Agent 1502'),
    # A download that shows the code gets the code (the 310HD dump writes msg_waiting_ind/enabled=1).
    ('voip/services/msg_waiting_ind/enabled', 'enable', '1', '1'),
    ('voip/services/msg_waiting_ind/enabled', 'DISABLE', '1', '0'),
    ('voip/services/msg_waiting_ind/enabled', 'disable', 'ENABLE', 'DISABLE'),
])
def test_values_are_written_in_the_phones_spelling(key, wanted, current, written):
    assert keys.file_value(key, wanted, current) == written


def test_normalised_values_are_stable():
    for key, wanted, current in [('voip/media/out_of_band_dtmf', 'via_sip', 'RFC2833'),
                                 ('voip/auto_answer/enabled', 'yes', '0'),
                                 ('voip/line/0/line_mode', 'shared', 'PRIVATE')]:
        once = keys.file_value(key, wanted, current)
        assert keys.file_value(key, once, once) == once
        assert keys.same(key, wanted, once)


def test_hidden_secrets_are_those_of_enabled_lines_and_the_admin_account():
    have = {'voip/line/0/enabled': '1', 'voip/line/1/enabled': '0', 'voip/line/2/enabled': '1',
            'voip/line/2/auth_password': '{"x"}'}
    assert keys.hidden_secrets(have, {}) == ['system/password', 'voip/line/0/auth_password']
    assert keys.hidden_secrets(have, {'voip/line/0/auth_password': 's', 'system/password': 'h'}) == []
    assert keys.enabled_lines(have) == [0, 2]


@pytest.mark.parametrize('password,salt,hashed', [
    ('1234', 'FZ6rOGS1', '$1$FZ6rOGS1$54ZXSmjh7nod.kXFRyLx70'),     # the database's default admin hash
    ('s3cretAdmin', 'abcdefgh', '$1$abcdefgh$Cv5vy2GNiBwb6lija/c7N0'),   # from openssl passwd -1
    ('', 'x', '$1$x$fwjfZtMwarkdetsjiQreU1'),
    (u'p\xe4ssw\xf6rd', '12345678', '$1$12345678$mQ1/t.WwP76MO4VquZEL.0'),
])
def test_md5_crypt_matches_openssl(password, salt, hashed):
    assert keys.md5_crypt(password, salt) == hashed


def test_md5_crypt_draws_a_fresh_salt_and_takes_the_phones_hash_shape():
    first, second = keys.md5_crypt('pw'), keys.md5_crypt('pw')
    assert first != second
    assert keys.MD5_CRYPT_PATTERN.match(first) and keys.static_problems({'system/password': first}) == []


class _FipsHashlib:
    """hashlib as a FIPS controller has it: MD5 only with usedforsecurity=False (or not at all)."""

    def __init__(self, allow_non_security):
        self.allow = allow_non_security
        self.calls = []

    def md5(self, data=b'', **kwargs):
        self.calls.append(kwargs)
        if self.allow and kwargs.get('usedforsecurity') is False:
            return hashlib.md5(data)
        raise ValueError('[digital envelope routines] unsupported')


def test_md5_crypt_asks_for_md5_not_used_for_security_so_a_fips_controller_allows_it(monkeypatch):
    fips = _FipsHashlib(allow_non_security=True)
    monkeypatch.setattr(keys, 'hashlib', fips)
    assert keys.md5_crypt('1234', 'FZ6rOGS1') == '$1$FZ6rOGS1$54ZXSmjh7nod.kXFRyLx70'
    assert fips.calls and all(call == {'usedforsecurity': False} for call in fips.calls)


def test_md5_crypt_on_a_controller_that_refuses_md5_says_what_to_do(monkeypatch):
    monkeypatch.setattr(keys, 'hashlib', _FipsHashlib(allow_non_security=False))
    with pytest.raises(OperatorError) as caught:
        keys.md5_crypt('password', 'saltsalt')
    message = str(caught.value)
    assert message.startswith('this controller: its Python refuses MD5') and 'FIPS' in message
    assert 'openssl passwd -1' in message and 'password' not in message.split('refuses MD5', maxsplit=1)[0]
