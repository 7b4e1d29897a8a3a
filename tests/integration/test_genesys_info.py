"""genesys_dn_info and genesys_agent_login_info against the lab GAX.

Their output must be valid input to the matching module: fed back, it changes nothing. The lab
listens on 127.0.0.43 high ports, shifted per xdist worker.
"""

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import MASK, InputError, OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core

HOST = '127.0.0.43'
WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
PORT = 18200 + 10 * WORKER
URL = 'http://%s:%d' % (HOST, PORT)
GAX_PASSWORD = 'operator-lab'
SIP_SECRET = 'sip-Secret-4243'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


@pytest.fixture(name='lab', scope='module')
def lab_fixture(lab_factory):
    return lab_factory('genesys-info', {'phone': None, 'gax': {
        'admin': '%s:%d' % (HOST, PORT + 1),
        'instances': [{'name': 'gax', 'listen': '%s:%d' % (HOST, PORT), 'scheme': 'http'}]}})


@pytest.fixture(autouse=True)
def seed_state(lab):
    lab.post('gax', '/reset')


def counters(lab):
    return lab.get('gax', '/counters?instance=gax')


def params(**extra):
    base = dict(gax_url=URL, username='operator', password=GAX_PASSWORD, switch='SIP_Switch_A')
    base.update(extra)
    return base


def test_dn_info_reads_the_switch_s_phone_dns_in_three_requests(lab):
    core.run_dn(params(number='1502', options={'TServer': {'contact': '*', 'password': SIP_SECRET}}))
    lab.post('gax', '/counters/reset')
    result = core.run_dn_info(params())
    assert result['dns'] == [
        {'number': '1500', 'state': 'present', 'type': 'extension', 'name': 'Reception_A', 'enabled': True,
         'options': {'TServer': {'contact': '*', 'gvm_mailbox': '1500'}, 'Reporting': {'cost-center': 'FRONT-01'}}},
        {'number': '1502', 'state': 'present', 'type': 'extension', 'name': '', 'enabled': True,
         'options': {'TServer': {'contact': '*', 'password': MASK}}},
    ]  # the routing point 5000 is not a phone DN
    assert counters(lab)['total'] == 3
    assert SIP_SECRET not in json.dumps(result)


def test_numbers_asked_for_come_in_order_and_a_missing_one_reads_absent(lab):
    result = core.run_dn_info(params(numbers=['1599', '1500']))
    assert [(dn['number'], dn['state']) for dn in result['dns']] == [('1599', 'absent'), ('1500', 'present')]


def test_asking_for_a_dn_of_another_type_is_refused(lab):
    with pytest.raises(InputError) as caught:
        core.run_dn_info(params(numbers=['5000']))
    assert caught.value.message.startswith('DN 5000 on switch SIP_Switch_A: it is a CFGRoutingPoint DN')


def test_dn_info_fed_back_to_genesys_dn_changes_nothing(lab):
    core.run_dn(params(dns=[{'number': '1502', 'options': {'TServer': {'contact': '*', 'password': SIP_SECRET,
                                                                       'sip-cti-control': 'hold, talk'}}},
                            {'number': '1503', 'type': 'acd_position', 'enabled': False}]))
    read = core.run_dn_info(params(numbers=['1500', '1502', '1503', '1599']))
    lab.post('gax', '/counters/reset')
    result = core.run_dn(params(dns=read['dns'], purge_options=True))
    assert not result['changed']
    assert counters(lab)['total'] == 3
    stored = lab.get('gax', '/objects?instance=gax&type=CfgDN&number=1502')[0]
    assert {'section': 'TServer', 'key': 'password', 'value': SIP_SECRET} in stored['userproperties']['property']


def test_a_query_selects_from_the_result(lab):
    core.run_dn(params(dns=[{'number': '1502', 'options': {'TServer': {'sip-cti-control': 'talk,hold'}}},
                            {'number': '1503', 'options': {'TServer': {'sip-cti-control': 'hold'}}}]))
    result = core.run_dn_info(params(query="dns[?contains(options.TServer.\"sip-cti-control\" || '', 'talk')].number"))
    assert result['query_result'] == ['1502']


def test_a_bad_query_fails_before_any_request(lab):
    with pytest.raises(InputError) as caught:
        core.run_dn_info(params(query='dns[?'))
    assert 'not a valid JMESPath expression' in caught.value.message
    assert counters(lab)['total'] == 0


def test_agent_login_info_shows_no_password_and_round_trips(lab):
    result = core.run_agent_login_info(params())
    assert result['agent_logins'] == [{'login_code': '7000', 'state': 'present', 'enabled': True,
                                       'options': {'TServer': {'wrap-up-time': '0'}}}]
    assert 'seed-7000' not in json.dumps(result)
    lab.post('gax', '/counters/reset')
    assert not core.run_agent_login(params(agent_logins=result['agent_logins']))['changed']
    assert counters(lab)['total'] == 3
    absent = core.run_agent_login_info(params(login_codes=['7099']))
    assert absent['agent_logins'] == [{'login_code': '7099', 'state': 'absent'}]


def test_an_unknown_switch_fails_naming_the_known_ones(lab):
    with pytest.raises(OperatorError) as caught:
        core.run_agent_login_info(params(switch='SIP_Switch'))
    assert 'known: SIP_Switch_A, SIP_Switch_B' in caught.value.message


def test_the_info_module_prints_no_secret_at_the_highest_verbosity(lab):
    core.run_dn(params(number='1502', options={'TServer': {'password': SIP_SECRET}}))
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-m',
               'telephony.genesys_audiocodes.genesys_dn_info', '-a', json.dumps(params(numbers=['1502'])), '-vvvv']
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.collections'), ANSIBLE_CALLBACK_RESULT_FORMAT='json', ANSIBLE_NOCOLOR='1',
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=os.path.dirname(REPO), env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert '"password": "********"' in output
    assert SIP_SECRET not in output and GAX_PASSWORD not in output
