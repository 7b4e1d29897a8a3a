"""Unit tests for what both clients share: retries, masking, delta and diff."""

import random

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils import common


def transient(n):
    return common.RemoteError('phone 127.0.1.1', 'connection reset (attempt %d)' % n, transient=True)


def test_retry_stops_after_the_given_attempts_and_raises_the_last_error():
    calls, slept = [], []

    def always_fails():
        calls.append(1)
        raise transient(len(calls))

    with pytest.raises(common.RemoteError) as caught:
        common.call_with_retries(always_fails, attempts=3, sleep=slept.append)
    assert len(calls) == 3
    assert len(slept) == 2
    assert 'attempt 3' in str(caught.value)


def test_retry_returns_once_the_fault_clears():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise transient(len(calls))
        return 'ok'

    assert common.call_with_retries(flaky, attempts=4, sleep=lambda s: None) == 'ok'
    assert len(calls) == 3


def test_a_permanent_error_is_not_retried():
    calls = []

    def wrong_password():
        calls.append(1)
        raise common.RemoteError('GAX http://127.0.0.3:8080', 'login refused', 'check GAX_PASSWORD')

    with pytest.raises(common.RemoteError):
        common.call_with_retries(wrong_password, attempts=5, sleep=lambda s: None)
    assert calls == [1]


def test_backoff_is_capped_and_jittered():
    delays = list(common.backoff_delays(8, base=0.5, cap=2.0, rng=random.Random(1)))
    assert len(delays) == 7
    assert all(0 <= delay <= 2.0 for delay in delays)
    assert len(set(delays)) > 1


def test_error_message_names_subject_cause_and_fix():
    exc = common.InputError('phone 127.0.1.12 (ext 1502)', 'key voip/foo is unknown to the firmware',
                            'remove it from settings')
    assert exc.message == 'phone 127.0.1.12 (ext 1502): key voip/foo is unknown to the firmware; remove it from settings'
    remote = common.RemoteError('GAX', 'HTTP 500', status=500, endpoint='/gax/api/cfg/objects')
    assert remote.as_result() == {'msg': 'GAX: HTTP 500', 'status': 500, 'endpoint': '/gax/api/cfg/objects'}


def test_masker_replaces_secrets_everywhere_longest_first():
    masker = common.SecretMasker(['s3cret', 's3cret-long', 'x', None])
    data = {'password': 's3cret-long', 'note': ['uses s3cret here'], 's3cret': 1, 'n': 5}
    masked = masker.mask(data)
    assert masked == {'password': common.MASK, 'note': ['uses %s here' % common.MASK], common.MASK: 1, 'n': 5}
    # one-character values are not treated as secrets: they would mask innocent text
    assert masker.text('x marks') == 'x marks'


def test_delta_compares_only_supplied_keys():
    have = {'a': '1', 'b': '2', 'c': '3'}
    assert common.delta({'a': '1', 'b': '9', 'd': '4'}, have) == {'b': '9', 'd': '4'}
    loose = common.delta({'a': ' 1 '}, have, equal=lambda k, w, c: w.strip() == c.strip())
    assert loose == {}


def test_changes_and_diff_mask_secret_keys():
    have = {'voip/line/0/auth_password': 'old', 'voip/line/0/id': '1501'}
    changed = {'voip/line/0/auth_password': 'new', 'voip/line/0/id': '1502'}
    changes = common.changes_of(changed, have, secret_keys={'voip/line/0/auth_password'})
    assert changes['voip/line/0/auth_password'] == {'before': common.MASK, 'after': common.MASK}
    assert changes['voip/line/0/id'] == {'before': '1501', 'after': '1502'}
    diff = common.diff_of(changes, 'phone 127.0.1.1')
    assert 'voip/line/0/id=1501\n' in diff['before']
    assert 'voip/line/0/id=1502\n' in diff['after']
    assert 'new' not in diff['after'] and 'old' not in diff['before']
