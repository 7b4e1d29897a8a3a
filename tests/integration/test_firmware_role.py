"""playbooks/upgrade_firmware.yml (role audiocodes_firmware) against six emulated phones.

Waves are the play's `serial`; stopping is its `max_fail_percentage` and the role's own share over
the whole play. Failures are injected in the lab (flash_fail_rate), and every judgement reads the
lab's records: running versions, upgrade records and request counters.
"""

import json
import os

import pytest
import requests
import yaml

from deploy_support import run_playbook
from labfixture import only_these_emulators
from test_audiocodes_support import ADMIN_PASSWORD

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
NET = '127.67.%d.' % (8 * WORKER + 1)
PORT_BASE = 18665 + 10 * WORKER
ADMIN = '127.0.0.68:%d' % PORT_BASE
HTTP_PORT, HTTPS_PORT = PORT_BASE + 1, PORT_BASE + 2
OLD, NEW = '2.2.16.501', '2.2.16.600'
# fw-6 already runs the target, fw-5 a newer release: neither is touched.
PHONES = [('440HD', OLD), ('420HD', OLD), ('430HD', OLD), ('405HD', OLD), ('405', '2.2.16.704'), ('440HD', NEW)]


@pytest.fixture(scope='module')
def fleet(lab_factory, tmp_path_factory):
    folder = tmp_path_factory.mktemp('firmware-role')
    phones = [{'address': NET + str(index), 'model': model, 'firmware': version, 'admin_password': ADMIN_PASSWORD}
              for index, (model, version) in enumerate(PHONES, start=1)]
    phones_file = str(folder / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    lab = lab_factory('firmware-role', only_these_emulators({'phone': {
        'admin': ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT, 'phones_file': phones_file,
        'timings': {'reboot_seconds': 0.5, 'flash_seconds': 0.5, 'firmware_verify_seconds': 0.5},
        'faults': {'seed': 1}}}))
    images = {}
    for model in sorted(set(model for model, dummy in PHONES)):
        answer = requests.get(lab.admin_url('phone') + '/firmware/image',
                              params={'model': model, 'version': NEW, 'size': 4096}, timeout=30)
        answer.raise_for_status()
        path = folder / ('%s_%s.img' % (model, NEW))
        path.write_bytes(answer.content)
        images[model] = str(path)
    inventory = folder / 'hosts.yml'
    hosts = dict(('fw-%d' % index, {'address': NET + str(index)}) for index in range(1, len(PHONES) + 1))
    inventory.write_text(yaml.safe_dump({'phones': {'hosts': hosts, 'vars': {
        'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}',
        'audiocodes_password': ADMIN_PASSWORD, 'audiocodes_timeout': 10,
        'audiocodes_firmware_version': NEW, 'audiocodes_firmware_images': images,
        'audiocodes_firmware_reboot_timeout': 60}}}))
    # The role alone, waves of two, no max_fail_percentage: only the role's own share stops it.
    (folder / 'role_only.yml').write_text(yaml.safe_dump([{
        'name': 'Upgrade with the role alone', 'hosts': 'phones', 'gather_facts': False, 'serial': 2,
        'roles': [{'role': 'telephony.genesys_audiocodes.audiocodes_firmware'}]}]))
    return Fleet(lab, str(inventory), str(folder / 'role_only.yml'))


class Fleet:
    def __init__(self, lab, inventory, role_only):
        self.lab = lab
        self.inventory = inventory
        self.role_only = role_only

    def reset(self, failing=()):
        self.lab.post('phone', '/reset')
        if failing:
            self.lab.put('phone', '/faults', {'per_phone': dict((NET + str(i), {'flash_fail_rate': 1.0}) for i in failing)})
        self.lab.post('phone', '/counters/reset')

    def play(self, playbook='upgrade_firmware.yml', **extra):
        items = [json.dumps({key: value}) for key, value in extra.items()]
        return run_playbook(playbook, self.inventory, HTTPS_PORT, items)

    def firmware(self):
        return dict((address, record['running']) for address, record in self.lab.get('phone', '/firmware').items())

    def records(self, index):
        return self.lab.get('phone', '/phones/%s%d/firmware' % (NET, index))['upgrades']

    def requests(self, index):
        counters = self.lab.get('phone', '/counters')['phones'].get(NET + str(index), {})
        return counters.get('requests', sum(counters.values()))


def test_every_phone_below_the_target_is_upgraded_in_waves_and_others_left_alone(fleet):
    fleet.reset()
    run = fleet.play(audiocodes_firmware_serial=[1, 5], audiocodes_firmware_max_fail_percentage=0)   # a canary first
    assert run.returncode == 0, run.stdout[-3000:]
    running = fleet.firmware()
    assert [running[NET + str(i)] for i in range(1, 7)] == [NEW, NEW, NEW, NEW, '2.2.16.704', NEW]
    assert [len(fleet.records(i)) for i in range(1, 7)] == [1, 1, 1, 1, 0, 0]
    assert run.stdout.count('PLAY [Upgrade the phones') == 2      # the canary, then the other five


def test_the_play_stops_after_a_wave_in_which_too_many_failed(fleet):
    fleet.reset(failing=(1,))       # one of the first two: 50% of the wave > 30%
    run = fleet.play(audiocodes_firmware_serial=2, audiocodes_firmware_max_fail_percentage=30)
    assert run.returncode != 0
    assert [r['result'] for r in fleet.records(1)] == ['failed'] and [r['result'] for r in fleet.records(2)] == ['flashed']
    running = fleet.firmware()
    assert running[NET + '1'] == OLD and running[NET + '2'] == NEW
    for index in range(3, 7):            # the later waves were never started: not one request
        assert fleet.requests(index) == 0 and fleet.records(index) == [] and running[NET + str(index)] == PHONES[index - 1][1]
    assert 'its old version' in run.stdout


def test_the_role_stops_later_waves_once_too_many_phones_of_the_play_failed(fleet):
    fleet.reset(failing=(1,))
    # No max_fail_percentage: the play would go on; the role's share over the play (1 of 6 > 10%) stops it.
    run = fleet.play(fleet.role_only)
    assert run.returncode != 0
    assert [r['result'] for r in fleet.records(1)] == ['failed'] and fleet.firmware()[NET + '2'] == NEW
    for index in range(3, 7):
        assert fleet.requests(index) == 0 and fleet.records(index) == []
    assert 'not upgraded: 1 of 6 phones failed already' in run.stdout
