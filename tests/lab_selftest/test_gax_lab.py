"""Self-test of the emulated GAX (tests/lab/gax): real HTTP against a subprocess, judged by its admin API.

The emulator runs with a temporary profile on 127.0.0.93 high ports (shifted per xdist worker),
away from the default lab's 127.0.0.3.
"""

import concurrent.futures
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
import yaml

LAB_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), 'lab')
HOST = '127.0.0.93'
WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
BASE_PORT = 18090 + 20 * WORKER
LOGIN = {'username': 'default', 'password': 'password', 'isPasswordEncrypted': False}


def start_gax(tmp, profile, name='gax'):
    """Start ``python -m gax`` the way labctl does; return (process, ready info)."""
    profile_path = os.path.join(tmp, name + '-profile.yml')
    with open(profile_path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(dict(profile, profile_dir=os.path.join(LAB_DIR, 'profiles')), handle)
    state_dir = os.path.join(tmp, name + '-state')
    with open(os.path.join(tmp, name + '.log'), 'ab') as log:
        proc = subprocess.Popen([sys.executable, '-m', 'gax', '--profile', profile_path, '--state-dir', state_dir],
                                cwd=LAB_DIR, stdout=log, stderr=subprocess.STDOUT)
    ready = os.path.join(state_dir, 'gax.ready')
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if os.path.exists(ready):
            with open(ready, encoding='utf-8') as handle:
                return proc, yaml.safe_load(handle)
        assert proc.poll() is None, 'gax exited early; see %s' % os.path.join(tmp, name + '.log')
        time.sleep(0.1)
    proc.kill()
    raise AssertionError('gax never wrote its ready file')


def stop_gax(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0


def profile_for(port, **instance):
    return {'gax': {'admin': '%s:%d' % (HOST, port + 1), 'seed': 'gax-seed.yml',
                    'instances': [dict({'name': 'gax', 'listen': '%s:%d' % (HOST, port)}, **instance)]}}


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    """One process, two instances: `both` (http, both switches) and `siteb` (https, switch B only)."""
    tmp = str(tmp_path_factory.mktemp('gax'))
    profile = profile_for(BASE_PORT, name='both')
    profile['gax']['cert_dir'] = os.path.join(tmp, 'certs')
    profile['gax']['instances'].append({'name': 'siteb', 'listen': '%s:%d' % (HOST, BASE_PORT + 2),
                                        'scheme': 'https', 'switches': ['SIP_Switch_B']})
    proc, ready = start_gax(tmp, profile)
    yield dict(ready, ca=os.path.join(tmp, 'certs', 'ca.pem'))
    stop_gax(proc)


@pytest.fixture(autouse=True)
def clean(lab):
    requests.post(lab['admin'] + '/reset', timeout=10).raise_for_status()


def admin(lab, method, path, payload=None, instance='both', status=200, params=None):
    answer = requests.request(method, lab['admin'] + path, json=payload, timeout=10,
                              params=dict(params or {}, instance=instance))
    assert answer.status_code == status, answer.text
    return answer.json()


def variants(lab, **changes):
    return admin(lab, 'PUT', '/variants', changes)


def faults(lab, **changes):
    return admin(lab, 'PUT', '/faults', changes)


def client(lab, instance='both', login=True):
    """A logged-in requests session against one instance."""
    http = requests.Session()
    http.base = lab['instances'][instance]['url'] + '/gax/api'
    http.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment beats http.verify
    http.verify = lab['ca']
    if login:
        assert http.post(http.base + '/session/login', json=LOGIN, timeout=10).status_code == 204
    return http


def new_dn(number='1502', switch='101', **extra):
    return dict({'type': 'CfgDN', 'subtype': 'CFGExtension', 'number': number, 'switchdbid': switch,
                 'userproperties': {'property': [{'section': 'TServer', 'key': 'contact', 'value': '*'}]}}, **extra)


def create(http, obj, status=200):
    answer = http.post(http.base + '/cfg/objects', json=obj, timeout=10)
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def stored(lab, cfg_type, **filters):
    """The lab's own view of its objects, write-only fields included."""
    return admin(lab, 'GET', '/objects', params=dict(filters, type=cfg_type))


# ----- session


def test_login_answers_204_with_a_session_cookie_that_user_info_accepts(lab):
    http = client(lab, login=False)
    answer = http.post(http.base + '/session/login', json=LOGIN, timeout=10)
    assert answer.status_code == 204 and answer.content == b''
    assert list(http.cookies.keys()) == ['JSESSIONID']
    info = http.get(http.base + '/user/info', timeout=10).json()
    assert info['username'] == 'default' and info['isDefaultUser'] is True


@pytest.mark.parametrize('body', [dict(LOGIN, password='wrong'), dict(LOGIN, username='nobody'),
                                  dict(LOGIN, isPasswordEncrypted=True)])
def test_bad_credentials_answer_401_with_a_json_body(lab, body):
    answer = requests.post(lab['url'] + '/gax/api/session/login', json=body, timeout=10)
    assert answer.status_code == 401 and answer.json()['errorCode'] == 'LoginFailed'
    assert 'JSESSIONID' not in answer.cookies
    assert admin(lab, 'GET', '/counters')['sessions']['login_failures'] == 1


def test_login_without_json_content_type_is_415(lab):
    answer = requests.post(lab['url'] + '/gax/api/session/login', data='{"username":"default"}', timeout=10)
    assert answer.status_code == 415


def test_request_without_session_answers_401_by_default(lab):
    http = client(lab, login=False)
    answer = http.get(http.base + '/cfg/objects', params={'type': 'CfgDN'}, timeout=10)
    assert answer.status_code == 401 and answer.json()['errorCode'] == 'SessionExpired'


def test_expired_session_variant_302_redirects_to_an_html_login_page(lab):
    variants(lab, expired_session='302')
    http = client(lab)
    admin(lab, 'POST', '/sessions/expire')
    answer = http.put(http.base + '/cfg/objects/CfgDN/101', json={}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers['Location'].endswith('/gax/login.html')
    followed = http.get(http.base + '/user/info', timeout=10)
    assert followed.status_code == 200 and followed.headers['Content-Type'].startswith('text/html')
    assert stored(lab, 'CfgDN', dbid='101')[0]['number'] == '1500'


def test_session_forced_to_expire_every_n_requests(lab):
    variants(lab, session_expire_every=2)
    http = client(lab)
    codes = [http.get(http.base + '/user/info', timeout=10).status_code for request in range(3)]
    assert codes == [200, 200, 401]
    assert admin(lab, 'GET', '/counters')['sessions']['expired'] == 1
    assert client(lab).get(http.base + '/user/info', timeout=10).status_code == 200


def test_idle_session_expires_after_the_idle_timeout(lab):
    http = client(lab)
    variants(lab, session_idle_timeout=0)  # any idle time at all is now too long
    assert http.get(http.base + '/user/info', timeout=10).status_code == 401


# ----- reads


def test_list_answers_whole_objects_with_string_scalars(lab):
    http = client(lab)
    dns = http.get(http.base + '/cfg/objects', params={'type': 'CfgDN', 'brief': 'false'}, timeout=10).json()
    assert [d['number'] for d in dns] == ['1500', '5000', '5000']
    reception = dns[0]
    assert reception['dbid'] == '101' and reception['state'] == 'CFGEnabled' and reception['tenantdbid'] == '1'
    assert reception['association'] == 'Reception desk'
    assert all(isinstance(v, str) for d in dns for k, v in d.items() if k not in ('userproperties', 'accessnumbers'))
    switches = http.get(http.base + '/cfg/objects', params={'type': 'CfgSwitch', 'brief': 'false'}, timeout=10).json()
    assert [s['name'] for s in switches] == ['SIP_Switch_A', 'SIP_Switch_B']
    for cfg_type in ('CfgTenant', 'CfgFolder', 'CfgAgentLogin', 'CfgPhysicalSwitch'):
        assert http.get(http.base + '/cfg/objects', params={'type': cfg_type}, timeout=10).json()


def test_brief_list_is_short_and_name_filters(lab):
    http = client(lab)
    brief = http.get(http.base + '/cfg/objects', params={'type': 'CfgDN', 'brief': 'true'}, timeout=10).json()
    assert 'userproperties' not in brief[0] and brief[0]['dbid'] == '101'
    named = http.get(http.base + '/cfg/objects', params={'type': 'CfgSwitch', 'brief': 'false',
                                                         'name': 'SIP_Switch_B'}, timeout=10).json()
    assert [s['dbid'] for s in named] == ['102']


def test_list_without_brief_follows_the_brief_default_variant(lab):
    http = client(lab)
    assert 'userproperties' in http.get(http.base + '/cfg/objects', params={'type': 'CfgDN'}, timeout=10).json()[0]
    variants(lab, brief_default='true')
    assert 'userproperties' not in http.get(http.base + '/cfg/objects', params={'type': 'CfgDN'}, timeout=10).json()[0]


def test_unknown_path_is_404_and_a_wrong_method_405(lab):
    http = client(lab)
    assert http.get(http.base + '/cfg/nothing', timeout=10).status_code == 404
    assert http.delete(http.base + '/cfg/objects', timeout=10).status_code == 405
    assert admin(lab, 'GET', '/counters')['requests']['other'] == 2


def test_other_filters_are_ignored_unless_the_variant_says_any(lab):
    http = client(lab)
    params = {'type': 'CfgDN', 'brief': 'false', 'number': '5000', 'switchdbid': '102'}
    assert len(http.get(http.base + '/cfg/objects', params=params, timeout=10).json()) == 3
    variants(lab, list_filters='any')
    assert [d['dbid'] for d in http.get(http.base + '/cfg/objects', params=params, timeout=10).json()] == ['103']


def test_read_one_and_unknown_dbid_404(lab):
    http = client(lab)
    assert http.get(http.base + '/cfg/objects/CfgSwitch/101', timeout=10).json()['name'] == 'SIP_Switch_A'
    assert http.get(http.base + '/cfg/objects/CfgDN/999', timeout=10).status_code == 404
    assert http.get(http.base + '/cfg/objects', params={'type': 'CfgNothing'}, timeout=10).status_code == 400


# ----- writes


def test_create_answers_the_object_and_the_lab_stores_it(lab):
    http = client(lab)
    made = create(http, new_dn())
    assert made['dbid'] == '104' and made['tenantdbid'] == '1' and made['folderid'] == '103'
    assert made['registerall'] == 'CFGDRTrue' and made['routetype'] == 'CFGDefault'
    assert stored(lab, 'CfgDN', number='1502') == [made]
    entry = admin(lab, 'GET', '/history')[-1]
    label = {s['cookie']: s['session'] for s in admin(lab, 'GET', '/sessions')}[http.cookies['JSESSIONID']]
    assert (entry['action'], entry['dbid'], entry['user'], entry['session']) == ('create', '104', 'default', label)


def test_create_variant_201_with_location_and_empty_body(lab):
    variants(lab, create_status=201, create_body='empty')
    http = client(lab)
    answer = http.post(http.base + '/cfg/objects', json=new_dn(), timeout=10)
    assert answer.status_code == 201 and answer.content == b''
    assert answer.headers['Location'] == '/gax/api/cfg/objects/CfgDN/104'


def test_update_replaces_the_annex_by_default_and_merges_in_the_variant(lab):
    http = client(lab)
    dn = create(http, new_dn())
    dn['userproperties'] = {'property': [{'section': 'TServer', 'key': 'refer-enabled', 'value': 'false'}]}
    assert http.put(http.base + '/cfg/objects/CfgDN/104', json=dn, timeout=10).status_code == 200
    assert stored(lab, 'CfgDN', dbid='104')[0]['userproperties']['property'] == dn['userproperties']['property']
    variants(lab, annex='merge')
    dn['userproperties'] = {'property': [{'section': 'TServer', 'key': 'contact', 'value': 'sip:1502@127.0.0.1'}]}
    http.put(http.base + '/cfg/objects/CfgDN/104', json=dn, timeout=10)
    keys = {p['key']: p['value'] for p in stored(lab, 'CfgDN', dbid='104')[0]['userproperties']['property']}
    assert keys == {'refer-enabled': 'false', 'contact': 'sip:1502@127.0.0.1'}


@pytest.mark.parametrize('annex_remove, left', [
    ('none', {'contact': '', 'refer-enabled': 'false'}),        # both forms fail: the empty value is stored
    ('empty_value', {'refer-enabled': 'false'}),
    ('deleted_list', {'refer-enabled': 'false'}),
])
def test_a_merging_gax_removes_an_option_only_in_its_removal_form(lab, annex_remove, left):
    http = client(lab)
    dn = create(http, new_dn())
    variants(lab, annex='merge', annex_remove=annex_remove)
    kept = [{'section': 'TServer', 'key': 'refer-enabled', 'value': 'false'}]
    http.put(http.base + '/cfg/objects/CfgDN/104', timeout=10, json=dict(dn, userproperties={'property': kept}))
    http.put(http.base + '/cfg/objects/CfgDN/104', timeout=10, json=dict(dn, userproperties={'property': kept}, **{
        'deleteduserproperties': {'property': [{'section': 'TServer', 'key': 'contact'}]}})).raise_for_status()
    if annex_remove != 'deleted_list':
        http.put(http.base + '/cfg/objects/CfgDN/104', timeout=10, json=dict(dn, userproperties={'property': kept + [
            {'section': 'TServer', 'key': 'contact', 'value': ''}]})).raise_for_status()
    keys = {p['key']: p['value'] for p in stored(lab, 'CfgDN', dbid='104')[0]['userproperties']['property']}
    assert keys == left


def test_update_variant_204_and_delete(lab):
    variants(lab, update_status=204, delete_status=204)
    http = client(lab)
    dn = create(http, new_dn())
    answer = http.put(http.base + '/cfg/objects/CfgDN/104', json=dict(dn, state='CFGDisabled'), timeout=10)
    assert answer.status_code == 204 and stored(lab, 'CfgDN', dbid='104')[0]['state'] == 'CFGDisabled'
    assert http.delete(http.base + '/cfg/objects/CfgDN/104', timeout=10).status_code == 204
    assert stored(lab, 'CfgDN', dbid='104') == []
    assert http.delete(http.base + '/cfg/objects/CfgDN/104', timeout=10).status_code == 404
    assert create(http, new_dn())['dbid'] == '105'  # DBIDs are never reused


def test_fields_the_client_does_not_know_survive_an_update_that_omits_them(lab):
    http = client(lab)
    partial = {'type': 'CfgDN', 'dbid': '101', 'state': 'CFGDisabled', 'userproperties': {'property': [
        {'section': 'TServer', 'key': 'contact', 'value': '*'}]}}
    http.put(http.base + '/cfg/objects/CfgDN/101', json=partial, timeout=10).raise_for_status()
    dn = stored(lab, 'CfgDN', dbid='101')[0]
    assert (dn['association'], dn['loginflag'], dn['override'], dn['folderid']) == ('Reception desk', 'CFGTrue', '1500', '107')
    assert dn['state'] == 'CFGDisabled'


def test_put_omitted_reset_variant_puts_omitted_fields_back_to_defaults(lab):
    variants(lab, put_omitted='reset')
    http = client(lab)
    http.put(http.base + '/cfg/objects/CfgDN/101', json={'type': 'CfgDN', 'dbid': '101'}, timeout=10).raise_for_status()
    dn = stored(lab, 'CfgDN', dbid='101')[0]
    assert (dn['association'], dn['loginflag'], dn['number'], dn['folderid']) == ('', 'CFGNoFlag', '1500', '103')
    assert dn['userproperties'] == {'property': []}


def test_unknown_properties_are_dropped_or_rejected(lab):
    http = client(lab)
    assert 'colour' not in create(http, new_dn(colour='blue'))
    variants(lab, unknown_fields='reject')
    answer = http.post(http.base + '/cfg/objects', json=new_dn('1503', colour='blue'), timeout=10)
    assert answer.status_code == 400 and 'colour' in answer.json()['message']


# ----- rules


def test_dn_number_is_unique_within_its_switch_only(lab):
    http = client(lab)
    create(http, new_dn('1502', '101'))
    clash = create(http, new_dn('1502', '101'), status=400)
    assert clash['errorCode'] == 'CFGUniquenessViolation' and '1502' in clash['message']
    create(http, new_dn('1502', '102'))
    variants(lab, conflict_status=409)
    create(http, new_dn('1502', '102'), status=409)
    assert admin(lab, 'GET', '/duplicates') == []


def test_dn_name_is_unique_within_the_tenant(lab):
    http = client(lab)
    create(http, new_dn('1502', '102', name='Reception_A'), status=400)
    create(http, new_dn('1502', '102', name=''))
    create(http, new_dn('1503', '102', name=''))


def test_login_code_unique_and_password_write_only(lab):
    http = client(lab)
    login = {'type': 'CfgAgentLogin', 'logincode': '7001', 'switchdbid': '101', 'password': 's3cret'}
    made = create(http, login)
    assert 'password' not in made
    assert 'password' not in http.get(http.base + '/cfg/objects/CfgAgentLogin/' + made['dbid'], timeout=10).json()
    assert all('password' not in o for o in http.get(http.base + '/cfg/objects', params={'type': 'CfgAgentLogin'},
                                                     timeout=10).json())
    create(http, dict(login, password='other'), status=400)
    http.put(http.base + '/cfg/objects/CfgAgentLogin/' + made['dbid'], json=dict(made, state='CFGDisabled'),
             timeout=10).raise_for_status()
    assert stored(lab, 'CfgAgentLogin', logincode='7001')[0]['password'] == 's3cret'  # kept when omitted
    assert any(e['after'] and e['after'].get('password') == 's3cret' for e in admin(lab, 'GET', '/history'))


@pytest.mark.parametrize('cfg_type,dbid,change', [
    ('CfgDN', '101', {'number': '1599'}), ('CfgDN', '101', {'switchdbid': '102'}),
    ('CfgDN', '101', {'subtype': 'CFGACDPosition'}), ('CfgAgentLogin', '101', {'logincode': '7099'})])
def test_immutable_properties_cannot_change(lab, cfg_type, dbid, change):
    http = client(lab)
    obj = http.get(http.base + '/cfg/objects/%s/%s' % (cfg_type, dbid), timeout=10).json()
    answer = http.put(http.base + '/cfg/objects/%s/%s' % (cfg_type, dbid), json=dict(obj, **change), timeout=10)
    assert answer.status_code == 400 and 'cannot be changed' in answer.json()['message']
    assert stored(lab, cfg_type, dbid=dbid)[0] == admin(lab, 'GET', '/objects/%s/%s' % (cfg_type, dbid))
    assert admin(lab, 'GET', '/history') == []


def test_tenant_comes_from_the_switch_or_a_mismatch_is_rejected(lab):
    http = client(lab)
    assert create(http, new_dn(tenantdbid='99'))['tenantdbid'] == '1'
    variants(lab, tenant_mismatch='reject')
    assert 'tenantdbid' in create(http, new_dn('1503', tenantdbid='99'), status=400)['message']


@pytest.mark.parametrize('obj,word', [
    (new_dn(switch='999'), 'switch'), (new_dn(number=''), 'number'), (new_dn(state='Enabled'), 'state'),
    (new_dn(switchspecifictype='0'), 'switchspecifictype'), (new_dn(folderid='105'), 'Folder'),
    (new_dn(userproperties={'property': [{'section': 'TServer', 'key': 'a'}]}), 'a section, a key and a value'),
    (new_dn(userproperties=[]), 'userproperties'), ({'subtype': 'CFGExtension'}, 'type')])
def test_invalid_objects_are_refused_with_a_message(lab, obj, word):
    answer = client(lab).post(lab['url'] + '/gax/api/cfg/objects', json=obj, timeout=10)
    assert answer.status_code == 400 and word in answer.json()['message']
    assert stored(lab, 'CfgDN', number='1502') == []


def test_scalars_must_be_strings_unless_the_variant_coerces(lab):
    http = client(lab)
    assert 'must be a JSON string' in create(http, new_dn(switchdbid=101), status=400)['message']
    variants(lab, scalar_types='coerce')
    assert create(http, new_dn(switchdbid=101))['switchdbid'] == '101'


def test_admin_plants_objects_under_the_same_rules(lab):
    made = admin(lab, 'POST', '/objects', new_dn('1510'))
    admin(lab, 'POST', '/objects', new_dn('1510'), status=400)
    http = client(lab)
    assert http.get(http.base + '/cfg/objects/CfgDN/' + made['dbid'], timeout=10).json()['number'] == '1510'
    assert admin(lab, 'GET', '/history')[-1]['session'] == 'admin'


def test_history_names_the_session_even_after_it_ended(lab):
    variants(lab, session_expire_every=1)
    http = client(lab)
    create(http, new_dn())
    assert http.get(http.base + '/user/info', timeout=10).status_code == 401
    session = {s['cookie']: s for s in admin(lab, 'GET', '/sessions')}[http.cookies['JSESSIONID']]
    assert session['live'] is False and admin(lab, 'GET', '/history')[-1]['session'] == session['session']


def test_read_only_types_and_body_url_mismatch(lab):
    http = client(lab)
    assert http.post(http.base + '/cfg/objects', json={'type': 'CfgSwitch', 'name': 'X'}, timeout=10).status_code == 403
    dn = http.get(http.base + '/cfg/objects/CfgDN/101', timeout=10).json()
    assert http.put(http.base + '/cfg/objects/CfgDN/102', json=dn, timeout=10).status_code == 400


def test_concurrent_creates_of_one_number_leave_exactly_one_object(lab):
    sessions = [client(lab) for request in range(8)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda h: h.post(h.base + '/cfg/objects', json=new_dn(), timeout=10).status_code, sessions))
    assert sorted(codes) == [200] + [400] * 7
    assert len(stored(lab, 'CfgDN', number='1502')) == 1 and admin(lab, 'GET', '/duplicates') == []
    assert len(admin(lab, 'GET', '/history')) == 1


# ----- error bodies and faults


@pytest.mark.parametrize('style,check', [
    ('json', lambda a: a.json()['errorCode'] == 'CFGObjectNotFound'),
    ('html', lambda a: a.headers['Content-Type'].startswith('text/html') and '<html>' in a.text),
    ('empty', lambda a: a.content == b'')])
def test_error_body_formats(lab, style, check):
    variants(lab, error_body=style)
    answer = client(lab).get(lab['url'] + '/gax/api/cfg/objects/CfgDN/999', timeout=10)
    assert answer.status_code == 404 and check(answer)


def test_error_fault_answers_5xx_then_recovers(lab):
    http = client(lab)
    faults(lab, error_next=1, kinds=['list'])
    url = http.base + '/cfg/objects'
    assert [http.get(url, params={'type': 'CfgDN'}, timeout=10).status_code for request in range(2)] == [500, 200]
    assert admin(lab, 'GET', '/counters')['faults'] == {'error': 1}


def test_reset_fault_closes_the_connection_without_an_answer(lab):
    http = client(lab)
    faults(lab, reset_next=1)
    with pytest.raises(requests.ConnectionError):
        http.post(http.base + '/cfg/objects', json=new_dn(), timeout=10)
    assert stored(lab, 'CfgDN', number='1502') == []  # dropped before the server acted
    assert create(http, new_dn())['number'] == '1502'


def test_slow_fault_still_answers(lab):
    faults(lab, slow_next=1, slow_seconds=0.2)
    assert client(lab).get(lab['url'] + '/gax/api/user/info', timeout=10).status_code == 200
    assert admin(lab, 'GET', '/counters')['faults'] == {'slow': 1}


@pytest.mark.parametrize('setting', [{'lost_create_next': 1}, {'lost_create_rate': 1.0}])
def test_lost_create_commits_but_the_answer_never_arrives(lab, setting):
    http = client(lab)
    faults(lab, **setting)
    create(http, new_dn('1500'), status=400)  # a refused create loses nothing
    with pytest.raises(requests.ConnectionError):
        http.post(http.base + '/cfg/objects', json=new_dn(), timeout=10)
    assert len(stored(lab, 'CfgDN', number='1502')) == 1
    entry = admin(lab, 'GET', '/history', instance='both')[-1]
    assert entry['action'] == 'create' and entry['answer_lost'] is True
    assert admin(lab, 'GET', '/counters')['writes']['committed'] == 1


def test_fault_rates_repeat_with_the_same_seed(lab):
    http = client(lab)

    def pattern():
        faults(lab, seed=7, error_rate=0.5, kinds=['user_info'])
        return [http.get(http.base + '/user/info', timeout=10).status_code for request in range(12)]
    first = pattern()
    assert set(first) == {200, 500} and pattern() == first


def test_bad_admin_settings_are_refused(lab):
    admin(lab, 'PUT', '/variants', {'annex': 'sometimes'}, status=400)
    admin(lab, 'PUT', '/faults', {'error_rate': 2}, status=400)
    admin(lab, 'PUT', '/faults', {'teleport_rate': 0.1}, status=400)


# ----- counters, instances, persistence


def test_counters_count_requests_per_kind_and_type_and_mark_writes(lab):
    http = client(lab)
    http.get(http.base + '/cfg/objects', params={'type': 'CfgDN'}, timeout=10)
    dn = create(http, new_dn())
    http.put(http.base + '/cfg/objects/CfgDN/' + dn['dbid'], json=dn, timeout=10)
    create(http, new_dn(), status=400)
    counters = admin(lab, 'GET', '/counters')
    assert counters['requests']['login'] == 1 and counters['requests']['create'] == 2
    assert counters['by_type']['CfgDN'] == {'list': 1, 'create': 2, 'update': 1}
    assert counters['writes'] == {'requests': 3, 'committed': 2, 'rejected': 1,
                                  'by_type': {'CfgDN': {'create': 1, 'update': 1}}}
    assert counters['total'] == 5
    assert admin(lab, 'POST', '/counters/reset')['total'] == 0


def test_https_instance_serves_only_its_site(lab):
    http = client(lab, 'siteb')
    assert lab['instances']['siteb']['url'].startswith('https://')
    switches = http.get(http.base + '/cfg/objects', params={'type': 'CfgSwitch'}, timeout=10).json()
    assert [s['name'] for s in switches] == ['SIP_Switch_B']
    assert create(http, new_dn('1502', '102'))['switchdbid'] == '102'
    create(http, new_dn('1503', '101'), status=400)
    both = requests.get(lab['admin'] + '/counters', timeout=10).json()
    assert set(both) == {'both', 'siteb'} and both['both']['writes']['committed'] == 0


def test_reset_puts_back_the_seed(lab):
    http = client(lab)
    create(http, new_dn())
    http.delete(http.base + '/cfg/objects/CfgDN/101', timeout=10)
    admin(lab, 'POST', '/reset')
    assert [d['number'] for d in stored(lab, 'CfgDN')] == ['1500', '5000', '5000']
    assert admin(lab, 'GET', '/history') == [] and admin(lab, 'GET', '/counters')['total'] == 0
    assert http.get(http.base + '/user/info', timeout=10).status_code == 401  # sessions are gone too


def test_data_survives_a_restart_and_sessions_do_not(tmp_path):
    port = BASE_PORT + 10
    proc, ready = start_gax(str(tmp_path), profile_for(port), 'restart')
    try:
        http = client({'instances': ready['instances'], 'ca': None}, 'gax')
        create(http, new_dn())
        stop_gax(proc)
        assert not os.path.exists(os.path.join(str(tmp_path), 'restart-state', 'gax.ready'))
        proc, ready = start_gax(str(tmp_path), profile_for(port), 'restart')
        assert http.get(http.base + '/user/info', timeout=10).status_code == 401
        assert [d['number'] for d in requests.get(ready['admin'] + '/objects', params={'type': 'CfgDN'},
                                                  timeout=10).json()] == ['1500', '5000', '5000', '1502']
        requests.post(ready['admin'] + '/reset', timeout=10).raise_for_status()
        assert len(requests.get(ready['admin'] + '/objects', params={'type': 'CfgDN'}, timeout=10).json()) == 3
    finally:
        stop_gax(proc)
