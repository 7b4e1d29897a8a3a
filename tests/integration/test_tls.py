"""HTTPS to the phones and to GAX: the lab CA is trusted when named, an unknown CA is refused with
the way out, and ``validate_certs: false`` works with one warning per run, however many hosts.

The lab (block 127.86, test_secrets_support.Block) serves six phones over HTTPS with leaves of the
lab CA (.lab/certs/ca.pem) and GAX twice: over HTTP and over HTTPS with a leaf of the same CA. The
"unknown" CA is a second CA made for this module in its temporary folder (labcommon.certs): a
well-formed bundle that did not sign anything the lab serves. ansible-core shows a warning text
once per run (its Display keeps the texts already shown), so the modules word the
``validate_certs: false`` warning without any host in it; the playbook run counts it.
"""

import importlib
import os
import re
import sys

import pytest

from labfixture import CA_PATH, REPO_ROOT
from test_audiocodes_support import run_module
from test_secrets_support import Block, Workspace, run_playbook, start_lab, write_inventory

BLOCK = Block(86)
PHONE = 'phone-a01'
PHONE_PASSWORD = 'Lab-Phone-Admin-26'
GAX_PASSWORD = 'operator-lab'
PHONE_WARNING = 'validate_certs is false: the HTTPS certificates of the phones are not checked'
GAX_WARNING = 'validate_certs is false: the HTTPS certificates of the GAX are not checked'


def ensure_ca(cert_dir):
    """A CA of the lab's kind in ``cert_dir`` (tests/lab/labcommon/certs.py), so one the lab never used."""
    lab_dir = os.path.join(REPO_ROOT, 'tests', 'lab')
    if lab_dir not in sys.path:
        sys.path.insert(0, lab_dir)
    return importlib.import_module('labcommon.certs').ensure_ca(cert_dir)


@pytest.fixture(name='tls', scope='module')
def tls_fixture(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('tls')
    inventory = write_inventory(BLOCK, str(tmp / 'inventory'), gax_url=BLOCK.gax_tls_url)
    lab = start_lab(lab_factory, 'tls', BLOCK, inventory, str(tmp / 'phones.yml'), gax_https=True)
    unknown_ca, _key = ensure_ca(str(tmp / 'unknown-ca'))
    return {'lab': lab, 'inventory': inventory, 'unknown_ca': str(unknown_ca), 'tmp': tmp}


def phone_info(tls, **extra):
    args = {'host': BLOCK.address(PHONE), 'port': BLOCK.https_port, 'password': PHONE_PASSWORD, 'timeout': 10,
            'gather': ['device']}
    args.update(extra)
    return run_module('audiocodes_phone_info', args)[0]


def dn_info(tls, url=None, **extra):
    args = {'gax_url': url or BLOCK.gax_tls_url, 'username': 'operator', 'password': GAX_PASSWORD,
            'switch': 'SIP_Switch_A', 'numbers': ['1500'], 'timeout': 10}
    args.update(extra)
    return run_module('genesys_dn_info', args)[0]


def test_a_phone_over_https_with_the_lab_ca_is_trusted_without_a_warning(tls):
    result = phone_info(tls, ca_path=CA_PATH, validate_certs=True)
    assert not result.get('failed'), result
    assert result['device']['model'] == '440HD'
    assert not result.get('warnings'), result


@pytest.mark.parametrize('ca', ['unknown', 'system'])
def test_a_phone_whose_certificate_no_known_ca_signed_is_refused_with_the_way_out(tls, ca):
    extra = {'ca_path': tls['unknown_ca']} if ca == 'unknown' else {}
    tls['lab'].post('phone', '/counters/reset')
    result = phone_info(tls, **extra)
    assert result.get('failed'), result
    msg = result['msg']
    assert msg.startswith('phone %s: ' % BLOCK.address(PHONE)), msg
    assert 'certificate is not trusted' in msg and 'ca_path' in msg and 'validate_certs: false' in msg, msg
    # refused at the handshake: the phone never answered a request
    assert tls['lab'].get('phone', '/counters')['totals'].get('login', 0) == 0


def test_a_phone_with_validate_certs_false_works_and_is_warned_about(tls):
    result = phone_info(tls, validate_certs=False)
    assert not result.get('failed'), result
    assert result['device']['model'] == '440HD'
    warnings = [str(w) for w in result.get('warnings', [])]
    assert len(warnings) == 1 and PHONE_WARNING in warnings[0], warnings
    assert BLOCK.address(PHONE) not in warnings[0] and 'ca_path' in warnings[0]


def test_gax_over_https_with_the_lab_ca_is_trusted_without_a_warning(tls):
    result = dn_info(tls, ca_path=CA_PATH)
    assert not result.get('failed'), result
    assert [dn['number'] for dn in result['dns']] == ['1500']
    assert not result.get('warnings'), result


@pytest.mark.parametrize('ca', ['unknown', 'system'])
def test_gax_whose_certificate_no_known_ca_signed_is_refused_with_the_way_out(tls, ca):
    extra = {'ca_path': tls['unknown_ca']} if ca == 'unknown' else {}
    tls['lab'].post('gax', '/counters/reset')
    result = dn_info(tls, **extra)
    assert result.get('failed'), result
    msg = result['msg']
    assert msg.startswith('GAX %s: ' % BLOCK.gax_tls_url), msg
    assert 'TLS handshake failed' in msg and 'certificate verify failed' in msg, msg
    assert 'ca_path' in msg and 'validate_certs: false' in msg, msg
    assert tls['lab'].get('gax', '/counters?instance=tls')['total'] == 0


def test_gax_with_validate_certs_false_works_and_is_warned_about_only_over_https(tls):
    result = dn_info(tls, validate_certs=False)
    assert not result.get('failed'), result
    warnings = [str(w) for w in result.get('warnings', [])]
    assert len(warnings) == 1 and GAX_WARNING in warnings[0], warnings
    plain = dn_info(tls, url=BLOCK.gax_url, validate_certs=False)
    # over plain HTTP the certificate warning is moot; the plain-HTTP warning stands instead (issue 22 item 9)
    warnings = [str(w) for w in plain.get('warnings', [])]
    assert not plain.get('failed') and len(warnings) == 1 and 'reached over plain HTTP' in warnings[0], plain


def test_validate_certs_false_is_warned_about_once_per_run_not_once_per_host(tls):
    """drift.yml over six phones and both switches (two GAX calls per role), certificates unchecked."""
    workspace = Workspace(str(tls['tmp'] / 'drift'))
    run = run_playbook('drift.yml', tls['inventory'], BLOCK, ca_path=None, workspace=workspace, label='drift',
                       extra=['audiocodes_validate_certs=false', 'gax_validate_certs=false'])
    assert run.rc == 0, run.explain()
    recap = run.output.split('PLAY RECAP', 1)[1]
    assert len(re.findall(r'^phone-\S+\s+: ok=\d+', recap, re.M)) == 6, run.explain()
    shown = re.findall(r'^\[WARNING\]: (.*)$', run.output, re.M)
    assert len([w for w in shown if w.startswith(PHONE_WARNING)]) == 1, shown
    assert len([w for w in shown if w.startswith(GAX_WARNING)]) == 1, shown
    # every GAX call carried it and Ansible showed the same text once; the phones are worked by the
    # fleet task in the controller process, where the warning is shown at once (not in each result)
    carried = {PHONE_WARNING: 0, GAX_WARNING: 0}
    for name in os.listdir(workspace.results):
        with open(os.path.join(workspace.results, name), encoding='utf-8') as handle:
            for line in handle:
                for text in carried:
                    carried[text] += line.count(text)
    assert carried[GAX_WARNING] >= 2, carried
