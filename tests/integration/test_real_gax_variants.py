"""Issue 15, GAX points 10-14: the behaviours a real GAX may show where the public evidence is
silent, each a lab variant (docs/lab.md "Real-device variants"), and the Genesys modules against
each. Verdicts come from the lab GAX's admin API (stored objects, history, counters).

The lab listens on 127.0.0.72 high ports, shifted per xdist worker.
"""

import os

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core

HOST = '127.0.0.72'
WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
PORT = 18700 + 10 * WORKER
URL = 'http://%s:%d' % (HOST, PORT)
AGENT_SECRET = 'agent-Secret-77'


@pytest.fixture(name='lab', scope='module')
def lab_fixture(lab_factory):
    return lab_factory('real-gax-variants', {'phone': None, 'gax': {
        'admin': '%s:%d' % (HOST, PORT + 1),
        'instances': [{'name': 'gax', 'listen': '%s:%d' % (HOST, PORT), 'scheme': 'http'}]}})


@pytest.fixture(autouse=True)
def seed_state(lab):
    lab.post('gax', '/reset')


def variants(lab, **values):
    lab.put('gax', '/variants?instance=gax', values)


def counters(lab):
    return lab.get('gax', '/counters?instance=gax')


def stored(lab, cfg_type, **filters):
    query = ''.join('&%s=%s' % item for item in sorted(filters.items()))
    return lab.get('gax', '/objects?instance=gax&type=%s&switchdbid=101%s' % (cfg_type, query))


def params(**extra):
    base = dict(gax_url=URL, username='operator', password='operator-lab', switch='SIP_Switch_A')
    base.update(extra)
    return base


# --- 10. the Agent Login password cannot be read back -------------------------------------------

@pytest.mark.parametrize('behaviour', ['store', 'drop'])
def test_the_result_says_the_password_was_sent_and_cannot_be_verified(lab, behaviour):
    variants(lab, agent_login_password=behaviour)
    result = core.run_agent_login(params(login_code='7001', login_password=AGENT_SECRET))
    assert result['changed'] and result['agent_logins'][0]['action'] == 'created'
    # What the user sees, whatever GAX did with it: the password was sent, it cannot be verified.
    assert result['password_unverified'] == ['7001']
    assert any('cannot be verified' in warning and '7001' in warning for warning in result['warnings'])
    assert AGENT_SECRET not in str(result)
    login, = stored(lab, 'CfgAgentLogin', logincode='7001')
    assert (login.get('password') or None) == (AGENT_SECRET if behaviour == 'store' else None)   # the lab's truth
    again = core.run_agent_login(params(login_code='7001', login_password=AGENT_SECRET))
    assert not again['changed'] and 'password_unverified' not in again


# --- 11. large switches ------------------------------------------------------------------------------

def test_a_listing_that_looks_cut_stops_the_run_before_any_create(lab):
    variants(lab, list_cap=1, list_filters='name')    # the seed has 2 DNs on SIP_Switch_A: one is left out
    before = len(lab.get('gax', '/objects?instance=gax&type=CfgDN'))
    with pytest.raises(OperatorError) as caught:
        core.run_dn(params(number='1502', options={'TServer': {'contact': '*'}}))
    assert 'looks cut' in caught.value.cause and '1502' in caught.value.cause and 'nothing was written' in caught.value.cause
    assert counters(lab)['writes']['requests'] == 0
    assert len(lab.get('gax', '/objects?instance=gax&type=CfgDN')) == before


def test_listings_ask_the_server_to_filter_by_switch_and_refilter(lab):
    variants(lab, list_filters='any')
    result = core.run_dn(params(number='1502', options={'TServer': {'contact': '*'}}))
    assert result['dns'][0]['action'] == 'created'
    assert len(stored(lab, 'CfgDN', number='1502')) == 1
    again = core.run_dn(params(number='1502', options={'TServer': {'contact': '*'}}))
    assert not again['changed'] and counters(lab)['writes']['requests'] == 1


# --- 12. creates carry folderid -----------------------------------------------------------------

@pytest.mark.parametrize('create_folder', ['optional', 'required'])
def test_creates_carry_the_switch_default_folder(lab, create_folder):
    variants(lab, create_folder=create_folder)
    core.run_dn(params(number='1502', options={'TServer': {'contact': '*'}}))
    core.run_agent_login(params(login_code='7001'))
    assert stored(lab, 'CfgDN', number='1502')[0]['folderid'] == '103'      # the seed's default DN folder
    assert stored(lab, 'CfgAgentLogin', logincode='7001')[0]['folderid'] == '104'
    assert len(lab.get('gax', '/history?instance=gax&action=create')) == 2


# --- 13. headers: CSRF ---------------------------------------------------------------------------

def test_a_csrf_403_is_answered_once_with_the_token_echoed(lab):
    variants(lab, csrf='required')
    result = core.run_dn(params(number='1502', options={'TServer': {'contact': '*'}}))
    assert result['dns'][0]['action'] == 'created'
    assert len(stored(lab, 'CfgDN', number='1502')) == 1
    assert counters(lab)['status'].get('403') == 1       # one refusal, then every write carried the token


def test_a_csrf_refusal_without_a_token_fails_clearly(lab, monkeypatch):
    variants(lab, csrf='required')
    from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import objects
    monkeypatch.setattr(objects, 'CSRF_HEADER', 'X-Other-Token')     # a GAX whose header the table does not name
    with pytest.raises(OperatorError) as caught:
        core.run_dn(params(number='1502', options={'TServer': {'contact': '*'}}))
    assert 'CSRF' in caught.value.cause and 'objects.py' in caught.value.fix
    assert stored(lab, 'CfgDN', number='1502') == []
