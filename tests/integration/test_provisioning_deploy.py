"""deploy_bc through the provisioning server (apply_method: provisioning), for real against the lab.

Acceptance of the zero-touch path: Business Continuity with `business_continuity_apply_method:
provisioning` converges, a second run changes nothing, and every phone ends in the configuration
the web path gives it. The lab runs the phones (with their SIP stack, which answers the check-sync
NOTIFY), the GAX and the provisioning server (HTTPS, Basic authentication, a name from the lab's
name table) on this module's own block. Verdicts come from the lab's admin APIs (the phones'
configurations and fetches, the server's request log); the playbook output is read only for the
PLAY RECAP.
"""

import os
import re

import pytest

from deploy_support import copy_lab_inventory, phones_file_from, run_playbook
from labfixture import only_these_emulators

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.71.%d.' % (2 * WORKER + 1)
SITE_B_NET = '127.71.%d.' % (2 * WORKER + 2)
ADMIN_HOST = '127.0.0.71'
PORT_BASE = 18720 + 10 * WORKER
PHONE_ADMIN, GAX_LISTEN, GAX_ADMIN = PORT_BASE, PORT_BASE + 1, PORT_BASE + 2
HTTP_PORT, HTTPS_PORT = PORT_BASE + 3, PORT_BASE + 4
PROV_LISTEN, PROV_ADMIN = PORT_BASE + 5, PORT_BASE + 6
PROV_NAME = 'prov.deploy.lab.test'
PROV_USER, PROV_PASSWORD = 'phones', 'Prov-Deploy-Pw-71'
CONFIG_URL = 'https://%s:%s@%s:%d/phones/' % (PROV_USER, PROV_PASSWORD, PROV_NAME, PROV_LISTEN)
# Nothing answers SIP on these: the lines' registration is not what this test judges.
SIP_A, SIP_B = '127.0.0.72', '127.0.0.73'
# An SCA pair (its primary and a secondary) and a phone of the other site.
HOSTS = ['phone-a01', 'phone-a02', 'phone-b05']
RECAP_RE = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def moved(text):
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s:%d' % (ADMIN_HOST, GAX_LISTEN))
            .replace('127.0.0.10', SIP_A).replace('127.0.0.20', SIP_B))


@pytest.fixture(scope='module')
def deploy(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('provisioning-deploy')
    inventory = str(tmp / 'inventory')
    copy_lab_inventory(inventory, moved)
    phones_file = phones_file_from(inventory, str(tmp / 'phones.yml'))
    lab = lab_factory('provisioning-deploy', only_these_emulators({
        'phone': {'admin': '%s:%d' % (ADMIN_HOST, PHONE_ADMIN), 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1},
                  'sip': {'enabled': True, 'stagger_seconds': 0}},
        'gax': {'admin': '%s:%d' % (ADMIN_HOST, GAX_ADMIN),
                'instances': [{'name': 'gax', 'listen': '%s:%d' % (ADMIN_HOST, GAX_LISTEN), 'scheme': 'http'}]},
        'provserver': {'enabled': True, 'listen': '%s:%d' % (ADMIN_HOST, PROV_LISTEN),
                       'admin': '%s:%d' % (ADMIN_HOST, PROV_ADMIN), 'users': {PROV_USER: PROV_PASSWORD}},
        'names': [{'name': PROV_NAME, 'addresses': [ADMIN_HOST]}],
    }))
    return lab, inventory


def play(inventory, *extra):
    result = run_playbook('deploy_bc.yml', inventory, HTTPS_PORT, extra=list(extra), limit=','.join(HOSTS))
    recap = dict((m.group(1), int(m.group(3)))
                 for m in RECAP_RE.finditer(result.stdout.split('PLAY RECAP', 1)[-1]))
    return result, recap


def explain(result):
    return 'exit %d; output ends:\n%s' % (result.returncode, (result.stdout + result.stderr)[-6000:])


def address(host):
    site, number = host.split('-')[1][0], int(host.split('-')[1][1:])
    return (SITE_A_NET if site == 'a' else SITE_B_NET) + str(10 + number)


def configs(lab):
    return dict((host, lab.get('phone', '/phones/%s/config' % address(host))) for host in HOSTS)


def test_deploy_bc_through_the_provisioning_server_equals_the_web_path(deploy):
    lab, inventory = deploy
    directory = lab.ready('provserver')['directory']
    provisioning = ('business_continuity_apply_method=provisioning', 'provisioning_config_url=%s' % CONFIG_URL,
                    'provisioning_directory=%s' % directory, 'audiocodes_provisioning_reboot_timeout=60')

    first, recap = play(inventory, *provisioning)
    assert first.returncode == 0, explain(first)
    assert sorted(recap) == sorted(HOSTS) and all(recap[host] for host in HOSTS), explain(first)
    assert PROV_PASSWORD not in first.stdout + first.stderr and 'lab-sip-1501-Kq7' not in first.stdout
    # each phone fetched its own file from the server, over HTTPS with the URL's credentials
    served = [r for r in lab.get('provserver', '/requests') if r['status'] == 200]
    assert sorted(set(r['client'] for r in served)) == sorted(address(host) for host in HOSTS)
    for host in HOSTS:
        fetched = lab.get('phone', '/phones/%s/provisioning' % address(host))
        own_file = lab.get('phone', '/phones/%s' % address(host))['mac'].replace(':', '').lower() + '.cfg'
        # the URL names the phone's own file (docs/compatibility.md P24)
        assert fetched['method'].lower() == 'static' and fetched['url'] == CONFIG_URL + own_file
        assert [f['trigger'] for f in fetched['fetches'] if f['outcome'] == 'applied'] == ['check-sync'], fetched
    files = lab.get('provserver', '/files')
    assert len(files) == len(HOSTS) and all(f['mode'] == '0600' for f in files)
    by_provisioning = configs(lab)
    assert by_provisioning['phone-a01']['voip/line/0/id'] == '1501'
    assert by_provisioning['phone-a01']['voip/line/0/auth_password'] == 'lab-sip-1501-Kq7'

    lab.post('phone', '/counters/reset')
    lab.post('provserver', '/counters/reset')
    second, recap = play(inventory, *provisioning)
    assert second.returncode == 0, explain(second)
    assert recap == dict((host, 0) for host in HOSTS), explain(second)
    # nothing written, nothing fetched: the phones' own counters and the server's log say so
    totals = lab.get('phone', '/counters')['totals']
    assert totals.get('writes', 0) == 0 and totals.get('provisioning_fetch', 0) == 0, totals
    assert lab.get('provserver', '/counters').get('requests', 0) == 0
    assert configs(lab) == by_provisioning

    # The same inventory through the phones' web interface, from the same seed. The provisioning
    # settings (the URL, and the phone's check of the server's certificate over https) are the
    # provisioning path's own.
    lab.post('phone', '/reset')
    lab.post('gax', '/reset')
    web, recap = play(inventory)
    assert web.returncode == 0, explain(web)
    by_web = configs(lab)
    for host in HOSTS:
        differ = dict((key, (by_provisioning[host].get(key), value)) for key, value in by_web[host].items()
                      if not key.startswith(('provisioning/', 'security/provisioning/'))
                      and by_provisioning[host].get(key) != value)
        assert differ == {}, '%s ends differently through the provisioning server: %s' % (host, differ)
