"""The identity check of the phone paths (pure logic; the lab tests are tests/integration/test_identity.py)."""

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import identity
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import InputError

PHONE = {'model': '420HD', 'firmware': '2.2.16.501', 'mac': '00:90:8f:12:34:56'}


@pytest.mark.parametrize('spelling', ['00:90:8F:12:34:56', '00-90-8f-12-34-56', '0090.8f12.3456', '00908F123456',
                                      ' 00:90:8f:12:34:56 '])
def test_every_common_spelling_of_a_mac_is_the_same_mac(spelling):
    assert identity.normal_mac(spelling) == '00:90:8f:12:34:56'
    identity.check({'expected_mac': spelling}, PHONE, 'phone 127.0.1.1')


@pytest.mark.parametrize('text', ['00:90:8f:12:34', '00:90:8f:12:34:5g', '', None, '00:90:8f:12:34:56:78'])
def test_what_is_not_a_mac_normalises_to_none(text):
    assert identity.normal_mac(text) is None


def test_a_mismatch_names_both_macs_and_says_nothing_was_written():
    with pytest.raises(identity.IdentityError) as caught:
        identity.check({'expected_mac': '00:90:8f:00:00:01'}, PHONE, 'phone 127.0.1.1')
    message = caught.value.message
    assert '00:90:8f:12:34:56' in message and '00:90:8f:00:00:01' in message
    assert 'phone 127.0.1.1' in message and 'nothing was written' in message


def test_a_model_mismatch_names_both_models_and_a_g_model_is_the_same_model():
    with pytest.raises(identity.IdentityError) as caught:
        identity.check({'expected_model': '440HD'}, PHONE, 'phone 127.0.1.1')
    assert '420HD' in caught.value.message and '440HD' in caught.value.message
    identity.check({'expected_model': '440HD'}, dict(PHONE, model='440HDG'), 'phone 127.0.1.1')


def test_a_phone_that_reports_no_mac_is_refused_when_a_file_is_named_after_it():
    unknown = dict(PHONE, mac=None)
    identity.check({}, unknown, 'phone 127.0.1.1')          # nothing expected, nothing named after it
    for params, need in (({'expected_mac': '00:90:8f:12:34:56'}, False), ({}, True)):
        with pytest.raises(identity.IdentityError) as caught:
            identity.check(params, unknown, 'phone 127.0.1.1', need_mac=need)
        assert 'does not report its MAC' in caught.value.message


def test_malformed_expectations_are_input_errors():
    for params in ({'expected_mac': '00:90'}, {'expected_model': '310HD'}):
        with pytest.raises(InputError):
            identity.check_input(params, 'phone 127.0.1.1')
    identity.check_input({'expected_mac': '00908f123456', 'expected_model': '430HD'}, 'phone 127.0.1.1')
