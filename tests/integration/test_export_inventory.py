"""Adopting a running site: export the lab's phones and switches into an inventory, then deploy it.

The lab runs on this module's own block (phones on 127.120.x.y, GAX and the admin APIs on
127.0.0.120). A hand-made part is planted through the lab's own means before anything runs: a key
on one phone that no feature writes (lab_phone_config), an annex option on DN 1501 and a DN no
phone uses (GAX admin API). The lab inventory is deployed, then exported from a seed inventory that
names only addresses, credentials and sites. Judged from the lab's state (phone configurations and
GAX objects before and after) and from the files written; the playbook output is read only for the
PLAY RECAP and to search it for secrets.
"""

import copy
import json
import os
import re
import stat
import subprocess

import pytest
import yaml

from deploy_support import ANSIBLE_PLAYBOOK, PLAYBOOKS, copy_lab_inventory, phones_file_from
from labfixture import CA_PATH, REPO_ROOT, only_these_emulators

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.120.%d.' % (8 * WORKER + 1)
SITE_B_NET = '127.120.%d.' % (8 * WORKER + 2)
PORT_BASE = 19300 + 10 * WORKER
ADMIN_HOST = '127.0.0.120'
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 3, PORT_BASE + 4

RECAP_RE = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
HAND_KEY = ('voip/signalling/sip/redundant_proxy/keepalive_period', '30')


def moved(text):
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def load(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def dump(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)


def hosts_of(inventory):
    found = {}
    for group in load(os.path.join(inventory, 'hosts.yml'))['phones']['children'].values():
        for name, entry in group['hosts'].items():
            found[name] = dict(group.get('vars') or {}, **entry)
    return found


def play(playbook, inventories, extra=(), check=False, options=()):
    command = [ANSIBLE_PLAYBOOK, os.path.join(PLAYBOOKS, playbook)] + list(options)
    for inventory in inventories:
        command += ['-i', inventory]
    command += ['-e', 'audiocodes_port=%d' % HTTPS_PORT, '-e', 'audiocodes_ca_path=%s' % CA_PATH,
                '-e', 'audiocodes_phone_verify_delay=1', '-e', 'audiocodes_phone_reboot_timeout=60']
    for item in extra:
        command += ['-e', item]
    if check:
        command.append('--check')
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'))
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    return result


def recap(result):
    return dict((host, {'changed': int(c), 'unreachable': int(u), 'failed': int(f)})
                for host, _ok, c, u, f in RECAP_RE.findall(result.stdout))


@pytest.fixture(scope='module')
def site(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('export')
    inventory = copy_lab_inventory(str(tmp / 'inventory'), moved)
    data = load(os.path.join(inventory, 'hosts.yml'))
    data['phones']['children']['site_a']['hosts']['phone-a01']['lab_phone_config'] = {HAND_KEY[0]: HAND_KEY[1]}
    dump(os.path.join(inventory, 'hosts.yml'), data)
    phones_file = phones_file_from(inventory, str(tmp / 'phones.yml'))
    lab = lab_factory('export', only_these_emulators({
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1}},
        'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'http'}]},
    }))
    switches = dict((s['name'], s['dbid']) for s in lab.get('gax', '/objects?type=CfgSwitch'))
    # by hand, before the collection ever ran: DN 1501 with an option no feature names, and a DN no phone uses
    for number, options in (('1501', {'contact': '*', 'wrap-up-time': '30'}), ('1599', {'contact': '*'})):
        lab.post('gax', '/objects', {
            'type': 'CfgDN', 'subtype': 'CFGExtension', 'number': number, 'switchdbid': switches['SIP_Switch_A'],
            'userproperties': {'property': [{'section': 'TServer', 'key': k, 'value': v} for k, v in options.items()]}})
    # the lab's seed holds Agent Login 7000 on switch A only; a site run by hand in Business
    # Continuity has it on both switches (a login on one switch only is a conflict of the export)
    for login in lab.get('gax', '/objects?type=CfgAgentLogin'):
        if str(login.get('logincode')) == '7000':
            lab.post('gax', '/objects', {'type': 'CfgAgentLogin', 'logincode': '7000', 'switchdbid': switches['SIP_Switch_B'],
                                         'userproperties': login.get('userproperties')})
    first = play('deploy_bc.yml', [inventory])
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    seed = str(tmp / 'seed')
    main = load(os.path.join(inventory, 'group_vars', 'all', 'main.yml'))
    secrets = load(os.path.join(inventory, 'group_vars', 'all', 'lab_secrets.yml'))
    sites = copy.deepcopy(main['gac_sites'])
    for entry in sites:
        entry.pop('agent_logins', None)
    dump(os.path.join(seed, 'hosts.yml'), {'phones': {'hosts': dict(
        (name, {'address': entry['address']}) for name, entry in hosts_of(inventory).items())}})
    dump(os.path.join(seed, 'group_vars', 'all', 'main.yml'), {
        'gac_sites': sites, 'audiocodes_password': secrets['audiocodes_password'],
        'gax_username': secrets['gax_username'], 'gax_password': secrets['gax_password'],
        'audiocodes_validate_certs': True, 'ansible_python_interpreter': '{{ ansible_playbook_python }}'})
    return {'lab': lab, 'inventory': inventory, 'seed': seed, 'tmp': tmp, 'secrets': secrets}


def lab_state(lab):
    phones = dict((p['address'], lab.get('phone', '/phones/%s/config' % p['address'])) for p in lab.get('phone', '/phones'))
    dns = sorted(json.dumps(dn, sort_keys=True) for dn in lab.get('gax', '/objects?type=CfgDN'))
    logins = sorted(json.dumps(login, sort_keys=True) for login in lab.get('gax', '/objects?type=CfgAgentLogin'))
    return phones, dns, logins


def every_secret(secrets):
    found = [secrets['audiocodes_password'], secrets['gax_password']]
    found += list(secrets['lab_sip_passwords'].values()) + list(secrets['lab_agent_passwords'].values())
    return found


@pytest.fixture(scope='module')
def exported(site):
    dest = str(site['tmp'] / 'exported')
    before = lab_state(site['lab'])
    result = play('export_inventory.yml', [site['seed']], ['export_dir=%s' % dest])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert lab_state(site['lab']) == before          # the export only reads
    return dict(site, dest=dest, output=result.stdout + result.stderr)


def test_the_export_writes_the_inventory_files_private_and_no_secret_outside_the_vault_file(exported):
    dest = exported['dest']
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o700
    for name in ('hosts.yml', 'group_vars/all/main.yml', 'group_vars/all/vault.yml', 'export-report.md',
                 'export-report.json'):
        path = os.path.join(dest, name)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, name
        if name.endswith('vault.yml'):
            continue
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        for secret in every_secret(exported['secrets']):
            assert secret not in text, name
    for secret in every_secret(exported['secrets']):
        assert secret not in exported['output']
    vault = load(os.path.join(dest, 'group_vars', 'all', 'vault.yml'))
    assert vault['vault_sip_passwords'] == dict((dn, pw) for dn, pw in exported['secrets']['lab_sip_passwords'].items()
                                                if dn in vault['vault_sip_passwords'])
    assert len(vault['vault_sip_passwords']) >= 5
    assert 'no vault secret was given' in exported['output']     # the warning of a file in clear


def test_the_export_infers_the_deployment_and_each_phones_lines_and_features(exported):
    group = load(os.path.join(exported['dest'], 'group_vars', 'all', 'main.yml'))
    assert (group['gac_deployment'], group['gac_bc_mode'], group['gac_bc_sites']) == (
        'business_continuity', 'primary_fallback', ['A', 'B'])
    original = hosts_of(exported['inventory'])
    ours = load(os.path.join(exported['dest'], 'hosts.yml'))['phones']['hosts']
    with open(os.path.join(exported['dest'], 'export-report.json'), encoding='utf-8') as handle:
        decided = set((item['subject'].split()[1], item['feature']) for item in json.load(handle)['decisions'])
    assert sorted(ours) == sorted(original)
    for host, entry in original.items():
        mine = ours[host]
        assert (mine['gac_model'], mine['gac_site']) == (str(entry['gac_model']).upper(), entry['gac_site']), host
        assert mine['mac'].replace(':', '').lower() == entry['mac'].replace(':', '').lower()
        wanted = [line for line in entry['gac_lines'] if line.get('state', 'present') == 'present']
        assert [line['dn'] for line in mine['gac_lines']] == [line['dn'] for line in wanted], host
        flags = set()
        for line in wanted:
            # dtmf_method: rfc2833 writes the firmware default, the same as off: it reads back as off;
            # the lab's shared lines are off in Business Continuity (the note refuses SCA there)
            flags.update(name for name, value in (line.get('features') or {}).items()
                         if value not in (False, None) and (name, value) != ('dtmf_method', 'rfc2833')
                         and not (isinstance(value, str) and "gac_deployment != 'business_continuity'" in value))
        found = set()
        for line in mine['gac_lines']:
            found.update(line.get('features') or {})
        # what the devices cannot tell apart is a listed decision, never a silent guess
        assert flags <= found and set((host, name) for name in found - flags) <= decided, host


def test_the_report_lists_the_hand_made_settings_and_what_cannot_be_read(exported):
    with open(os.path.join(exported['dest'], 'export-report.json'), encoding='utf-8') as handle:
        report = json.load(handle)
    assert report['conflicts'] == [] and report['preflight'] == [] and report['unread'] == []
    keys = [(item['subject'].split()[1], item['key'], item['value']) for item in report['unexplained_phone_keys']]
    assert ('phone-a01', HAND_KEY[0], HAND_KEY[1]) in keys
    options = [(item['subject'], item['option'], item['value']) for item in report['unexplained_dn_options']]
    assert ('DN 1501 on the switch of site A', 'wrap-up-time', '30') in options
    unused = [item['subject'] for item in report['unused_dns']]
    assert 'DN 1599 on the switch of site A' in unused          # planted by hand
    assert not any(item.startswith('DN 15%02d ' % n) for item in unused for n in range(1, 20))  # the inventory's DNs
    # every Agent Login the switches hold (the lab's seed has 7000 besides the inventory's)
    assert {'7001', '7002', '7011', '7012'} <= set(item['subject'].split()[2] for item in report['not_recoverable'])
    with open(os.path.join(exported['dest'], 'export-report.md'), encoding='utf-8') as handle:
        markdown = handle.read()
    assert 'wrap-up-time' in markdown and HAND_KEY[0] in markdown


def test_a_deploy_and_a_drift_of_the_export_change_nothing(exported):
    lab = exported['lab']
    before = lab_state(lab)
    inventories = [exported['seed'], exported['dest']]
    drift = play('drift.yml', inventories)
    assert drift.returncode == 0, drift.stdout[-4000:]
    assert drift.stdout.count('changed=0') == len(recap(drift)) and recap(drift)
    again = play('deploy_bc.yml', inventories)
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-2000:]
    assert recap(again) and all(counts['changed'] == 0 and counts['failed'] == 0 for counts in recap(again).values()), \
        again.stdout[-4000:]
    assert lab_state(lab) == before
    # the hand-made parts are kept as they were
    phones = lab_state(lab)[0]
    assert phones[SITE_A_NET + '11'][HAND_KEY[0]] == HAND_KEY[1]


def test_an_existing_export_is_not_overwritten_without_force(exported):
    result = play('export_inventory.yml', [exported['seed']], ['export_dir=%s' % exported['dest']])
    assert result.returncode != 0 and 'already exists' in result.stdout


def test_with_a_vault_password_the_vault_file_is_encrypted_and_opens_with_it(exported):
    from ansible.constants import DEFAULT_VAULT_ID_MATCH
    from ansible.parsing.vault import VaultLib, VaultSecret
    password_file = str(exported['tmp'] / 'vault-pass')
    with open(password_file, 'w', encoding='utf-8') as handle:
        handle.write('export-vault-Pw9\n')
    dest = str(exported['tmp'] / 'exported-vaulted')
    result = play('export_inventory.yml', [exported['seed']], ['export_dir=%s' % dest],
                  options=['--vault-password-file', password_file])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert 'no vault secret was given' not in result.stdout + result.stderr
    path = os.path.join(dest, 'group_vars', 'all', 'vault.yml')
    with open(path, 'rb') as handle:
        data = handle.read()
    assert data.startswith(b'$ANSIBLE_VAULT;')
    for secret in every_secret(exported['secrets']):
        assert secret.encode() not in data
    vault = VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(b'export-vault-Pw9'))])
    opened = yaml.safe_load(vault.decrypt(data))
    assert opened['vault_sip_passwords']['1501'] == exported['secrets']['lab_sip_passwords']['1501']
