"""Issue 17, the note row by row, judged from the lab's admin APIs after a real deploy_bc.yml run.

The lab runs on this module's own block: phones on 127.95.<8w+1>.y (site A) and 127.95.<8w+2>.y
(site B), registrars on 127.95.<8w+3>.y, GAX and admin APIs on 127.0.0.95 with high ports. The
inventory is a copy of inventories/lab with two phones kept (phone-a04, phone-b04), their addresses
moved here and their lines edited for the rows under test; the phones start with the values a
firmware default or a past hand edit may leave (``lab_phone_config``), so each assertion can fail.

- Hold without answer (item 2): remote_hold alone gives sip-cti-control=talk,hold on both switches
  and the phone's talk event on.
- The screenshot's registration settings (item 4) end up on the phone whatever it started with.
- MWI without a voice-mail number (item 7): the phone keeps its own number, MWI on, gvm_mailbox=DN.
- The acceptance checklist (item 9): verify.yml writes Markdown and JSON per phone; its automatic
  registration result is the registration the lab's registrar holds.
- Agent Login passwords (item 8): a deployment keeps the password GAX holds by default and sends
  the inventory's on every run with ``<deployment>_agent_login_update_secrets=always``.
"""

import json
import os
import shutil

import pytest
import yaml

from deploy_support import copy_lab_inventory, phones_file_from, run_playbook
from labfixture import only_these_emulators

KAMAILIO = shutil.which('kamailio') or ('/usr/sbin/kamailio' if os.access('/usr/sbin/kamailio', os.X_OK) else None)
pytestmark = pytest.mark.skipif(KAMAILIO is None and not os.environ.get('CI'),
                                reason='kamailio is not installed (make venv installs it as root); under CI this test runs')

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.95.%d.' % (8 * WORKER + 1)
SITE_B_NET = '127.95.%d.' % (8 * WORKER + 2)
SERVER_NET = '127.95.%d.' % (8 * WORKER + 3)
REGISTRAR = {'A': SERVER_NET + '10', 'B': SERVER_NET + '20'}
PORT_BASE = 19500 + 10 * WORKER
ADMIN_HOST = '127.0.0.95'
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
SIP_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 3)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 4, PORT_BASE + 5

HOLD_PHONE, HOLD_DN = 'phone-a04', '1512'          # remote_hold alone, mwi without a number
OTHER = 'phone-b04'
PHONE_OWN_VOICE_MAIL = '8123'
# What a firmware default (2.2.8: use_proxy_ip_port_for_registrar=0) or a hand edit may leave.
STARTING_CONFIG = {'voip/signalling/sip/use_proxy_ip_port_for_registrar': '0',
                   'voip/signalling/sip/sip_registrar/enabled': '1',
                   'voip/signalling/sip/registrar_ka/enabled': '1',
                   'voip/services/msg_waiting_ind/voice_mail_number': PHONE_OWN_VOICE_MAIL}


def address(host):
    return (SITE_A_NET if host == HOLD_PHONE else SITE_B_NET) + '14'


def moved(text):
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def write_inventory(dest):
    copy_lab_inventory(dest, moved)
    path = os.path.join(dest, 'hosts.yml')
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    for group in data['phones']['children'].values():
        group['hosts'] = dict((h, v) for h, v in group['hosts'].items() if h in (HOLD_PHONE, OTHER))
        for name, host_vars in group['hosts'].items():
            if name == HOLD_PHONE:
                host_vars['lab_phone_config'] = dict(STARTING_CONFIG)
                host_vars['gac_lines'][0]['features'] = {'sip_auth': True, 'remote_hold': True, 'mwi': True}
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    path = os.path.join(dest, 'group_vars', 'all', 'main.yml')
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    for site in data['gac_sites']:
        site['sip_server']['address'] = REGISTRAR[site['name']]
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    return dest


@pytest.fixture(scope='module')
def rows(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('note_rows')
    inventory = write_inventory(str(tmp / 'inventory'))
    phones_file = str(tmp / 'phones.yml')
    phones_file_from(inventory, phones_file)
    overrides = only_these_emulators({
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1},
                  'sip': {'enabled': True, 'stagger_seconds': 0.5, 'transaction_timeout': 1.5,
                          'keepalive_seconds': 1, 'refresh_ratio': 0.1}},
        'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'http'}]},
        'sip': {'enabled': True, 'admin': SIP_ADMIN,
                'registrars': [{'name': 'site-%s' % s.lower(), 'switch': 'SIP_Switch_%s' % s, 'address': REGISTRAR[s]}
                               for s in ('A', 'B')]},
    })
    lab = lab_factory('note_rows', overrides)
    before = lab.get('phone', '/phones/%s/config' % address(HOLD_PHONE))
    deploy = run_playbook('deploy_bc.yml', inventory, HTTPS_PORT, ['gac_bc_mode=primary_fallback'])
    assert deploy.returncode == 0, deploy.stdout[-4000:] + deploy.stderr[-2000:]
    reports = str(tmp / 'reports')
    os.environ['AUDIOCODES_REPORT_DIR'] = reports
    try:
        verify = run_playbook('verify.yml', inventory, HTTPS_PORT, ['gac_bc_mode=primary_fallback'])
    finally:
        del os.environ['AUDIOCODES_REPORT_DIR']
    return lab, before, verify, os.path.join(reports, 'acceptance')


def tserver(lab, switch, number):
    """The TServer options of DN ``number`` on ``switch``, as the lab's GAX holds them."""
    dbid = [s['dbid'] for s in lab.get('gax', '/objects?type=CfgSwitch') if s['name'] == switch][0]
    for dn in lab.get('gax', '/objects?type=CfgDN&switchdbid=%s' % dbid):
        if dn['number'] == number:
            properties = (dn.get('userproperties') or {}).get('property') or []
            return dict((p['key'], p['value']) for p in properties if p['section'] == 'TServer')
    raise AssertionError('no DN %s on %s' % (number, switch))


def bindings(lab):
    """``{(phone address, DN): {registrar}}`` from both registrars' location tables."""
    found = {}
    for registrar, entries in lab.get('sip', '/location').items():
        for entry in entries or []:
            phone = entry['contact'].split('@', 1)[1].split(':', 1)[0].split(';', 1)[0]
            found.setdefault((phone, entry['aor']), set()).add(registrar)
    return found


def test_the_lab_phone_started_from_other_registration_settings(rows):
    _lab, before, _verify, _reports = rows
    assert dict((k, before.get(k)) for k in STARTING_CONFIG) == STARTING_CONFIG


def test_remote_hold_alone_writes_talk_hold_on_both_switches_and_the_talk_event(rows):
    lab = rows[0]
    for switch in ('SIP_Switch_A', 'SIP_Switch_B'):
        assert tserver(lab, switch, HOLD_DN)['sip-cti-control'] == 'talk,hold'
    assert lab.get('phone', '/phones/%s/config' % address(HOLD_PHONE))['voip/talk_event/enabled'] == '1'


def test_the_notes_registration_settings_are_on_the_phone(rows):
    config = rows[0].get('phone', '/phones/%s/config' % address(HOLD_PHONE))
    assert config['voip/signalling/sip/use_proxy_ip_port_for_registrar'] == '1'
    assert config['voip/signalling/sip/sip_registrar/enabled'] == '0'
    assert config['voip/signalling/sip/registrar_ka/enabled'] == '0'


def test_mwi_without_a_number_keeps_the_phones_own_voice_mail_number(rows):
    lab = rows[0]
    config = lab.get('phone', '/phones/%s/config' % address(HOLD_PHONE))
    assert config['voip/services/msg_waiting_ind/voice_mail_number'] == PHONE_OWN_VOICE_MAIL
    assert config['voip/services/msg_waiting_ind/enabled'] in ('ENABLE', '1')
    assert tserver(lab, 'SIP_Switch_A', HOLD_DN)['gvm_mailbox'] == HOLD_DN


def test_verify_writes_each_phones_checklist_with_the_registration_the_lab_holds(rows):
    lab, _before, verify, reports = rows
    assert verify.returncode == 0, verify.stdout[-4000:]
    for host in (HOLD_PHONE, OTHER):
        with open(os.path.join(reports, '%s.json' % host), encoding='utf-8') as handle:
            checklist = json.load(handle)
        with open(os.path.join(reports, '%s.md' % host), encoding='utf-8') as handle:
            assert handle.read().startswith('# Acceptance checklist: %s' % host)
        # the registrars' own location tables: which site holds each (phone, DN)
        held = bindings(lab)
        home = 'site-a' if host == HOLD_PHONE else 'site-b'
        automatic = [i for i in checklist['items'] if i['scenario'] == 'registration']
        assert automatic and all(i['result'] == ('passed' if held.get((address(host), i['dn'])) else 'failed')
                                 for i in automatic), (automatic, held)
        at_home = all(held.get((address(host), i['dn'])) == {home} for i in automatic)
        assert [i['result'] for i in checklist['items'] if i['scenario'] == 'bc_home_registration'] == [
            'passed' if at_home else 'failed']
        by_hand = [i['scenario'] for i in checklist['items'] if i['how'] == 'to test by hand']
        assert 'basic_call' in by_hand and 'bc_failover' in by_hand
    with open(os.path.join(reports, '%s.json' % HOLD_PHONE), encoding='utf-8') as handle:
        scenarios = [i['scenario'] for i in json.load(handle)['items'] if i['line'] == 0]
    assert 'hold_retrieve_3pcc' in scenarios and 'mwi' in scenarios and 'answer_3pcc' not in scenarios


def stored_password(lab, switch, code):
    dbid = [s['dbid'] for s in lab.get('gax', '/objects?type=CfgSwitch') if s['name'] == switch][0]
    found = lab.get('gax', '/objects?type=CfgAgentLogin&switchdbid=%s&logincode=%s' % (dbid, code))
    assert len(found) == 1, found
    return found[0]['password']


def test_agent_login_passwords_rotate_only_when_the_deployment_says_always(rows, tmp_path):
    # Issue 17 item 8: on_create (the default) keeps a password GAX already holds; always sends it.
    lab = rows[0]
    inventory = os.path.join(str(tmp_path), 'inventory')
    shutil.copytree(os.path.join(os.path.dirname(rows[3]), '..', 'inventory'), inventory)
    with open(os.path.join(inventory, 'group_vars', 'all', 'lab_secrets.yml'), encoding='utf-8') as handle:
        secrets = yaml.safe_load(handle)
    first = dict((code, str(secret)) for code, secret in secrets['lab_agent_passwords'].items())
    assert stored_password(lab, 'SIP_Switch_B', '7001') == first['7001']      # both switches in BC
    rotated = dict((code, 'Rotated-%s-Secret' % code) for code in first)
    secrets['lab_agent_passwords'] = rotated
    with open(os.path.join(inventory, 'group_vars', 'all', 'lab_secrets.yml'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump(secrets, handle)

    kept = run_playbook('deploy_bc.yml', inventory, HTTPS_PORT, ['gac_bc_mode=primary_fallback'])
    assert kept.returncode == 0, kept.stdout[-3000:]
    assert stored_password(lab, 'SIP_Switch_A', '7001') == first['7001']
    assert stored_password(lab, 'SIP_Switch_B', '7012') == first['7012']

    sent = run_playbook('deploy_bc.yml', inventory, HTTPS_PORT, ['gac_bc_mode=primary_fallback',
                                                                 'business_continuity_agent_login_update_secrets=always'])
    assert sent.returncode == 0, sent.stdout[-3000:]
    for switch in ('SIP_Switch_A', 'SIP_Switch_B'):
        for code in ('7001', '7002', '7011', '7012'):
            assert stored_password(lab, switch, code) == rotated[code]
    assert 'Rotated-7001-Secret' not in sent.stdout + sent.stderr


def test_sca_in_business_continuity_stops_deploy_bc_before_any_write(rows, tmp_path):
    # Issue 17 item 3: the note refuses SCA in Business Continuity (sections 5 and 6.1), whatever the
    # SIP Server release (the lab's sites state 8.1.101.75, which used to lift it).
    lab = rows[0]
    inventory = os.path.join(str(tmp_path), 'inventory')
    shutil.copytree(os.path.join(os.path.dirname(rows[3]), '..', 'inventory'), inventory)
    path = os.path.join(inventory, 'hosts.yml')
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    data['phones']['children']['site_b']['hosts'][OTHER]['gac_lines'][0]['features'] = {'sca': {'role': 'primary'}}
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    with open(os.path.join(inventory, 'group_vars', 'all', 'main.yml'), encoding='utf-8') as handle:
        assert all(site.get('sip_server_version') == '8.1.101.75' for site in yaml.safe_load(handle)['gac_sites'])
    before = lab.get('gax', '/objects?type=CfgDN')
    lab.post('phone', '/counters/reset')
    lab.post('gax', '/counters/reset')

    run = run_playbook('deploy_bc.yml', inventory, HTTPS_PORT, ['gac_bc_mode=primary_fallback'])
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-4000:]
    assert 'PREFLIGHT refused the inventory of this play, nothing was written' in output, output[-4000:]
    assert '[sca_business_continuity]' in output and '%s line 0 (dn 1530)' % OTHER in output, output[-4000:]
    assert 'section 6.1' in output and 'remove sca' in output, output[-4000:]
    # the lab's own counters: not one write, not even a web request, on the phones or GAX (the phones'
    # own SIP traffic to the registrars goes on and is counted under sip_* kinds)
    phone = lab.get('phone', '/counters')['totals']
    gax = lab.get('gax', '/counters')
    seen = (phone.get('writes', 0), phone.get('requests', 0), gax['writes']['requests'], gax['total'])
    assert seen == (0, 0, 0, 0), (phone, gax)
    assert all('shared-line' not in tserver(lab, switch, '1530') for switch in ('SIP_Switch_A', 'SIP_Switch_B'))
    assert lab.get('gax', '/objects?type=CfgDN') == before
