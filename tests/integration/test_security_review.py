"""The findings of the security review (issue 22), each reproduced against the lab and judged on the
lab's own state, the files written or what a module logs.

Lab: GAX on 127.0.0.91 (HTTP and HTTPS instances, ports from 19100 per xdist worker), phones on
127.91.x.y (ports from 19105). Items whose check is pure logic live in tests/unit; the catalogue of
docs/reliability.md names each test.
"""

import json
import os
import textwrap

import pytest

from test_audiocodes_support import COLLECTIONS, run_module

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
GAX_HOST = '127.0.0.91'
GAX_PORT = 19100 + 10 * WORKER
GAX_URL = 'http://%s:%d' % (GAX_HOST, GAX_PORT)
GAX_PASSWORD = 'operator-lab'
SIP_SECRET = 'dn-Sip-Secret-9157'


@pytest.fixture(name='gax', scope='module')
def gax_fixture(lab_factory):
    return lab_factory('security-review-gax', {'phone': None, 'gax': {
        'admin': '%s:%d' % (GAX_HOST, GAX_PORT + 1),
        'instances': [{'name': 'gax', 'listen': '%s:%d' % (GAX_HOST, GAX_PORT), 'scheme': 'http'},
                      {'name': 'tls', 'listen': '%s:%d' % (GAX_HOST, GAX_PORT + 2), 'scheme': 'https'}]}})


@pytest.fixture(autouse=True)
def fresh_gax(request):
    if 'gax' in request.fixturenames:
        request.getfixturevalue('gax').post('gax', '/reset')


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
