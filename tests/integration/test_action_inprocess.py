"""The phone modules' action plugins: in the controller process, the same results as the modules.

The same playbook runs twice against the same lab, reset in between: once as shipped (the phone
hosts' connection is local, so the action plugins call the core functions in the worker
process), once with ``audiocodes_in_process=false`` (the modules run as modules). Both runs must
register the same results (changes, diff, failures, warnings, masked invocation), leave every phone
in the same state with the same history, and cost each phone the same requests, by the lab's own
counters. The in-process run must not have started one module payload of a phone module; the
module run must have. No secret appears in either run's output.

Lab: phones only, on 127.110.x.y (worker-shifted), admin API on 127.0.0.110, high ports, 3-second
reboots (longer than the settling time after an upload, so both paths see the phone go down).
"""

import json
import os
import subprocess
import sys

import pytest
import yaml

from labfixture import CA_PATH, REPO_ROOT, only_these_emulators

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
NET = '127.110.%d.' % (WORKER + 1)
PORT_BASE = 18800 + 10 * WORKER
PHONE_ADMIN = '127.0.0.110:%d' % PORT_BASE
HTTP_PORT, HTTPS_PORT = PORT_BASE + 1, PORT_BASE + 2
ADMIN_PASSWORD = 'Adm1n-Action-Pw'
LINE_PASSWORD = 'Sip-Action-1502-q'
PHONES = (('phone-1', '420HD'), ('phone-2', '440HD'), ('phone-3', '405'))
# Requests while waiting for a restarting phone depend on timing, not on the path taken.
POLLS = ('requests', 'status', 'login_page')
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

PLAYBOOK = r'''
- name: Phone modules, every path of the action plugins
  hosts: phones
  gather_facts: false
  module_defaults:
    group/telephony.genesys_audiocodes.audiocodes:
      host: "{{ address }}"
      port: %(port)d
      password: "{{ audiocodes_password }}"
      ca_path: %(ca)s
      timeout: 10
  vars:
    wanted:
      voip/line/0/id: "1502"
      voip/line/0/description: Agent 1502
      voip/line/0/auth_name: "1502"
      voip/line/0/auth_password: %(line_password)s
      voip/signalling/sip/use_proxy: true
      voip/signalling/sip/proxy_address: 127.0.2.10
  tasks:
    - name: What would change (check mode, diff)
      telephony.genesys_audiocodes.audiocodes_phone:
        settings: "{{ wanted }}"
      check_mode: true
      diff: true
      register: r_check

    - name: Apply, waiting for the restart
      telephony.genesys_audiocodes.audiocodes_phone:
        settings: "{{ wanted }}"
        reboot_timeout: 60
      diff: true
      register: r_apply

    - name: Apply again (nothing changes)
      telephony.genesys_audiocodes.audiocodes_phone:
        settings: "{{ wanted }}"
      register: r_again

    - name: Read device and configuration
      telephony.genesys_audiocodes.audiocodes_phone_info:
        gather: [device, config]
      register: r_info

    - name: Restart in check mode
      telephony.genesys_audiocodes.audiocodes_phone_reboot:
      check_mode: true
      register: r_reboot

    - name: An unknown option
      telephony.genesys_audiocodes.audiocodes_phone:
        settings: {}
        no_such_option: 1
      register: r_unknown
      ignore_errors: true

    - name: A key the firmware does not know
      telephony.genesys_audiocodes.audiocodes_phone:
        settings: {voip/no/such/key: "1", voip/line/0/auth_password: %(line_password)s}
      register: r_badkey
      ignore_errors: true

    - name: A wrong password
      telephony.genesys_audiocodes.audiocodes_phone_info:
        password: Wrong-Action-Pw
        gather: [device]
      register: r_login
      ignore_errors: true

    - name: Keep the results
      ansible.builtin.copy:
        content: "{{ {'check': r_check, 'apply': r_apply, 'again': r_again, 'info': r_info, 'reboot': r_reboot,
                     'unknown': r_unknown, 'badkey': r_badkey, 'login': r_login} | to_json }}"
        dest: "{{ results_dir }}/{{ inventory_hostname }}.json"
        mode: "0600"
      delegate_to: localhost
'''


@pytest.fixture(scope='module')
def bench(lab_factory, tmp_path_factory):
    folder = tmp_path_factory.mktemp('action-inprocess')
    phones, hosts = [], {}
    for index, (name, model) in enumerate(PHONES, start=1):
        address = NET + str(index)
        phones.append({'address': address, 'model': model, 'admin_password': ADMIN_PASSWORD,
                       'config': {'voip/line/0/id': '1501'}})
        hosts[name] = {'address': address}
    phones_file = str(folder / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    inventory = str(folder / 'hosts.yml')
    with open(inventory, 'w', encoding='utf-8') as handle:
        yaml.safe_dump({'phones': {'hosts': hosts, 'vars': {
            'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
            'audiocodes_password': ADMIN_PASSWORD}}}, handle)
    playbook = str(folder / 'playbook.yml')
    with open(playbook, 'w', encoding='utf-8') as handle:
        handle.write(PLAYBOOK % {'port': HTTPS_PORT, 'ca': CA_PATH, 'line_password': LINE_PASSWORD})
    lab = lab_factory('action-inprocess', only_these_emulators({'phone': {
        'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT, 'phones_file': phones_file,
        'variants': {'auth': 'cookie', 'apply': 'replace', 'after_upload': 'reboot'},
        'timings': {'reboot_seconds': 3}}}))
    return {'lab': lab, 'inventory': inventory, 'playbook': playbook, 'folder': folder,
            'runs': dict((in_process, play(lab, inventory, playbook, folder, in_process)) for in_process in (True, False))}


def play(lab, inventory, playbook, folder, in_process):
    """Run the playbook on a freshly reset lab; its output, results and the lab's word afterwards."""
    lab.post('phone', '/reset')
    results_dir = folder / ('results-%s' % ('inprocess' if in_process else 'module'))
    results_dir.mkdir()
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'))
    command = [ANSIBLE_PLAYBOOK, playbook, '-i', inventory, '-vvv', '-e', 'results_dir=%s' % results_dir,
               '-e', 'audiocodes_in_process=%s' % str(in_process).lower()]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    with open(str(folder / ('run-%s.log' % results_dir.name)), 'w', encoding='utf-8') as handle:
        handle.write(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = {}
    for name, _model in PHONES:
        with open(str(results_dir / (name + '.json')), encoding='utf-8') as handle:
            results[name] = json.load(handle)
    addresses = [NET + str(index) for index in range(1, len(PHONES) + 1)]
    return {
        'output': done.stdout + done.stderr,
        'results': results,
        'configs': dict((a, lab.get('phone', '/phones/%s/config' % a)) for a in addresses),
        'history': dict((a, [entry['changed'] for entry in lab.get('phone', '/phones/%s/history' % a)]) for a in addresses),
        'counters': lab.get('phone', '/counters')['phones'],
    }


def comparable(result):
    """A registered result without what Ansible itself adds around a task (not the module's)."""
    return dict((key, value) for key, value in result.items() if not key.startswith('_ansible'))


def test_the_in_process_run_starts_no_phone_module_and_the_module_run_does(bench):
    in_process, module = bench['runs'][True]['output'], bench['runs'][False]['output']
    for name in ('audiocodes_phone', 'audiocodes_phone_info', 'audiocodes_phone_reboot'):
        assert 'AnsiballZ_%s.py' % name not in in_process
        assert 'AnsiballZ_%s.py' % name in module
    assert in_process.count('in the controller process (connection local)') == 8 * len(PHONES)
    assert 'in the controller process' not in module


def test_both_paths_register_the_same_results(bench):
    in_process, module = bench['runs'][True]['results'], bench['runs'][False]['results']
    for host in in_process:
        for task in in_process[host]:
            assert comparable(in_process[host][task]) == comparable(module[host][task]), (host, task)


def test_the_results_say_what_the_modules_say(bench):
    results = bench['runs'][True]['results']['phone-1']
    assert results['check']['changed'] and results['check']['diff']['before']
    assert results['apply']['changed'] and results['apply']['rebooted'] is True
    assert not results['again']['changed']
    assert results['info']['device']['model'] == '420HD'
    assert results['reboot']['changed'] and results['reboot']['rebooted'] is False
    assert results['unknown']['failed'] and 'Unsupported parameters' in results['unknown']['msg']
    assert results['badkey']['failed'] and 'voip/no/such/key' in results['badkey']['msg']
    assert results['login']['failed'] and 'phone %s1' % NET in results['login']['msg']


def test_the_invocation_shows_no_log_values_as_the_module_does(bench):
    # -vvv shows each task's invocation: the password and the line's auth_password (a secret key
    # of settings) replaced, as many times on both paths.
    outputs = [bench['runs'][path]['output'] for path in (True, False)]
    for marker in ('password: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', 'auth_password: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'):
        assert outputs[0].count(marker) == outputs[1].count(marker) > 0, marker


def test_both_paths_leave_the_same_lab_at_the_same_cost(bench):
    in_process, module = bench['runs'][True], bench['runs'][False]
    assert in_process['configs'] == module['configs']
    assert in_process['history'] == module['history']
    for address, config in in_process['configs'].items():
        assert config['voip/line/0/id'] == '1502' and config['voip/line/0/auth_password'] == LINE_PASSWORD, address
    for address in in_process['counters']:
        wanted = dict((kind, n) for kind, n in module['counters'][address].items() if kind not in POLLS)
        got = dict((kind, n) for kind, n in in_process['counters'][address].items() if kind not in POLLS)
        assert got == wanted, address


def test_no_secret_in_either_run(bench):
    for run in bench['runs'].values():
        text = run['output'] + json.dumps(run['results'])
        assert ADMIN_PASSWORD not in text
        assert LINE_PASSWORD not in text
        assert 'Wrong-Action-Pw' not in text
