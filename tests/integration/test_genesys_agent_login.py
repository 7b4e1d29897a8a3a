"""genesys_agent_login against the lab GAX: real HTTP, the lab's own state and counters as the judge.

The lab listens on 127.0.0.42 high ports, shifted per xdist worker. The seed holds Agent Login
7000 on SIP_Switch_A with the password ``seed-7000``, which GAX never returns.
"""

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import MASK, InputError, OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core

HOST = '127.0.0.42'
WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
PORT = 18200 + 10 * WORKER
URL = 'http://%s:%d' % (HOST, PORT)
GAX_PASSWORD = 'operator-lab'
AGENT_SECRET = 'agent-Secret-77'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


@pytest.fixture(name='lab', scope='module')
def lab_fixture(lab_factory):
    return lab_factory('genesys-agent-login', {'phone': None, 'gax': {
        'admin': '%s:%d' % (HOST, PORT + 1),
        'instances': [{'name': 'gax', 'listen': '%s:%d' % (HOST, PORT), 'scheme': 'http'}]}})


@pytest.fixture(autouse=True)
def seed_state(lab):
    lab.post('gax', '/reset')


def counters(lab):
    return lab.get('gax', '/counters?instance=gax')


def stored_login(lab, code):
    found = lab.get('gax', '/objects?instance=gax&type=CfgAgentLogin&switchdbid=101&logincode=%s' % code)
    assert len(found) <= 1, found
    return found[0] if found else None


def annex(obj):
    sections = {}
    for prop in obj['userproperties']['property']:
        sections.setdefault(prop['section'], {})[prop['key']] = prop['value']
    return sections


def params(**extra):
    base = dict(gax_url=URL, username='operator', password=GAX_PASSWORD, switch='SIP_Switch_A')
    base.update(extra)
    return base


def run_login(check_mode=False, **extra):
    return core.run_agent_login(params(**extra), check_mode=check_mode)


def failure(**extra):
    with pytest.raises(OperatorError) as caught:
        core.run_agent_login(params(**extra))
    return caught.value


def test_an_agent_login_is_created_with_its_password_in_five_requests(lab):
    result = run_login(login_code='7001', login_password=AGENT_SECRET, options={'TServer': {'wrap-up-time': 0}})
    entry, = result['agent_logins']
    assert entry['action'] == 'created'
    assert entry['changes']['login_password'] == {'before': None, 'after': MASK}
    login = stored_login(lab, '7001')
    assert login['password'] == AGENT_SECRET and login['state'] == 'CFGEnabled'
    assert annex(login) == {'TServer': {'wrap-up-time': '0'}}
    assert counters(lab)['total'] <= 3 + 2 + 1   # + CfgFolder, read once by a run that creates (issue 15)
    assert AGENT_SECRET not in json.dumps(result)


def test_the_password_is_written_on_create_only_by_default(lab):
    run_login(login_code='7001', login_password=AGENT_SECRET)
    lab.post('gax', '/counters/reset')
    result = run_login(login_code='7001', login_password='another-Secret-1')
    assert not result['changed']
    assert counters(lab)['total'] == 3
    assert stored_login(lab, '7001')['password'] == AGENT_SECRET


def test_update_secrets_always_writes_it_on_every_run(lab):
    for secret in ('first-Secret-1', 'second-Secret-2', 'second-Secret-2'):
        result = run_login(login_code='7000', login_password=secret, update_secrets='always')
        assert result['agent_logins'][0]['action'] == 'updated'
        assert result['agent_logins'][0]['changes'] == {'login_password': {'before': MASK, 'after': MASK}}
        assert stored_login(lab, '7000')['password'] == secret
    assert len(lab.get('gax', '/history?instance=gax&action=update')) == 3


@pytest.mark.parametrize('put_omitted', ['keep', 'reset'])
def test_an_options_update_keeps_the_password_it_cannot_read(lab, put_omitted):
    lab.put('gax', '/variants?instance=gax', {'put_omitted': put_omitted})
    before = stored_login(lab, '7000')
    result = run_login(login_code='7000', options={'TServer': {'wrap-up-time': 5, 'gvm_mailbox': 7000}})
    assert result['agent_logins'][0]['changes'] == {
        'TServer/gvm_mailbox': {'before': None, 'after': '7000'}, 'TServer/wrap-up-time': {'before': '0', 'after': '5'}}
    after = stored_login(lab, '7000')
    assert after['password'] == 'seed-7000'
    assert dict(after, userproperties=None) == dict(before, userproperties=None)


def test_check_mode_writes_nothing(lab):
    result = run_login(check_mode=True, agent_logins=[{'login_code': '7001', 'login_password': AGENT_SECRET},
                                                      {'login_code': '7000', 'state': 'absent'}])
    assert [entry['action'] for entry in result['agent_logins']] == ['created', 'deleted']
    assert counters(lab)['writes']['requests'] == 0
    assert stored_login(lab, '7001') is None and stored_login(lab, '7000') is not None


def test_an_agent_login_is_deleted(lab):
    assert run_login(login_code='7000', state='absent')['agent_logins'][0]['action'] == 'deleted'
    assert stored_login(lab, '7000') is None
    assert not run_login(login_code='7000', state='absent')['changed']


def test_many_agent_logins_share_one_session_and_listing(lab):
    logins = [{'login_code': str(7001 + index), 'login_password': 'pw-%02d-agent' % index} for index in range(40)]
    result = run_login(agent_logins=logins, enabled=False)
    assert [entry['action'] for entry in result['agent_logins']] == ['created'] * 40
    assert stored_login(lab, '7040')['state'] == 'CFGDisabled' and stored_login(lab, '7040')['password'] == 'pw-39-agent'
    assert counters(lab)['total'] <= 3 + 2 * 40
    assert counters(lab)['sessions']['logins'] == 1
    lab.post('gax', '/counters/reset')
    assert not run_login(agent_logins=logins, enabled=False)['changed']
    assert counters(lab)['total'] == 3


def test_a_login_code_listed_twice_fails_before_any_request(lab):
    exc = failure(agent_logins=[{'login_code': '7001'}, {'login_code': '7001'}])
    assert isinstance(exc, InputError)
    assert 'Agent Login 7001 on switch SIP_Switch_A: listed 2 times in one call' in exc.message
    assert counters(lab)['total'] == 0


def test_a_lost_create_answer_makes_no_second_login(lab):
    lab.put('gax', '/faults?instance=gax', {'lost_create_next': 1})
    result = run_login(login_code='7001', login_password=AGENT_SECRET)
    assert result['agent_logins'][0]['action'] == 'created'
    assert len(lab.get('gax', '/history?instance=gax&action=create')) == 1
    assert lab.get('gax', '/duplicates?instance=gax') == []


def test_update_password_still_works_for_one_release_with_a_deprecation_warning(lab):
    run_login(login_code='7002', login_password=AGENT_SECRET)
    args = params(login_code='7002', login_password='renewed-Secret-3', update_password='always')
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-m',
               'telephony.genesys_audiocodes.genesys_agent_login', '-a', json.dumps(args)]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.collections'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_DEPRECATION_WARNINGS='1')
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=os.path.dirname(REPO), env=env)
    output = ' '.join((done.stdout + done.stderr).split())
    assert done.returncode == 0, output
    assert stored_login(lab, '7002')['password'] == 'renewed-Secret-3'
    assert 'DEPRECATION WARNING' in output and 'update_password' in output, output
    assert '1.0.0' in output and 'renewed-Secret-3' not in output


def test_the_module_prints_no_secret_at_the_highest_verbosity(lab):
    args = params(login_code='7001', login_password=AGENT_SECRET, update_secrets='always',
                  options={'TServer': {'password': 'annex-Secret-8'}})
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-m',
               'telephony.genesys_audiocodes.genesys_agent_login', '-a', json.dumps(args), '-vvvv', '--diff']
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.collections'), ANSIBLE_CALLBACK_RESULT_FORMAT='json', ANSIBLE_NOCOLOR='1',
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=os.path.dirname(REPO), env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert 'login_password=********' in output
    for secret in (GAX_PASSWORD, AGENT_SECRET, 'annex-Secret-8'):
        assert secret not in output
    assert stored_login(lab, '7001')['password'] == AGENT_SECRET
