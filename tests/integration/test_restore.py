"""Rollback: playbooks/restore.yml puts a phone back to the configuration audiocodes_phone saved
before a change, with check mode and diff; a second run changes nothing.

Judged from the lab: the phone's configuration and its write counter (phone admin API).
Lab: two phones on 127.89.x.y, the admin API on 127.0.0.89 with high ports of their own.
"""

import os
import subprocess

import pytest
import yaml

from deploy_support import ANSIBLE_PLAYBOOK, PLAYBOOKS
from labfixture import CA_PATH, REPO_ROOT, only_these_emulators
from test_audiocodes_support import ADMIN_PASSWORD, run_module
from test_deployments import Run

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
NET = '127.89.%d.' % (1 + WORKER)
PORT_BASE = 18890 + 5 * WORKER
PHONE_ADMIN, HTTP_PORT, HTTPS_PORT = ('127.0.0.89:%d' % PORT_BASE), PORT_BASE + 1, PORT_BASE + 2
PHONES = {'desk-1': (NET + '1', '00:90:8F:89:00:01', '420HD'), 'desk-2': (NET + '2', '00:90:8F:89:00:02', '440HD')}
SEED = {'voip/line/0/id': '1890', 'voip/line/0/description': 'Desk before', 'voip/media/out_of_band_dtmf': 'RFC2833'}
CHANGE = {'voip/line/0/id': '1899', 'voip/line/0/description': 'Desk after', 'voip/media/out_of_band_dtmf': 'via_sip'}


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('restore')
    phones = [{'address': address, 'model': model, 'mac': mac, 'admin_password': ADMIN_PASSWORD, 'config': SEED}
              for address, mac, model in PHONES.values()]
    phones_file = str(tmp / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    inventory = tmp / 'inventory'
    os.makedirs(str(inventory))
    hosts = {'phones': {'hosts': dict((name, {'address': address, 'mac': mac, 'gac_model': model})
                                      for name, (address, mac, model) in PHONES.items()),
                        'vars': {'audiocodes_password': ADMIN_PASSWORD, 'ansible_connection': 'local',
                                 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}}}
    with open(str(inventory / 'hosts.yml'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump(hosts, handle)
    started = lab_factory('restore', only_these_emulators({'phone': {
        'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT, 'phones_file': phones_file,
        'variants': {'auth': 'cookie', 'apply': 'replace', 'after_upload': 'reboot'},
        'timings': {'reboot_seconds': 0.5}, 'faults': {'seed': 1}}}))
    started.inventory, started.backups = str(inventory), str(tmp / 'backups')
    return started


def config(lab, name):
    return lab.get('phone', '/phones/%s/config' % PHONES[name][0])


def writes(lab, name):
    return lab.get('phone', '/counters?phone=%s' % PHONES[name][0])['phones'].get(PHONES[name][0], {}).get('writes', 0)


def holds(lab, name, settings):
    current = config(lab, name)
    return all(current[key].lower() == value.lower() for key, value in settings.items())


def change_with_backup(lab, name):
    """What a deployment with audiocodes_phone_backup=true does: save the phone's file, then change it."""
    args = {'host': PHONES[name][0], 'port': HTTPS_PORT, 'ca_path': CA_PATH, 'password': ADMIN_PASSWORD,
            'settings': CHANGE, 'backup': True, 'backup_options': {'dir_path': lab.backups}}
    result, dummy = run_module('audiocodes_phone', args)
    assert result.get('failed') is not True and result['changed'] is True, result.get('msg')
    assert holds(lab, name, CHANGE)
    return result['backup_file']


@pytest.fixture
def changed(lab):
    lab.post('phone', '/reset')
    for name in PHONES:
        change_with_backup(lab, name)
    lab.post('phone', '/counters/reset')
    return lab


def run_restore(lab, *flags, extra=(), limit=None):
    """restore.yml as an operator runs it; the backups where audiocodes_phone saved them (AUDIOCODES_BACKUP_DIR)."""
    command = [ANSIBLE_PLAYBOOK, os.path.join(PLAYBOOKS, 'restore.yml'), '-i', lab.inventory,
               '-e', 'audiocodes_port=%d' % HTTPS_PORT, '-e', 'audiocodes_ca_path=%s' % CA_PATH,
               '-e', 'audiocodes_phone_reboot_timeout=60'] + list(flags)
    for item in extra:
        command += ['-e', item]
    if limit:
        command += ['--limit', limit]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'),
               AUDIOCODES_BACKUP_DIR=lab.backups)
    return Run(subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600,
                              check=False))


def test_check_mode_shows_the_rollback_and_writes_nothing(changed):
    run = run_restore(changed, '--check', '--diff')
    assert run.rc == 0, run.explain()
    assert all(writes(changed, name) == 0 for name in PHONES)
    assert all(holds(changed, name, CHANGE) for name in PHONES)
    # the diff names each key going back, before and after
    assert '-voip/line/0/description=Desk after' in run.output and '+voip/line/0/description=Desk before' in run.output, \
        run.explain()
    assert all(run.recap[name]['changed'] == 1 for name in PHONES), run.explain()


def test_restore_puts_every_phone_back_then_a_second_run_changes_nothing(changed):
    run = run_restore(changed, '--diff')
    assert run.rc == 0, run.explain()
    assert all(holds(changed, name, SEED) for name in PHONES), dict((n, config(changed, n)) for n in PHONES)
    assert ADMIN_PASSWORD not in run.output
    changed.post('phone', '/counters/reset')
    again = run_restore(changed)
    assert again.rc == 0, again.explain()
    assert all(again.recap[name]['changed'] == 0 for name in PHONES), again.explain()
    assert all(writes(changed, name) == 0 for name in PHONES)


def test_restore_file_names_one_backup_for_one_phone(changed):
    files = sorted(os.listdir(changed.backups))
    mine = [f for f in files if f.startswith(PHONES['desk-2'][0] + '_')][-1]
    refused = run_restore(changed, extra=['restore_file=%s' % os.path.join(changed.backups, mine)])
    assert refused.rc != 0 and '--limit' in refused.output, refused.explain()
    assert all(writes(changed, name) == 0 for name in PHONES)
    run = run_restore(changed, extra=['restore_file=%s' % os.path.join(changed.backups, mine)], limit='desk-2')
    assert run.rc == 0, run.explain()
    assert holds(changed, 'desk-2', SEED) and holds(changed, 'desk-1', CHANGE)


def test_a_phone_without_a_backup_is_named(changed):
    for name in os.listdir(changed.backups):
        if name.startswith(PHONES['desk-1'][0] + '_'):
            os.unlink(os.path.join(changed.backups, name))
    run = run_restore(changed, limit='desk-1')
    assert run.rc != 0 and 'no backup named %s_*' % PHONES['desk-1'][0] in run.output, run.explain()
    assert writes(changed, 'desk-1') == 0
