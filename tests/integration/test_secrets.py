"""No secret of the inventory shows, at any verbosity, in any run of any playbook.

Every playbook of playbooks/ runs against one lab (phones of both sites, GAX) at -vvvv with
--diff, in check mode and for real, in the order an operator would: each deployment, verify,
drift, decommission; awx_configure as far as it goes without an AWX (its syntax, then a check run
that stops at the first call to the absent controller). ``make test`` runs the short version (see
FULL below: deploy_bc stands for the three deployments, whose roles it shares, and awx_configure
only to its syntax); RELIABILITY_FULL=1 runs them all, as ``make chaos`` does. Everything those runs write is kept in one
workspace (test_secrets_support.Workspace): the working directory and the phones' backups, the
Ansible home, local and remote temporary files, a jsonfile fact cache, retry files, the log file,
and every task result as a callback receives it (AWX stores exactly these as job events).

The secrets are read from the inventory itself (group_vars/all/lab_secrets.yml: the phones' admin
password, GAX's password, every SIP and Agent Login password), one of them with characters that
URL-encoding and JSON escape change, and each is looked for in clear and in the encodings it could
leak as (base64, as login.cgi sends the phone password; URL-encoded; JSON-escaped). One phone
shows its secrets in clear in its configuration file (the lab variant ``secrets: clear``), so a
backup that copied the download would be caught.

Not scanned: the inventory (it holds the secrets by definition) and provisioning files (the
zero-touch issue: mode 0600, served over HTTPS with authentication only) - no playbook here
writes any; a folder named ``provisioning`` would be skipped and its files must be mode 0600.
"""

import json
import os
import stat

import pytest
import yaml

from test_secrets_support import (
    PLAYBOOKS as PLAYBOOKS_DIR, SMALL_FLEET, Block, Workspace, find_secrets, inventory_secrets, phone_histories,
    run_playbook, start_lab, write_inventory,
)

BLOCK = Block(85)
# URL-encoding changes ' ', '+', '&', '/' and '%'; JSON escapes the backslash.
AWKWARD_SIP_PASSWORD = 'lab sip+1501&Kq7/%x\\y'
CLEAR_PHONE = 'phone-a01'
PROVISIONING_DIRS = ('provisioning',)


def awkward_secret(data):
    data['lab_sip_passwords']['1501'] = AWKWARD_SIP_PASSWORD


# Every playbook, with the variables each needs. One ansible-playbook run imports them all (one
# start-up instead of six): once with --check on the fresh lab, where verify comes last since it
# must fail there (nothing is deployed yet, its failure messages are scanned too), then for real in
# the order an operator runs them.
PLAYBOOKS = {
    'deploy_standalone.yml': ({'gac_deployment': 'standalone'}, 'Deploy Standalone SIP Server'),
    'deploy_sip_proxy_ha.yml': ({'gac_deployment': 'sip_proxy_ha'}, 'Deploy SIP Proxy HA'),
    'deploy_bc.yml': ({}, 'Deploy Business Continuity'),
    'verify.yml': ({}, 'Verify the phones and their switches against the inventory'),
    'drift.yml': ({}, 'Drift between the inventory and the phones and switches'),
    'decommission.yml': ({'decommission_agent_logins': True}, 'Decommission phones and their DNs'),
}
# RELIABILITY_FULL=1 (make chaos): all six playbooks both ways, three phones per site. By default
# (make test, about half the time): the three deployments share their roles, so Business Continuity
# (the one that writes both switches) stands for them, on two phones per site.
FULL = os.environ.get('RELIABILITY_FULL') == '1'
if FULL:
    ORDER = {
        'check': ['deploy_standalone.yml', 'deploy_sip_proxy_ha.yml', 'deploy_bc.yml', 'drift.yml', 'decommission.yml',
                  'verify.yml'],
        'real': ['deploy_standalone.yml', 'deploy_sip_proxy_ha.yml', 'deploy_bc.yml', 'verify.yml', 'drift.yml',
                 'decommission.yml'],
    }
    FLEET = SMALL_FLEET
else:
    ORDER = {
        'check': ['deploy_bc.yml', 'decommission.yml', 'verify.yml'],
        'real': ['deploy_bc.yml', 'verify.yml', 'drift.yml', 'decommission.yml'],
    }
    FLEET = ['phone-a01', 'phone-a02', 'phone-b01', 'phone-b02']


class Runs:
    def __init__(self, inventory, workspace, secrets, lab):
        self.inventory = inventory
        self.workspace = workspace
        self.secrets = secrets
        self.lab = lab
        self.runs = {}


@pytest.fixture(name='runs', scope='module')
def runs_fixture(lab_factory, tmp_path_factory):
    return make_runs(lab_factory, tmp_path_factory.mktemp('secrets'))


def every_playbook(path, check):
    """A playbook that imports every playbook of playbooks/ with its variables."""
    plays = []
    for playbook in ORDER['check' if check else 'real']:
        variables = dict(PLAYBOOKS[playbook][0])
        if playbook == 'decommission.yml' and not check:
            variables['decommission_confirm'] = True
        plays.append({'ansible.builtin.import_playbook': os.path.join(PLAYBOOKS_DIR, playbook), 'vars': variables})
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(plays, handle, sort_keys=False)
    return path


def make_runs(lab_factory, tmp):
    """One lab, every playbook run against it; a plain function so a debugging session can call it."""
    inventory = write_inventory(BLOCK, str(tmp / 'inventory'), keep=FLEET, secrets=awkward_secret)
    lab = start_lab(lab_factory, 'secrets', BLOCK, inventory, str(tmp / 'phones.yml'))
    lab.put('phone', '/phones/%s/variant' % BLOCK.address(CLEAR_PHONE), {'secrets': 'clear'})
    workspace = Workspace(str(tmp / 'workspace'))
    result = Runs(inventory, workspace, inventory_secrets(inventory), lab)
    backups = os.path.join(workspace.root, 'backups')
    extra = ['audiocodes_phone_backup=true', json.dumps({'audiocodes_phone_backup_options': {'dir_path': backups}})]
    for label, check in (('check', True), ('real', False)):
        playbook = every_playbook(str(tmp / ('every-playbook-%s.yml' % label)), check)
        result.runs[label] = run_playbook(playbook, inventory, BLOCK, extra=extra, check=check, diff=True,
                                          verbosity=4, workspace=workspace, label=label)
    awx_vars = str(tmp / 'awx-site.yml')
    with open(awx_vars, 'w', encoding='utf-8') as handle:
        handle.write(AWX_VARS % dict((key, value) for key, value in result.secrets.items()
                                     if key in ('audiocodes_password', 'gax_password')))
    for label, option in (('awx_configure-syntax', ['--syntax-check']), ('awx_configure-check', []))[:2 if FULL else 1]:
        result.runs[label] = run_playbook('awx_configure.yml', inventory, BLOCK, extra=['@' + awx_vars], check=True,
                                          diff=True, verbosity=4, workspace=workspace, label=label, options=option)
    return result


AWX_VARS = '''
telephony_awx_project_scm_url: https://git.example.invalid/telephony.git
telephony_awx_execution_environment_image: registry.example.invalid/telephony-ee:0.1.0
telephony_awx_inventory_source_path: inventories/prod
telephony_awx_controller_host: http://127.0.0.85:1
telephony_awx_controller_username: admin
telephony_awx_controller_password: %(gax_password)s
telephony_awx_phone_credential_inputs: {username: admin, password: "%(audiocodes_password)s"}
telephony_awx_gax_credential_inputs: {username: operator, password: "%(gax_password)s"}
'''


def test_every_playbook_ran_in_check_mode_and_for_real(runs):
    by_label = runs.runs
    for label in ('check', 'real'):
        run = by_label[label]
        for playbook in ORDER[label]:
            assert 'PLAY [%s]' % PLAYBOOKS[playbook][1] in run.output, run.explain()
    assert by_label['real'].rc == 0, by_label['real'].explain()
    # in check mode nothing was deployed, so verify (last) fails, and only its final assertion
    check = by_label['check']
    assert check.rc == 2 and check.output.count('fatal: ') == 1, check.explain()
    assert 'setting(s) differ from the inventory' in check.output, check.explain()
    assert by_label['awx_configure-syntax'].rc == 0, by_label['awx_configure-syntax'].explain()
    if FULL:
        # without an AWX the check run stops at the first call to the controller, having read the secrets
        check = by_label['awx_configure-check']
        assert check.rc != 0 and '127.0.0.85:1' in check.output, check.explain()
    # the real runs wrote: every phone was configured, then decommissioned
    histories = phone_histories(runs.lab)
    assert all(len(history) >= 2 for history in histories.values()), histories


def test_no_secret_in_the_output_of_any_run(runs):
    assert len(runs.secrets) == 17
    found = {}
    for run in runs.runs.values():
        hits = find_secrets(run.output, runs.secrets)
        if hits:
            found[run.label] = hits
    assert found == {}


def test_no_secret_in_any_task_result_a_callback_receives(runs):
    results = os.path.join(runs.workspace.root, 'results')
    found = {}
    dumped = 0
    for name in sorted(os.listdir(results)):
        with open(os.path.join(results, name), encoding='utf-8') as handle:
            for line in handle:
                dumped += 1
                hits = find_secrets(line, runs.secrets)
                if hits:
                    found.setdefault(name, []).append((hits, line[:3000]))
    assert dumped > 100
    assert found == {}


def test_no_secret_in_any_file_the_runs_wrote(runs):
    skip = set()
    for folder, dirs, _names in os.walk(runs.workspace.root):
        for name in dirs:
            if name.startswith(PROVISIONING_DIRS):
                skip.add(os.path.join(folder, name))
    for folder in skip:                      # the zero-touch issue's files: private to their owner
        for name in os.listdir(folder):
            assert stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode) == 0o600
    files = runs.workspace.files(skip=skip)
    backups = [path for path in files if os.sep + 'backups' + os.sep in path]
    assert len(backups) >= 2 * len(FLEET), 'the runs made no backup of the phones'
    assert any(os.path.basename(path).startswith('ansible.log') for path in files)
    found = {}
    for path in files:
        with open(path, 'rb') as handle:
            text = handle.read().decode('utf-8', 'replace')
        hits = find_secrets(text, runs.secrets)
        if hits:
            found[os.path.relpath(path, runs.workspace.root)] = hits
    assert found == {}
