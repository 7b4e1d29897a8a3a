"""genesys_dn against the lab GAX: real HTTP, the lab's own state and counters as the judge.

The lab (one process, an HTTP instance and an HTTPS one) listens on 127.0.0.41 high ports,
shifted per xdist worker. Each test starts from the seed: DN 1500 (hand-made, with fields and an
annex section no module manages), routing points 5000, Agent Login 7000.
"""

import json
import os
import subprocess
import sys
import time

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import MASK, InputError, OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys.client import GaxClient

HOST = '127.0.0.41'
WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
PORT = 18200 + 10 * WORKER
URL = 'http://%s:%d' % (HOST, PORT)
TLS_URL = 'https://%s:%d' % (HOST, PORT + 2)
GAX_PASSWORD = 'operator-lab'
SIP_SECRET = 'sip-Secret-4242'
FOLDER_READ = 1   # a run that creates reads CfgFolder once: creates carry the switch's default folder (issue 15)
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


@pytest.fixture(name='lab', scope='module')
def lab_fixture(lab_factory):
    return lab_factory('genesys-dn', {'phone': None, 'gax': {
        'admin': '%s:%d' % (HOST, PORT + 1),
        'instances': [{'name': 'gax', 'listen': '%s:%d' % (HOST, PORT), 'scheme': 'http'},
                      {'name': 'tls', 'listen': '%s:%d' % (HOST, PORT + 2), 'scheme': 'https'}]}})


@pytest.fixture(autouse=True)
def seed_state(lab):
    lab.post('gax', '/reset')


# --- the lab's word -----------------------------------------------------------------------------

def counters(lab):
    return lab.get('gax', '/counters?instance=gax')


def stored_dns(lab, **filters):
    query = ''.join('&%s=%s' % item for item in sorted(filters.items()))
    return lab.get('gax', '/objects?instance=gax&type=CfgDN&switchdbid=101' + query)


def stored_dn(lab, number):
    found = stored_dns(lab, number=number)
    assert len(found) <= 1, found
    return found[0] if found else None


def annex(obj):
    sections = {}
    for prop in obj['userproperties']['property']:
        sections.setdefault(prop['section'], {})[prop['key']] = prop['value']
    return sections


def variants(lab, **values):
    lab.put('gax', '/variants?instance=gax', values)


def faults(lab, **values):
    lab.put('gax', '/faults?instance=gax', values)


# --- running the module's core --------------------------------------------------------------------

def params(**extra):
    base = dict(gax_url=URL, username='operator', password=GAX_PASSWORD, switch='SIP_Switch_A')
    base.update(extra)
    return base


def quick_client(prm):
    """A client whose backoff sleeps are short: the faults still happen, the test just waits less."""
    return GaxClient.from_params(prm, sleep=lambda seconds: time.sleep(seconds / 20))


def run_dn(check_mode=False, client=None, **extra):
    return core.run_dn(params(**extra), check_mode=check_mode, client=client)


def failure(func, **extra):
    with pytest.raises(OperatorError) as caught:
        func(params(**extra))
    return caught.value


PHONE_OPTIONS = {'TServer': {'contact': '*', 'authenticate-requests': 'register,invite', 'password': SIP_SECRET,
                             'sip-cti-control': 'talk,hold', 'refer-enabled': False, 'make-call-rfc3725-flow': 1}}


# --- create, update, no-op, delete ------------------------------------------------------------------

def test_a_phone_dn_is_created_with_its_annex_in_five_requests(lab):
    result = run_dn(number='1502', options=PHONE_OPTIONS)
    assert result['changed'] and result['dns'][0]['action'] == 'created'
    dn = stored_dn(lab, '1502')
    assert dn['subtype'] == 'CFGExtension' and dn['state'] == 'CFGEnabled' and dn['tenantdbid'] == '1'
    assert annex(dn) == {'TServer': {'contact': '*', 'authenticate-requests': 'register,invite', 'password': SIP_SECRET,
                                     'sip-cti-control': 'talk,hold', 'refer-enabled': 'false',
                                     'make-call-rfc3725-flow': '1'}}
    assert result['dns'][0]['dbid'] == dn['dbid']
    seen = counters(lab)
    assert seen['total'] <= 3 + 2 + FOLDER_READ
    assert seen['writes']['committed'] == 1


def test_a_second_run_changes_nothing_in_three_requests(lab):
    run_dn(number='1502', options=PHONE_OPTIONS)
    lab.post('gax', '/counters/reset')
    # the same wish written differently: a set in another order, spaces, a bool as text
    again = dict(PHONE_OPTIONS['TServer'], **{'sip-cti-control': 'hold, talk', 'authenticate-requests': 'invite,register',
                                              'refer-enabled': 'false ', 'contact': ' *'})
    result = run_dn(number='1502', options={'TServer': again})
    assert not result['changed'] and result['dns'][0]['action'] == 'none'
    seen = counters(lab)
    assert seen['total'] == 3
    assert seen['writes']['requests'] == 0


def test_an_update_changes_only_what_differs_and_keeps_the_hand_made_fields(lab):
    before = stored_dn(lab, '1500')
    result = run_dn(number='1500', enabled=False, options={'TServer': {'contact': 'sip:1500@127.0.0.1', 'dr-forward': 'oos'}})
    assert result['dns'][0]['action'] == 'updated'
    assert result['dns'][0]['changes'] == {
        'TServer/contact': {'before': '*', 'after': 'sip:1500@127.0.0.1'},
        'TServer/dr-forward': {'before': None, 'after': 'oos'},
        'enabled': {'before': True, 'after': False}}
    after = stored_dn(lab, '1500')
    assert after['state'] == 'CFGDisabled'
    for field in ('association', 'loginflag', 'override', 'folderid', 'name', 'routetype', 'registerall'):
        assert after[field] == before[field], field
    assert annex(after) == {'TServer': {'contact': 'sip:1500@127.0.0.1', 'gvm_mailbox': '1500', 'dr-forward': 'oos'},
                            'Reporting': {'cost-center': 'FRONT-01'}}
    assert counters(lab)['total'] == 4 + 2  # the GET right before the PUT, the PUT


def test_a_dn_is_deleted_and_deleting_it_again_changes_nothing(lab):
    run_dn(number='1502', options=PHONE_OPTIONS)
    result = run_dn(number='1502', state='absent')
    assert result['dns'][0]['action'] == 'deleted'
    assert result['dns'][0]['changes']['TServer/password'] == {'before': MASK, 'after': None}
    assert stored_dn(lab, '1502') is None
    lab.post('gax', '/counters/reset')
    assert not run_dn(number='1502', state='absent')['changed']
    assert counters(lab)['total'] == 3


def test_purge_removes_the_unlisted_keys_of_the_named_sections_only(lab):
    run_dn(number='1500', purge_options=True, options={'TServer': {'contact': '*'}})
    assert annex(stored_dn(lab, '1500')) == {'TServer': {'contact': '*'}, 'Reporting': {'cost-center': 'FRONT-01'}}


def test_null_removes_one_option(lab):
    result = run_dn(number='1500', options={'TServer': {'gvm_mailbox': None, 'never-set': None}})
    assert result['dns'][0]['changes'] == {'TServer/gvm_mailbox': {'before': '1500', 'after': None}}
    assert 'gvm_mailbox' not in annex(stored_dn(lab, '1500'))['TServer']


def test_a_new_dn_lands_in_the_folder_asked_for(lab):
    run_dn(number='1502', folder='107', type='acd_position', name='Desk_1502', options={'TServer': {'contact': '*'}})
    dn = stored_dn(lab, '1502')
    assert (dn['folderid'], dn['subtype'], dn['name']) == ('107', 'CFGACDPosition', 'Desk_1502')


# --- check mode and diff ------------------------------------------------------------------------------

def test_check_mode_reports_what_would_change_and_writes_nothing(lab):
    result = run_dn(check_mode=True, dns=[{'number': '1502', 'options': PHONE_OPTIONS},
                                          {'number': '1500', 'state': 'absent'}])
    assert [(dn['number'], dn['action']) for dn in result['dns']] == [('1502', 'created'), ('1500', 'deleted')]
    assert result['changed']
    seen = counters(lab)
    assert seen['writes']['requests'] == 0 and seen['total'] == 3
    assert stored_dn(lab, '1502') is None and stored_dn(lab, '1500') is not None


def test_the_diff_shows_each_changed_option_before_and_after_with_secrets_masked(lab):
    run_dn(number='1502', options=PHONE_OPTIONS)
    result = run_dn(number='1502', options={'TServer': {'sip-cti-control': 'talk,hold,dtmf', 'password': 'new-Secret-99'}})
    diff, = result['diff']
    assert diff['before_header'] == 'DN 1502 on switch SIP_Switch_A'
    assert diff['before'] == 'TServer/password=%s\nTServer/sip-cti-control=talk,hold\n' % MASK
    assert diff['after'] == 'TServer/password=%s\nTServer/sip-cti-control=talk,hold,dtmf\n' % MASK
    assert annex(stored_dn(lab, '1502'))['TServer']['password'] == 'new-Secret-99'


# --- many DNs ---------------------------------------------------------------------------------------------

def test_500_dns_in_one_call_cost_one_write_each_and_nothing_on_the_second_run(lab):
    dns = [{'number': str(2000 + index), 'options': {'TServer': {'contact': '*', 'dr-forward': 'oos',
                                                                 'password': 'pw-%04d' % index}}} for index in range(500)]
    result = run_dn(dns=dns)
    assert [dn['action'] for dn in result['dns']] == ['created'] * 500
    seen = counters(lab)
    assert seen['total'] <= 3 + 2 * 500
    assert seen['writes']['committed'] == 500
    stored = dict((dn['number'], dn) for dn in stored_dns(lab))
    assert all(annex(stored[str(2000 + index)])['TServer']['password'] == 'pw-%04d' % index for index in range(500))
    assert lab.get('gax', '/duplicates?instance=gax') == []

    lab.post('gax', '/counters/reset')
    assert not run_dn(dns=dns)['changed']
    assert counters(lab)['total'] == 3

    lab.post('gax', '/counters/reset')
    for entry in dns[:7]:
        entry['options'] = {'TServer': {'dr-forward': 'no-agent'}}
    result = run_dn(dns=dns)
    assert sum(dn['changed'] for dn in result['dns']) == 7
    seen = counters(lab)
    assert seen['total'] == 4 + 2 * 7  # each update: a GET of the DN right before its PUT
    assert seen['writes']['committed'] == 7


# --- bad input: a clear message, nothing written ------------------------------------------------------

def test_a_number_listed_twice_fails_before_any_request(lab):
    exc = failure(core.run_dn, dns=[{'number': '1502'}, {'number': '1503'}, {'number': '1502'}])
    assert isinstance(exc, InputError)
    assert 'DN 1502 on switch SIP_Switch_A: listed 2 times in one call; list each DN once' in exc.message
    assert counters(lab)['total'] == 0


@pytest.mark.parametrize('entry, words', [
    ({'number': '15 02'}, "DN '15 02': the number contains spaces"),
    ({'number': ''}, 'the number is empty'),
    ({'number': '1502', 'options': {'TServer': {'sip-cti-control': ['talk', 'hold']}}},
     'DN 1502 on switch SIP_Switch_A: option TServer/sip-cti-control has a list value'),
])
def test_bad_entries_fail_before_any_request_naming_the_dn(lab, entry, words):
    exc = failure(core.run_dn, dns=[{'number': '1503', 'options': PHONE_OPTIONS}, entry])
    assert words in exc.message
    assert counters(lab)['total'] == 0


def test_changing_the_type_of_a_dn_is_refused_with_the_way_out_and_nothing_is_written(lab):
    exc = failure(core.run_dn, dns=[{'number': '1502', 'options': PHONE_OPTIONS}, {'number': '1500', 'type': 'acd_position'}])
    assert exc.message == ('DN 1500 on switch SIP_Switch_A: its type is extension in GAX and cannot change to acd_position; '
                           'to replace it, delete it explicitly (state: absent), then create it again (state: present)')
    assert counters(lab)['writes']['requests'] == 0
    assert stored_dn(lab, '1502') is None


def test_an_unknown_switch_is_named_with_the_known_ones(lab):
    exc = failure(core.run_dn, switch='SIP_Switch_C', number='1502')
    assert 'switch SIP_Switch_C: no such switch (CfgSwitch); known: SIP_Switch_A, SIP_Switch_B' in exc.message
    assert counters(lab)['writes']['requests'] == 0


def test_a_name_taken_in_the_tenant_is_refused_before_writing(lab):
    exc = failure(core.run_dn, switch='SIP_Switch_B', dns=[{'number': '1502'}, {'number': '1500', 'name': 'Reception_A'}])
    assert "DN 1500 on switch SIP_Switch_B: name 'Reception_A' is also the name of DN 1500 on switch SIP_Switch_A" in exc.message
    assert counters(lab)['writes']['requests'] == 0


def test_wrong_credentials_are_named_with_the_fix(lab):
    exc = failure(core.run_dn, password='not-the-password', number='1502')
    assert exc.status == 401 and exc.endpoint == 'POST /gax/api/session/login'
    assert "login as 'operator' refused" in exc.message and 'check username and password' in exc.message
    assert 'not-the-password' not in exc.message
    assert counters(lab)['sessions']['login_failures'] == 1
    assert counters(lab)['writes']['requests'] == 0


def test_an_unreachable_server_is_named_with_the_fix(lab):
    prm = params(gax_url='http://%s:%d' % (HOST, PORT + 9), number='1502')
    with pytest.raises(OperatorError) as caught:
        core.run_dn(prm, client=quick_client(prm))
    assert caught.value.message == ('GAX http://%s:%d: cannot talk to GAX (connection refused); '
                                    'check gax_url and that GAX is running and reachable' % (HOST, PORT + 9))


# --- what a real GAX may do differently (variants) -------------------------------------------------

@pytest.mark.parametrize('mode', ['replace', 'merge'])
def test_options_are_set_whether_gax_replaces_or_merges_the_annex(lab, mode):
    variants(lab, annex=mode)
    run_dn(number='1500', options={'TServer': {'dr-forward': 'oos'}})
    assert annex(stored_dn(lab, '1500'))['TServer'] == {'contact': '*', 'gvm_mailbox': '1500', 'dr-forward': 'oos'}


def test_a_removal_a_merging_gax_ignores_is_reported_naming_the_option(lab):
    variants(lab, annex='merge')
    exc = failure(core.run_dn, number='1500', options={'TServer': {'gvm_mailbox': None}})
    assert "DN 1500: TServer/gvm_mailbox still set (to '1500') after its removal" in exc.message
    assert 'merge the annex' in exc.message
    assert core.failure_result(exc)['changed'] is True


@pytest.mark.parametrize('put_omitted', ['keep', 'reset'])
def test_fields_survive_whether_a_put_is_a_delta_or_a_rebuild(lab, put_omitted):
    variants(lab, put_omitted=put_omitted)
    before = stored_dn(lab, '1500')
    run_dn(number='1500', options={'TServer': {'dr-forward': 'oos'}})
    after = stored_dn(lab, '1500')
    assert dict(after, userproperties=None) == dict(before, userproperties=None)
    assert annex(after)['Reporting'] == {'cost-center': 'FRONT-01'}


@pytest.mark.parametrize('create_status, create_body', [('200', 'object'), ('201', 'object'), ('201', 'empty'), ('200', 'empty')])
@pytest.mark.parametrize('write_status', ['200', '204'])
def test_every_write_answer_gax_may_give_is_understood(lab, create_status, create_body, write_status):
    variants(lab, create_status=create_status, create_body=create_body, update_status=write_status, delete_status=write_status)
    created = run_dn(number='1502', options={'TServer': {'contact': '*'}})
    assert created['dns'][0]['dbid'] == stored_dn(lab, '1502')['dbid']
    assert run_dn(number='1502', options={'TServer': {'contact': 'sip:1502@127.0.0.1'}})['dns'][0]['action'] == 'updated'
    assert run_dn(number='1502', state='absent')['dns'][0]['action'] == 'deleted'
    assert stored_dn(lab, '1502') is None
    assert counters(lab)['total'] == 3 * 5 + 1 + FOLDER_READ  # and the GET of the DN right before its update


@pytest.mark.parametrize('expired_session', ['401', '302'])
def test_a_session_that_expires_mid_run_is_opened_again(lab, expired_session):
    variants(lab, expired_session=expired_session, session_expire_every=4)
    dns = [{'number': str(1510 + index), 'options': {'TServer': {'contact': '*'}}} for index in range(12)]
    result = run_dn(dns=dns)
    assert all(dn['action'] == 'created' for dn in result['dns'])
    seen = counters(lab)
    assert seen['sessions']['expired'] >= 3
    assert seen['writes']['committed'] == 12
    assert len(stored_dns(lab)) == 12 + 2
    assert lab.get('gax', '/duplicates?instance=gax') == []


def test_a_session_ended_between_two_runs_is_opened_again(lab):
    run_dn(number='1502', options={'TServer': {'contact': '*'}})
    lab.post('gax', '/sessions/expire?instance=gax')
    assert run_dn(number='1502', options={'TServer': {'contact': 'x'}})['changed']


@pytest.mark.parametrize('error_body, words', [
    ('json', 'HTTP 400 Bad Request: Folder 999 does not exist'),
    ('html', 'Folder 999 does not exist'),
    ('empty', 'HTTP 400 Bad Request: empty body'),
])
def test_a_refused_write_quotes_the_server_whatever_its_error_body(lab, error_body, words):
    variants(lab, error_body=error_body)
    exc = failure(core.run_dn, number='1502', folder='999')
    assert exc.message.startswith('GAX %s DN 1502 on switch SIP_Switch_A: the create failed: GAX refused the request' % URL)
    assert words in exc.message and '<' not in exc.message
    assert exc.status == 400 and exc.endpoint == 'POST /gax/api/cfg/objects'


# --- faults: retried, never a duplicate -----------------------------------------------------------------

def test_a_create_whose_answer_is_lost_is_found_not_made_again(lab):
    faults(lab, lost_create_next=1)
    result = run_dn(number='1502', options={'TServer': {'contact': '*'}})
    assert result['dns'][0]['action'] == 'created' and result['dns'][0]['dbid'] == stored_dn(lab, '1502')['dbid']
    creates = lab.get('gax', '/history?instance=gax&action=create')
    assert [entry['answer_lost'] for entry in creates] == [True]
    assert counters(lab)['total'] == 3 + 1 + 1 + 1 + FOLDER_READ  # the create, the look for it, the re-read


def test_ten_percent_faults_give_every_dn_once(lab):
    faults(lab, seed=11, error_rate=0.04, reset_rate=0.03, lost_create_rate=0.03)
    dns = [{'number': str(1600 + index), 'options': {'TServer': {'contact': '*', 'dr-forward': 'oos'}}} for index in range(150)]
    prm = params(dns=dns)
    result = core.run_dn(prm, client=quick_client(prm))
    assert all(dn['action'] == 'created' for dn in result['dns'])
    seen = counters(lab)
    assert seen['faults'].get('lost_create', 0) > 0 and seen['faults'].get('reset', 0) > 0 and seen['faults'].get('error', 0) > 0
    assert lab.get('gax', '/duplicates?instance=gax') == []
    stored = dict((dn['number'], dn) for dn in stored_dns(lab))
    assert len(stored) == 150 + 2
    assert all(annex(stored[str(1600 + index)])['TServer'] == {'contact': '*', 'dr-forward': 'oos'} for index in range(150))
    assert len(lab.get('gax', '/history?instance=gax&action=create')) == 150

    faults(lab, error_rate=0, reset_rate=0, lost_create_rate=0)
    lab.post('gax', '/counters/reset')
    assert not run_dn(dns=dns)['changed']
    assert counters(lab)['total'] == 3


def test_persistent_server_errors_give_up_naming_the_request(lab):
    faults(lab, error_next=50, kinds=['update'])
    prm = params(number='1500', options={'TServer': {'dr-forward': 'oos'}})
    with pytest.raises(OperatorError) as caught:
        core.run_dn(prm, client=quick_client(prm))
    assert caught.value.endpoint.startswith('PUT /gax/api/cfg/objects/CfgDN/')
    assert 'the update failed: GAX failed (HTTP 500' in caught.value.message
    assert counters(lab)['requests']['update'] == 6


# --- HTTPS ------------------------------------------------------------------------------------------

def test_https_with_the_lab_ca_works(lab):
    result = run_dn(gax_url=TLS_URL, ca_path=lab.ca_path, number='1502', options={'TServer': {'contact': '*'}})
    assert result['dns'][0]['action'] == 'created'
    assert lab.get('gax', '/objects?instance=tls&type=CfgDN&number=1502')


def test_an_untrusted_certificate_names_ca_path_and_validate_certs(lab):
    exc = failure(core.run_dn, gax_url=TLS_URL, number='1502')
    assert 'certificate verify failed' in exc.message
    assert 'ca_path' in exc.message and 'validate_certs' in exc.message


# --- secrets ----------------------------------------------------------------------------------------

def test_no_secret_appears_in_any_result(lab):
    texts = []
    texts.append(run_dn(number='1502', options=PHONE_OPTIONS))
    texts.append(run_dn(number='1502', options={'TServer': {'password': 'rotated-Secret-1'}}))
    texts.append(run_dn(check_mode=True, number='1502', options={'TServer': {'password': 'rotated-Secret-2'}}))
    variants(lab, annex='merge')
    texts.append(core.failure_result(failure(core.run_dn, number='1502', purge_options=True, options={'TServer': {}})))
    texts.append(run_dn(number='1502', state='absent'))
    dump = json.dumps(texts)
    for secret in (GAX_PASSWORD, SIP_SECRET, 'rotated-Secret-1', 'rotated-Secret-2'):
        assert secret not in dump
    assert MASK in dump


def ansible(*args, **env):
    """Run ``ansible localhost`` on this collection; returns (rc, all output)."""
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost'] + list(args)
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.collections'), ANSIBLE_CALLBACK_RESULT_FORMAT='json',
                       ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
                       ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    environment.update(env)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=os.path.dirname(REPO),
                          env=environment)
    return done.returncode, done.stdout + done.stderr


def test_the_module_prints_no_secret_at_the_highest_verbosity(lab):
    args = dict(params(number='1502', options=PHONE_OPTIONS))
    rc, output = ansible('-m', 'telephony.genesys_audiocodes.genesys_dn', '-a', json.dumps(args), '-vvvv', '--diff')
    assert rc == 0, output
    assert 'TServer/sip-cti-control=talk,hold' in output  # the diff is shown
    assert GAX_PASSWORD not in output and SIP_SECRET not in output
    assert annex(stored_dn(lab, '1502'))['TServer']['password'] == SIP_SECRET

    # the connection from the environment; check mode writes nothing
    lab.post('gax', '/counters/reset')
    args = {'switch': 'SIP_Switch_A', 'number': '1502', 'options': {'TServer': {'password': 'next-Secret-5'}}}
    rc, output = ansible('-m', 'telephony.genesys_audiocodes.genesys_dn', '-a', json.dumps(args), '-vvvv', '--check', '--diff',
                         GAX_URL=URL, GAX_USERNAME='operator', GAX_PASSWORD=GAX_PASSWORD)
    assert rc == 0, output
    assert '"changed": true' in output
    assert GAX_PASSWORD not in output and 'next-Secret-5' not in output and SIP_SECRET not in output
    assert counters(lab)['writes']['requests'] == 0


def test_module_defaults_set_the_connection_for_the_genesys_group(lab, tmp_path):
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps([{
        'hosts': 'localhost', 'gather_facts': False,
        'module_defaults': {'group/telephony.genesys_audiocodes.genesys': {
            'gax_url': URL, 'username': 'operator', 'password': GAX_PASSWORD}},
        'tasks': [
            {'telephony.genesys_audiocodes.genesys_dn': {'switch': 'SIP_Switch_A', 'number': '1502', 'enabled': False}},
            {'telephony.genesys_audiocodes.genesys_dn_info': {'switch': 'SIP_Switch_A', 'numbers': ['1502']},
             'register': 'read'},
            {'ansible.builtin.assert': {'that': ['read.dns[0].enabled is false']}},
        ]}]))
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), str(playbook)]
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.collections'), ANSIBLE_CALLBACK_RESULT_FORMAT='json',
                       ANSIBLE_NOCOLOR='1',
                       ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=str(tmp_path), env=environment)
    assert done.returncode == 0, done.stdout + done.stderr
    assert stored_dn(lab, '1502')['state'] == 'CFGDisabled'


def test_a_failing_module_names_the_cause_and_prints_no_secret(lab):
    args = dict(params(number='1502', password='wrong-Secret-3', options=PHONE_OPTIONS))
    rc, output = ansible('-m', 'telephony.genesys_audiocodes.genesys_dn', '-a', json.dumps(args), '-vvvv')
    assert rc != 0
    assert "login as 'operator' refused" in output
    assert 'wrong-Secret-3' not in output and SIP_SECRET not in output
