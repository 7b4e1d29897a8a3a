"""Issue 17 item 1: Auto-Answer (every call) and Remote Auto-Answer (the INVITE asks) each write
their own phone keys, judged by calling the lab's phones over SIP after a real deploy.

The lab runs on this module's own block: phones on 127.97.<8w+1>.14 (site A) and 127.97.<8w+2>.14
(site B), admin APIs and GAX on 127.0.0.97 with ports 19700 + 10w. No registrar: an INVITE goes
straight to the phone's SIP port, as a SIP Server's does once the line is registered. What the lab
phone does with an incoming call follows the AudioCodes administrator's manuals (tests/lab/phone/
sip.py ``auto_answer_delay``): it answers on its own only with ``voip/auto_answer/enabled=1``, at once
when the Alert-Info says ``info=alert-autoanswer``, and every call (after
``voip/advanced_auto_answer/timeout``, 5 s by default) only with ``voip/advanced_auto_answer/type=Manual``.
A variant of the lab's firmware (``without_assumed_keys``) lacks the advanced keys, as the 3.0.4
parameter database does.

- HEADER phone (phone-a04): ``remote_auto_answer`` alone.
- EVERY phone (phone-b04): ``auto_answer`` alone; both start from the firmware defaults.
"""

import os
import socket
import time
import uuid

import pytest
import yaml

from deploy_support import copy_lab_inventory, phones_file_from, run_playbook
from labfixture import only_these_emulators

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.97.%d.' % (8 * WORKER + 1)
SITE_B_NET = '127.97.%d.' % (8 * WORKER + 2)
PORT_BASE = 19700 + 10 * WORKER
ADMIN_HOST = '127.0.0.97'
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 4, PORT_BASE + 5
CALLER = '127.0.0.97'

HEADER, EVERY = 'phone-a04', 'phone-b04'
HEADER_DN, EVERY_DN = '1512', '1530'
ALERT_INFO = '<http://127.0.0.97/ring>;info=alert-autoanswer'
LINE_FEATURES = {HEADER: {'sip_auth': True, 'remote_auto_answer': True},
                 EVERY: {'auto_answer': True}}


def address(host):
    return (SITE_A_NET if host == HEADER else SITE_B_NET) + '14'


def moved(text):
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def write_inventory(dest, features):
    copy_lab_inventory(dest, moved)
    path = os.path.join(dest, 'hosts.yml')
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    for group in data['phones']['children'].values():
        group['hosts'] = dict((h, v) for h, v in group['hosts'].items() if h in features)
        for name, host_vars in group['hosts'].items():
            host_vars['gac_lines'][0]['features'] = features[name]
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    return dest


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('auto_answer')
    inventory = write_inventory(str(tmp / 'inventory'), LINE_FEATURES)
    phones_file = str(tmp / 'phones.yml')
    phones_file_from(inventory, phones_file)
    overrides = only_these_emulators({
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1},
                  # the lines exist (and retry their registration) without a registrar
                  'sip': {'enabled': True, 'stagger_seconds': 0.5, 'transaction_timeout': 1.0}},
        'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'http'}]},
    })
    return lab_factory('auto_answer', overrides), tmp


def deploy(tmp, name, features, extra=(), playbook='deploy_bc.yml'):
    inventory = write_inventory(str(tmp / name), features)
    return run_playbook(playbook, inventory, HTTPS_PORT, list(extra))


def config(lab, host):
    return lab.get('phone', '/phones/%s/config' % address(host))


def call(host, dn, headers=(), wait=1.5):
    """Send an INVITE to ``dn`` on ``host``'s SIP port; the status codes it answers within ``wait`` s."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((CALLER, 0))
    sock.settimeout(0.2)
    port = sock.getsockname()[1]
    call_id = uuid.uuid4().hex
    text = ('INVITE sip:%s@%s:5060 SIP/2.0\r\n'
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s\r\n'
            'From: <sip:agent-desktop@%s>;tag=%s\r\n'
            'To: <sip:%s@%s>\r\n'
            'Call-ID: %s\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n'
            'Contact: <sip:agent-desktop@%s:%d>\r\n%s'
            'Content-Length: 0\r\n\r\n'
            % (dn, address(host), CALLER, port, call_id[:12], CALLER, call_id[:8], dn, address(host), call_id,
               CALLER, port, ''.join('%s\r\n' % h for h in headers)))
    statuses = []
    try:
        sock.sendto(text.encode('utf-8'), (address(host), 5060))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and 200 not in statuses:
            try:
                data, _peer = sock.recvfrom(65535)
            except socket.timeout:
                continue
            statuses.append(int(data.split(b' ', 2)[1]))
    finally:
        sock.close()
    return call_id, statuses


def lab_call(lab, host, call_id):
    """The lab phone's own record of the call."""
    calls = lab.get('phone', '/phones/%s/sip' % address(host))['calls']
    return [c for c in calls if c['call_id'] == call_id][0]


def wait_for_lines(lab, host, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.get('phone', '/phones/%s/sip' % address(host))['lines']:
            return
        time.sleep(0.3)
    raise AssertionError('%s started no SIP line' % host)


@pytest.fixture(scope='module')
def deployed(lab):
    running, tmp = lab
    before = dict((h, config(running, h)) for h in (HEADER, EVERY))
    run = deploy(tmp, 'first', LINE_FEATURES)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    for host in (HEADER, EVERY):
        wait_for_lines(running, host)
    return running, tmp, before


def test_both_phones_started_from_the_firmware_defaults(deployed):
    _lab, _tmp, before = deployed
    for host in (HEADER, EVERY):
        assert before[host]['voip/auto_answer/enabled'] == '0'
        assert before[host]['voip/advanced_auto_answer/type'] == 'SIP_Header'


def test_remote_auto_answer_alone_answers_a_call_that_asks_and_rings_for_the_others(deployed):
    lab, _tmp, _before = deployed
    settings = config(lab, HEADER)
    assert (settings['voip/auto_answer/enabled'], settings['voip/advanced_auto_answer/type']) == ('1', 'SIP_Header')
    asked, statuses = call(HEADER, HEADER_DN, ['Alert-Info: %s' % ALERT_INFO])
    assert statuses == [200], statuses
    assert lab_call(lab, HEADER, asked)['state'] == 'answered'
    plain, statuses = call(HEADER, HEADER_DN, wait=6.5)     # longer than the phone's Manual timeout (5 s)
    assert statuses == [180], statuses
    assert lab_call(lab, HEADER, plain)['state'] == 'ringing'


def test_auto_answer_answers_every_call_after_the_phones_timeout(deployed):
    lab, _tmp, _before = deployed
    settings = config(lab, EVERY)
    assert (settings['voip/auto_answer/enabled'], settings['voip/advanced_auto_answer/type']) == ('1', 'Manual')
    plain, statuses = call(EVERY, EVERY_DN, wait=7)
    assert statuses == [180, 200], statuses
    assert lab_call(lab, EVERY, plain)['state'] == 'answered'


def test_auto_answer_stated_off_beside_remote_auto_answer_answers_only_the_calls_that_ask(deployed):
    lab, tmp, _before = deployed
    features = dict(LINE_FEATURES, **{EVERY: {'remote_auto_answer': True, 'auto_answer': False}})
    run = deploy(tmp, 'headers_only', features)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    history = lab.get('phone', '/phones/%s/history' % address(EVERY))
    assert history[-1]['changed'] == {'voip/advanced_auto_answer/type': ['Manual', 'SIP_Header']}
    wait_for_lines(lab, EVERY)
    plain, statuses = call(EVERY, EVERY_DN, wait=6.5)
    assert statuses == [180], statuses
    asked, statuses = call(EVERY, EVERY_DN, ['Alert-Info: %s' % ALERT_INFO])
    assert statuses == [200], statuses


def test_a_firmware_without_the_advanced_keys_refuses_auto_answer_before_any_write(deployed):
    lab, tmp, _before = deployed
    lab.post('phone', '/reset')
    for host in (HEADER, EVERY):
        lab.put('phone', '/phones/%s/variant' % address(host), {'without_assumed_keys': True})
    seeded = lab.get('phone', '/phones/%s/history' % address(EVERY))
    assert 'voip/advanced_auto_answer/type' not in config(lab, EVERY)
    # standalone: Business Continuity writes the redundant proxy mode, which this firmware lacks too
    run = deploy(tmp, 'old_firmware', LINE_FEATURES, ['gac_deployment=standalone'], 'deploy_standalone.yml')
    assert run.returncode != 0
    assert 'voip/advanced_auto_answer/type' in run.stdout, run.stdout[-4000:]
    assert lab.get('phone', '/phones/%s/history' % address(EVERY)) == seeded   # nothing written
    # the header-based auto-answer needs only auto_answer/enabled, which every firmware has
    assert config(lab, HEADER)['voip/auto_answer/enabled'] == '1'
    wait_for_lines(lab, HEADER)
    asked, statuses = call(HEADER, HEADER_DN, ['Alert-Info: %s' % ALERT_INFO])
    assert statuses == [200], statuses
