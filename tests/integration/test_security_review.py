"""The findings of the security review (issue 22), each reproduced against the lab and judged on the
lab's own state, the files written or what a module logs.

Lab: GAX on 127.0.0.91 (HTTP and HTTPS instances, ports from 19100 per xdist worker), phones on
127.91.x.y (ports from 19105). Items whose check is pure logic live in tests/unit; the catalogue of
docs/reliability.md names each test.
"""

import os
import textwrap
import time

import pytest
import yaml

from labfixture import only_these_emulators
from test_audiocodes_support import ADMIN_PASSWORD, COLLECTIONS, HTTPS_PORT, Phone, phone_lab, run_module
from test_secrets_support import Block, find_secrets, inventory_secrets, run_playbook, start_lab, write_inventory

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
GAX_HOST = '127.0.0.91'
GAX_PORT = 19100 + 10 * WORKER
GAX_URL = 'http://%s:%d' % (GAX_HOST, GAX_PORT)
GAX_PASSWORD = 'operator-lab'
SIP_SECRET = 'dn-Sip-Secret-9157'
URL_SECRET = 'Url-Secret-7731'
SHOWN_URL = 'https://prov:%s@prov.lab.test/phones/' % URL_SECRET      # in the phone's configuration already
GIVEN_URL_SECRET = 'Fw%2FSecret-8842'                                 # percent-encoded, as a URL carries it


@pytest.fixture(name='gax', scope='module')
def gax_fixture(lab_factory):
    return lab_factory('security-review-gax', {'phone': None, 'gax': {
        'admin': '%s:%d' % (GAX_HOST, GAX_PORT + 1),
        'instances': [{'name': 'gax', 'listen': '%s:%d' % (GAX_HOST, GAX_PORT), 'scheme': 'http'},
                      {'name': 'tls', 'listen': '%s:%d' % (GAX_HOST, GAX_PORT + 2), 'scheme': 'https'}]}})


@pytest.fixture(name='phone', scope='module')
def phone_fixture(lab_factory, tmp_path_factory):
    lab = phone_lab(lab_factory, tmp_path_factory, 'security-review-phone', 92, '127.0.0.92:%d' % (19105 + 10 * WORKER),
                    ['420HD'], config={'voip/line/0/description': u'Caf\xe9', 'provisioning/configuration/url': SHOWN_URL})
    return Phone(lab, '127.92.0.1')


@pytest.fixture(autouse=True)
def fresh_labs(request):
    if 'gax' in request.fixturenames:
        request.getfixturevalue('gax').post('gax', '/reset')
    if 'phone' in request.fixturenames:
        phone = request.getfixturevalue('phone')
        phone.reset()
        phone.lab.put('phone', '/faults', {'drip_rate': 0.0, 'oversize_rate': 0.0})


NO_PROXY_ENV = {'NO_PROXY': '', 'no_proxy': ''}


def gax_args(**extra):
    args = dict(gax_url=GAX_URL, username='operator', password=GAX_PASSWORD, switch='SIP_Switch_A')
    args.update(extra)
    return args


def stored_dn(lab, number, switchdbid=101):
    found = lab.get('gax', '/objects?instance=gax&type=CfgDN&switchdbid=%d&number=%s' % (switchdbid, number))
    return found[0] if found else None


def annex(obj):
    sections = {}
    for prop in obj['userproperties']['property']:
        sections.setdefault(prop['section'], {})[prop['key']] = prop['value']
    return sections


# --- item 2: what a module logs (syslog / journald) ---------------------------------------------------

JOURNAL = '''
"""A stand-in for python-systemd that AnsibleModule.log() finds as journald: each entry to a file."""
import json
import os


def _write(fields):
    with open(os.environ['CAPTURED_JOURNAL'], 'a', encoding='utf-8') as handle:
        handle.write(json.dumps(fields, default=str) + '\\n')


def send(MESSAGE, **fields):
    fields['MESSAGE'] = MESSAGE
    _write(fields)


def sendv(*lines):
    _write({'lines': list(lines)})
'''


def captured_log(tmp_path, module, args):
    """Run ``module`` as a process with journald replaced by a file; returns (result, log text).
    AnsibleModule's own code decides what to log: its ``log()`` sends to journald when
    ``systemd.journal`` imports and ``systemd.daemon.booted()`` says so."""
    fake = tmp_path / 'fake-systemd'
    (fake / 'systemd').mkdir(parents=True)
    (fake / 'systemd' / '__init__.py').write_text('')
    (fake / 'systemd' / 'journal.py').write_text(textwrap.dedent(JOURNAL))
    (fake / 'systemd' / 'daemon.py').write_text('def booted():\n    return True\n')
    journal = tmp_path / 'journal.jsonl'
    env = {'PYTHONPATH': '%s:%s' % (fake, COLLECTIONS), 'CAPTURED_JOURNAL': str(journal)}
    result, output = run_module(module, args, env=env)
    return result, output, journal.read_text(encoding='utf-8') if journal.exists() else ''


@pytest.mark.parametrize('shape', ['number', 'dns'])
def test_genesys_dn_logs_its_invocation_without_the_dn_sip_password(gax, tmp_path, shape):
    options = {'TServer': {'contact': '*', 'password': SIP_SECRET}}
    args = gax_args(number='1502', options=options) if shape == 'number' else gax_args(
        dns=[{'number': '1502', 'options': options}])
    result, output, logged = captured_log(tmp_path, 'genesys_dn', args)
    assert result.get('changed') is True, result
    assert annex(stored_dn(gax, '1502'))['TServer']['password'] == SIP_SECRET   # the lab's word: it was written
    assert 'Invoked with' in logged and '1502' in logged, logged          # the invocation was logged ...
    assert SIP_SECRET not in logged and GAX_PASSWORD not in logged, logged   # ... without a secret
    assert "'password': '********'" in logged
    assert SIP_SECRET not in output


# --- item 6: only DNs of the managed types, and of the type asked, are deleted ------------------------------

def gax_writes(lab):
    return lab.get('gax', '/counters?instance=gax')['writes']


@pytest.mark.parametrize('entry,words', [
    ({'number': '5000', 'state': 'absent'},
     ['DN 5000 on switch SIP_Switch_A', 'CFGRoutingPoint', 'manage only acd_position, extension DNs']),
    ({'number': '5000', 'state': 'present', 'options': {'TServer': {'contact': '*'}}},
     ['DN 5000 on switch SIP_Switch_A', 'CFGRoutingPoint', 'manage only acd_position, extension DNs']),
    ({'number': '1500', 'state': 'absent', 'type': 'acd_position'},
     ['DN 1500 on switch SIP_Switch_A', 'is an extension, not an acd_position', 'correct type']),
], ids=['routing_point_absent', 'routing_point_present', 'extension_asked_as_acd_position'])
def test_a_dn_of_another_type_is_neither_deleted_nor_changed(gax, entry, words):
    before = (stored_dn(gax, entry['number']), gax_writes(gax))
    result, output = run_module('genesys_dn', gax_args(dns=[entry]))
    assert result.get('failed') is True, result
    assert all(word in result['msg'] for word in words), result['msg']
    assert stored_dn(gax, entry['number']) == before[0]      # the lab's word: still there, unchanged
    assert gax_writes(gax) == before[1]


# --- item 7: every answer within the timeout, and at most 32 MiB --------------------------------------------

def test_a_phone_dripping_its_answers_fails_within_its_retries_of_the_timeout(phone):
    """The review's login dripping a byte every 1.5 s took 106 s with timeout=3: each read got its byte in time."""
    phone.lab.put('phone', '/faults', {'drip_rate': 1.0, 'drip_seconds': 0.3})
    started = time.monotonic()
    result, output = run_module('audiocodes_phone_info', phone.args(timeout=2), timeout=120)
    took = time.monotonic() - started
    assert result.get('failed') is True, result
    assert 'phone 127.92.0.1' in result['msg'] and 'not complete within the timeout' in result['msg'], result['msg']
    assert phone.counters().get('fault_drip', 0) >= 1             # the lab's word: its answers dripped
    assert took < 45, 'took %.0f s' % took                        # 5 tries of 2 s, plus backoff


def test_a_phone_answer_longer_than_the_cap_is_refused(phone):
    phone.lab.put('phone', '/faults', {'oversize_rate': 1.0, 'oversize_bytes': 40 * 1024 * 1024})
    result, output = run_module('audiocodes_phone_info', phone.args(), timeout=120)
    assert result.get('failed') is True, result
    assert 'longer than the 33554432 bytes this collection reads' in result['msg'], result['msg']
    assert phone.counters().get('fault_oversize', 0) == 1          # refused at once, not retried


def test_gax_dripping_an_answer_is_cut_at_the_timeout_and_retried(gax):
    gax.put('gax', '/faults?instance=gax', {'kinds': ['list'], 'drip_next': 1, 'drip_seconds': 0.5})
    started = time.monotonic()
    result, output = run_module('genesys_dn_info', gax_args(timeout=2), timeout=120)
    took = time.monotonic() - started
    assert not result.get('failed'), result
    assert gax.get('gax', '/counters?instance=gax')['faults'].get('drip') == 1, 'the lab dripped no answer'
    assert took < 20, 'took %.0f s' % took


def test_a_gax_answer_longer_than_the_cap_is_refused(gax):
    gax.put('gax', '/faults?instance=gax', {'kinds': ['list'], 'oversize_next': 1})
    result, output = run_module('genesys_dn_info', gax_args(), timeout=120)
    assert result.get('failed') is True, result
    assert result['msg'].startswith('GAX %s: ' % GAX_URL), result['msg']
    assert 'longer than the 33554432 bytes this collection reads' in result['msg'], result['msg']


# --- item 9: one proxy policy, and plain HTTP warned about ---------------------------------------------------

def proxy_env():
    """A proxy that refuses every connection (nothing listens there)."""
    closed = 'http://%s:%d' % (GAX_HOST, GAX_PORT + 7)
    return dict(NO_PROXY_ENV, HTTP_PROXY=closed, HTTPS_PROXY=closed, http_proxy=closed, https_proxy=closed)


def test_gax_and_phones_ignore_an_environment_proxy_unless_use_proxy(gax, phone):
    result, output = run_module('genesys_dn_info', gax_args(), env=proxy_env())
    assert not result.get('failed'), result
    result, output = run_module('audiocodes_phone_info', phone.args(), env=proxy_env())
    assert not result.get('failed'), result
    assert phone.counters().get('login', 0) >= 1                         # the lab's word: the phone was reached

    result, output = run_module('genesys_dn_info', gax_args(use_proxy=True, timeout=3), env=proxy_env())
    assert result.get('failed') is True and 'connection refused' in result['msg'], result
    phone.clear_counters()
    result, output = run_module('audiocodes_phone_info', phone.args(use_proxy=True, timeout=3), env=proxy_env())
    assert result.get('failed') is True, result
    assert phone.counters().get('login', 0) == 0                          # it went to the (dead) proxy


def test_plain_http_is_warned_about(gax, phone):
    result, output = run_module('genesys_dn_info', gax_args())
    warnings = [str(w) for w in result.get('warnings', [])]
    assert any('GAX are reached over plain HTTP (an http:// gax_url)' in w for w in warnings), warnings
    args = phone.args(use_https=False, port=8080)
    args.pop('ca_path')
    result, output = run_module('audiocodes_phone_info', args)
    assert not result.get('failed'), result
    warnings = [str(w) for w in result.get('warnings', [])]
    assert any('phones are reached over plain HTTP (use_https: false)' in w for w in warnings), warnings


# --- item 10: a phone whose file is not UTF-8 -----------------------------------------------------------

def test_a_value_a_latin1_phone_file_cannot_carry_fails_clearly_and_nothing_is_written(phone):
    phone.reset(file_encoding='latin-1')
    result, output = run_module('audiocodes_phone', phone.args(settings={'voip/line/0/description': u'5 \u20ac'}))
    assert result.get('failed') is True, result
    assert "phone 127.92.0.1: the phone's configuration file is not UTF-8 (it reads as latin-1)" in result['msg'], result
    assert 'voip/line/0/description' in result['msg'] and 'Traceback' not in output
    assert phone.writes() == 0 and phone.config()['voip/line/0/description'] == u'Caf\xe9'   # the lab's word


def test_a_latin1_phone_file_keeps_its_bytes_when_a_latin1_value_is_written(phone):
    phone.reset(file_encoding='latin-1')
    result, output = run_module('audiocodes_phone', phone.args(settings={'voip/line/0/id': u'Zo\xeb'}))
    assert result.get('changed') is True, result
    config = phone.config()
    assert config['voip/line/0/id'] == u'Zo\xeb' and config['voip/line/0/description'] == u'Caf\xe9'


# --- item 3: credentials inside URL values ------------------------------------------------------------

def test_a_password_inside_a_url_value_is_masked_in_results_diff_backups_and_info(phone, tmp_path):
    given = 'http://fw:%s@fw.lab.test/400hd/' % GIVEN_URL_SECRET
    result, output = run_module('audiocodes_phone', phone.args(
        settings={'provisioning/firmware/url': given, 'voip/line/0/description': 'Desk 1501'},
        backup=True, backup_options={'dir_path': str(tmp_path / 'backups')}), diff=True)
    assert result.get('changed') is True, result
    assert phone.config()['provisioning/firmware/url'] == given                     # the lab's word: written
    backups = [os.path.join(str(tmp_path / 'backups'), name) for name in os.listdir(str(tmp_path / 'backups'))]
    with open(backups[0], 'rb') as handle:
        backup = handle.read().decode('utf-8', 'replace')
    assert 'provisioning/configuration/url=' in backup                             # the line is kept ...
    info, info_output = run_module('audiocodes_phone_info', phone.args(gather=['config']))
    assert 'prov.lab.test' in info['config']['provisioning/configuration/url']
    for text in (output, backup, info_output):                                        # ... its password is not
        assert URL_SECRET not in text and GIVEN_URL_SECRET not in text and 'Fw/Secret-8842' not in text
    assert 'http://fw:********@fw.lab.test/400hd/' in output                          # the diff shows the URL


# --- item 4: zero-touch provisioning over TLS ----------------------------------------------------------------

PROV_HOST = '127.0.0.93'
PROV_LISTEN = 19120 + 10 * WORKER
PROV_USER, PROV_PASSWORD = 'phones', 'Prov-Secret-9393'
PROV_NAME = 'prov.h3.lab.test'
PROV_URL = 'https://%s:%s@%s:%d/phones/' % (PROV_USER, PROV_PASSWORD, PROV_NAME, PROV_LISTEN)
VERIFY_KEY = 'security/provisioning/verify_server_certificate'


@pytest.fixture(name='prov', scope='module')
def prov_fixture(lab_factory, tmp_path_factory):
    """Two phones as they leave the factory as to their provisioning server: its certificate is not checked."""
    folder = tmp_path_factory.mktemp('security-review-prov')
    seed = {'voip/line/0/id': '1501', VERIFY_KEY: '0'}
    phones = [{'address': '127.93.%d.%d' % (1 + WORKER, index), 'model': '420HD', 'admin_password': ADMIN_PASSWORD,
               'config': seed} for index in (1, 2)]
    phones_file = str(folder / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    lab = lab_factory('security-review-prov', only_these_emulators({
        'phone': {'admin': '%s:%d' % (PROV_HOST, PROV_LISTEN + 1), 'http_port': 8080, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'variants': {'auth': 'cookie', 'apply': 'replace', 'after_upload': 'reboot'},
                  'timings': {'reboot_seconds': 1}, 'faults': {'seed': 1},
                  'sip': {'enabled': True, 'stagger_seconds': 0}},
        'provserver': {'enabled': True, 'listen': '%s:%d' % (PROV_HOST, PROV_LISTEN),
                       'admin': '%s:%d' % (PROV_HOST, PROV_LISTEN + 2), 'users': {PROV_USER: PROV_PASSWORD}},
        'names': [{'name': PROV_NAME, 'addresses': [PROV_HOST]}],
    }))
    return [Phone(lab, phone['address']) for phone in phones]


def test_zero_touch_over_https_publishes_the_servers_check_on_and_warns_about_the_first_fetch(prov):
    phone = prov[0]
    phone.reset()
    directory = phone.lab.ready('provserver')['directory']
    result, output = run_module('audiocodes_provisioning', phone.args(
        config_url=PROV_URL, publish_dir=directory, settings={'voip/line/0/description': 'Desk 1501'}))
    assert not result.get('failed'), result
    warnings = [str(w) for w in result.get('warnings', [])]
    assert any('checks no certificate of its provisioning server (%s=0)' % VERIFY_KEY in w for w in warnings), warnings
    published = os.path.join(directory, phone.info()['mac'].replace(':', '').lower() + '.cfg')
    with open(published, encoding='utf-8') as handle:
        assert '%s=1\n' % VERIFY_KEY in handle.read()                 # the file written
    assert phone.config()[VERIFY_KEY] == '1'                          # the lab's word: the phone now checks
    assert PROV_PASSWORD not in output


def test_turning_the_servers_check_off_is_warned_about(prov):
    phone = prov[1]
    phone.reset()
    result, output = run_module('audiocodes_provisioning', phone.args(
        config_url=PROV_URL, publish_dir=phone.lab.ready('provserver')['directory'], settings={VERIFY_KEY: '0'}),
        check=True)
    warnings = [str(w) for w in result.get('warnings', [])]
    assert any('settings turn %s off' % VERIFY_KEY in w for w in warnings), (result, warnings)


@pytest.mark.parametrize('option', ['config_url', 'firmware_url'])
def test_credentials_in_a_url_that_is_not_https_are_refused_before_any_write(prov, option):
    phone = prov[1]
    phone.reset()
    url = 'http://%s:%s@%s:%d/phones/' % (PROV_USER, PROV_PASSWORD, PROV_NAME, PROV_LISTEN)
    args = phone.args(config_url=PROV_URL)
    args[option] = url
    result, output = run_module('audiocodes_provisioning', args)
    assert result.get('failed') is True, result
    assert '%s http://phones:********@' % option in result['msg'] and 'carries a password over http' in result['msg']
    assert 'use an https:// URL' in result['msg'] and PROV_PASSWORD not in output
    assert phone.writes() == 0                                        # the lab's word: nothing written


# --- item 12: the desired state's secrets in no host's facts ---------------------------------------------------

FACTS_BLOCK = Block(94)
FOUR_PHONES = ('phone-a01', 'phone-a02', 'phone-b02', 'phone-b03')      # SCA pairs kept together
FACTS_PLAY = """
- name: Deploy
  ansible.builtin.import_playbook: %(playbooks)s/deploy_bc.yml

- name: What every host's facts hold after the deployment
  hosts: phones
  gather_facts: false
  tasks:
    - name: Write the desired state as this host's facts hold it
      ansible.builtin.copy:
        content: "{{ preflight_desired_state | to_nice_json }}"
        dest: "%(out)s/{{ inventory_hostname }}.json"
        mode: "0600"
      delegate_to: localhost
"""


def test_the_preflights_fact_holds_no_secret_and_the_deployment_writes_them(lab_factory, tmp_path):
    inventory = write_inventory(FACTS_BLOCK, str(tmp_path / 'inventory'), keep=FOUR_PHONES)
    lab = start_lab(lab_factory, 'security-review-facts', FACTS_BLOCK, inventory, str(tmp_path / 'phones.yml'))
    out = tmp_path / 'facts'
    out.mkdir()
    playbook = tmp_path / 'deploy_and_dump.yml'
    playbook.write_text(FACTS_PLAY % {'playbooks': os.path.join(os.path.dirname(COLLECTIONS), 'playbooks'),
                                      'out': str(out)})
    run = run_playbook(str(playbook), inventory, FACTS_BLOCK)
    assert run.rc == 0, run.explain()
    secrets = inventory_secrets(inventory)
    dumped = sorted(os.listdir(str(out)))
    assert len(dumped) == len(FOUR_PHONES), dumped
    for name in dumped:
        text = (out / name).read_text(encoding='utf-8')
        assert '"__secret__"' in text, text[:400]                          # the references are there ...
        assert find_secrets(text, secrets) == [], name                      # ... and no secret
    # The lab's word: the phones and GAX got the secrets all the same.
    with open(os.path.join(inventory, 'group_vars', 'all', 'lab_secrets.yml'), encoding='utf-8') as handle:
        sip = yaml.safe_load(handle)['lab_sip_passwords']
    a01 = lab.get('phone', '/phones/%s/config' % FACTS_BLOCK.address('phone-a01'))
    assert sip[str(a01['voip/line/0/id'])] == a01['voip/line/0/auth_password']
    dns = lab.get('gax', '/objects?type=CfgDN&number=%s' % a01['voip/line/0/id'])
    assert any(prop['value'] == a01['voip/line/0/auth_password'] for dn in dns
               for prop in dn['userproperties']['property'] if prop['key'] == 'password'), dns
    logins = lab.get('gax', '/objects?type=CfgAgentLogin')
    assert logins and all(login.get('password') for login in logins), logins
