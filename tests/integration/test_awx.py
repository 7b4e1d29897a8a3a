"""AWX and execution environments, proven without AWX.

- The execution environment: ``ansible-builder create`` turns execution-environment.yml into a build
  context that installs this collection from the tarball ``make build`` writes, and the context's
  own introspection script, run over that tarball installed as the build installs it, asks for
  exactly the Python requirements of requirements.txt.
- The custom credential types (extensions/awx/credential_types.yml) pass AWX's own checks and set
  exactly the environment variables the modules read.
- The job templates (extensions/awx/job_templates.yml) point at the playbooks, ask for a limit,
  and survey only variables the inventory, the roles or the playbooks read.
- A job of the "Deploy Business Continuity" template, laid out as AWX lays out a job (a private
  data directory: the project as git would check it out, the inventory as AWX imports it and hands
  it back as a script, env/envvars rendered from the credential types' injectors with the lab's
  credentials, the template's survey defaults in env/extravars, a Vault credential's password
  answering --ask-vault-pass, this collection installed from its tarball as the execution
  environment holds it) and run with ansible-runner against the lab: it converges, and a second
  job changes nothing. The inventory holds no connection secret and no CA path: the phones'
  password, GAX's user and both CAs reach the modules through the injectors only; its SIP and
  Agent Login passwords are vaulted value by value.

The lab is this module's own (phones on 127.44.x.y, GAX over HTTPS and the admin APIs on
127.0.0.44, high ports, 1-second reboots). Its state is read from its admin APIs; the job's events
are read for what the job reports (changed, failed, no secret shown).
"""

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import ansible_runner
import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible.parsing.vault import VaultLib, VaultSecret

from labfixture import CA_PATH, REPO_ROOT

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.44.%d.' % (8 * WORKER + 1)
SITE_B_NET = '127.44.%d.' % (8 * WORKER + 2)
PORT_BASE = 18440 + 10 * WORKER
ADMIN_HOST = '127.0.0.44'
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 3, PORT_BASE + 4
GAX_URL = 'https://%s' % GAX_LISTEN

BIN = os.path.dirname(sys.executable)
AWX_DIR = os.path.join(REPO_ROOT, 'extensions', 'awx')
BC_TEMPLATE = 'Telephony - Deploy Business Continuity'

# The credentials an operator types into AWX. Distinct strings, so that a leak is found.
PHONE_ADMIN_PASSWORD = 'awx-Phone-Admin-47'
GAX_USER, GAX_PASSWORD = 'operator', 'operator-lab'          # a user of the lab GAX seed
SIP_PASSWORDS = {'1541': 'awx-sip-1541-Qe4', '1543': 'awx-sip-1543-Wr7', '1551': 'awx-sip-1551-Ty2'}
AGENT_PASSWORDS = {'7041': 'awx-agent-7041-Ui5', '7051': 'awx-agent-7051-Op3'}
VAULT_PASSWORD = 'awx-vault-Pw-31'       # what the job template's Vault credential holds


# --- reading the AWX definitions -------------------------------------------------------------------

class AwxLoader(yaml.SafeLoader):
    """YAML as Ansible reads it, for the tags these files use: ``!unsafe`` is the string itself."""


AwxLoader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def awx_definitions(name):
    with open(os.path.join(AWX_DIR, name), encoding='utf-8') as handle:
        return yaml.load(handle, Loader=AwxLoader)


def credential_types():
    return dict((kind['name'], kind) for kind in awx_definitions('credential_types.yml')['telephony_awx_credential_types'])


def job_templates():
    return dict((template['name'], template) for template in awx_definitions('job_templates.yml')['telephony_awx_job_templates'])


PHONE_TYPE = 'AudioCodes 400HD phone web administrator'
GAX_TYPE = 'Genesys GAX'


class Namespace(object):
    """What AWX's injectors see as ``tower`` (``tower.filename`` or ``tower.filename.<label>``)."""


def inject(credential_type, inputs, env_dir):
    """Render a credential type's injectors for a credential's ``inputs``, as AWX does at launch.

    AWX checks the inputs against the type's fields, writes each file injector's rendering into a
    private file of the job's env/ folder, then renders the env injectors with ``tower.filename``
    pointing at those files (a sandboxed Jinja2; an input the credential lacks renders empty).
    Returns ``(env, extra_vars)``.
    """
    fields = dict((field['id'], field) for field in credential_type['inputs']['fields'])
    unknown = set(inputs) - set(fields)
    missing = set(credential_type['inputs'].get('required', [])) - set(inputs)
    assert not unknown and not missing, 'AWX refuses this credential: unknown %s, missing %s' % (unknown, missing)
    namespace = dict(inputs)
    for name, field in fields.items():
        if field.get('type') == 'boolean' and name not in namespace:
            namespace[name] = False
    sandbox = ImmutableSandboxedEnvironment()
    tower = Namespace()
    for label, template in credential_type['injectors'].get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w') as stream:
            stream.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, 0o600)
        if '.' not in label:
            tower.filename = path
        else:
            if not isinstance(getattr(tower, 'filename', None), Namespace):
                tower.filename = Namespace()
            setattr(tower.filename, label.split('.', 1)[1], path)
    namespace['tower'] = tower
    env = dict((name, sandbox.from_string(template).render(**namespace))
               for name, template in credential_type['injectors'].get('env', {}).items())
    extra_vars = dict((name, sandbox.from_string(template).render(**namespace))
                      for name, template in credential_type['injectors'].get('extra_vars', {}).items())
    return env, extra_vars


def documented_environment(fragment):
    """The environment variables a doc fragment says its options fall back to (``E(NAME)``)."""
    with open(os.path.join(REPO_ROOT, 'plugins', 'doc_fragments', fragment), encoding='utf-8') as handle:
        return set(re.findall(r'E\(([A-Z0-9_]+)\)', handle.read()))


# --- the execution environment ----------------------------------------------------------------------

@pytest.fixture(scope='module')
def collection_tarball(tmp_path_factory):
    """The collection tarball, built as ``make build`` builds it."""
    out = tmp_path_factory.mktemp('build')
    result = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--force', '--output-path',
                             str(out), REPO_ROOT], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    tarballs = list(out.glob('telephony-genesys_audiocodes-*.tar.gz'))
    assert len(tarballs) == 1, tarballs
    return str(tarballs[0])


def galaxy_version():
    with open(os.path.join(REPO_ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['version']


def requirement_lines(path):
    with open(path, encoding='utf-8') as handle:
        return [line.strip() for line in handle if line.strip() and not line.strip().startswith(('#', '-r'))]


def install_collection(source_args, dest, cwd):
    """``ansible-galaxy collection install`` offline into ``dest`` (the EE's collections path)."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith('ANSIBLE_'))
    env['ANSIBLE_GALAXY_DISABLE_GPG_VERIFY'] = '1'
    result = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline',
                             '--collections-path', dest] + source_args, cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return os.path.join(dest, 'ansible_collections', 'telephony', 'genesys_audiocodes')


def test_the_ee_build_context_installs_this_collection_and_asks_for_its_python_requirements(collection_tarball, tmp_path):
    # The EE definition as it sits in the checkout, next to a fresh `make build` output.
    shutil.copy(os.path.join(REPO_ROOT, 'execution-environment.yml'), str(tmp_path))
    (tmp_path / '.collections' / 'build').mkdir(parents=True)
    shutil.copy(collection_tarball, str(tmp_path / '.collections' / 'build'))
    context = tmp_path / 'context'
    result = subprocess.run([os.path.join(BIN, 'ansible-builder'), 'create', '-f', 'execution-environment.yml',
                             '--context', str(context), '--output-filename', 'Containerfile'],
                            cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'No matches' not in result.stdout + result.stderr, result.stdout + result.stderr

    # The context carries the tarball; the galaxy stage unpacks it where the requirement points.
    build = context / '_build'
    carried = sorted(path.name for path in (build / 'collections').iterdir())
    assert carried == ['telephony-genesys_audiocodes-%s.tar.gz' % galaxy_version()]
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    galaxy_stage = containerfile.split('FROM base AS galaxy', 1)[1].split('FROM base AS builder', 1)[0]
    unpack = re.search(r'^ADD (_build/collections/\S+\.tar\.gz) (/build/\S+?)/?$', galaxy_stage, re.M)
    assert unpack, galaxy_stage
    requirements = yaml.safe_load((build / 'requirements.yml').read_text(encoding='utf-8'))
    assert requirements['collections'] == [{'name': 'telephony.genesys_audiocodes', 'type': 'dir',
                                            'source': unpack.group(2)[len('/build/'):]}]
    assert 'ansible-galaxy collection install' in galaxy_stage and 'COPY _build /build' in galaxy_stage
    assert 'introspect.py introspect' in containerfile.split('FROM base AS builder', 1)[1]

    # The galaxy stage, by hand: ADD unpacks the tarball, ansible-galaxy installs the requirement
    # from /build (here: a folder standing in for it) into the EE's collections path.
    stand_in = tmp_path / 'build'
    shutil.copytree(str(build), str(stand_in))
    unpacked = stand_in / unpack.group(2)[len('/build/'):]
    unpacked.mkdir(parents=True)
    shutil.unpack_archive(collection_tarball, str(unpacked), format='gztar')
    ee_collections = str(tmp_path / 'usr-share-ansible-collections')
    installed = install_collection(['-r', 'requirements.yml'], ee_collections, str(stand_in))
    # ... which declares its Python requirements in meta/execution-environment.yml (introspection would
    # otherwise guess from a requirements.txt at the collection's root).
    with open(os.path.join(installed, 'meta', 'execution-environment.yml'), encoding='utf-8') as handle:
        assert yaml.safe_load(handle)['dependencies'] == {'python': 'requirements.txt'}

    # The builder stage's introspection, with the context's own script, over what was installed.
    pip_out, bindep_out = tmp_path / 'pip.txt', tmp_path / 'bindep.txt'
    result = subprocess.run([sys.executable, str(build / 'scripts' / 'introspect.py'), 'introspect', ee_collections,
                             '--write-pip', str(pip_out), '--write-bindep', str(bindep_out)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    wanted = requirement_lines(os.path.join(REPO_ROOT, 'requirements.txt'))
    assert wanted, 'requirements.txt lists nothing'
    assert sorted(requirement_lines(str(pip_out))) == sorted(
        '%s  # from collection telephony.genesys_audiocodes' % line for line in wanted)
    # No system package is needed (no bindep.txt): nothing for the final stage's package manager.
    assert not bindep_out.exists() or not requirement_lines(str(bindep_out))


# --- the credential types and job templates, as AWX checks them --------------------------------------

@pytest.mark.parametrize('name, fragment', [(PHONE_TYPE, 'audiocodes.py'), (GAX_TYPE, 'genesys.py')])
def test_each_credential_type_injects_every_environment_variable_its_modules_read(name, fragment):
    kind = credential_types()[name]
    assert kind['kind'] == 'cloud'                      # the kinds AWX lets a user create
    fields = dict((field['id'], field) for field in kind['inputs']['fields'])
    assert set(kind['inputs']['required']) <= set(fields)
    assert fields['password'].get('secret') is True and set(kind['inputs']['required']) >= {'username', 'password'}
    assert not [field for field in fields.values() if field['id'] != 'password' and field.get('secret')], \
        'only the password is a secret (a CA certificate is public)'
    injected = set(kind['injectors']['env'])
    assert injected == documented_environment(fragment)
    # nothing that AWX reserves (ANSIBLE_*, AWX_*, JOB_ID, ...) or that Ansible reads: the modules' own names only
    assert all(variable.startswith(('AUDIOCODES_', 'GAX_')) for variable in injected), injected

    # AWX's check when the type is saved: every template renders with each field set and strict undefined.
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    namespace = dict((field, 'EXAMPLE') for field in fields)
    namespace['tower'] = Namespace()
    namespace['tower'].filename = Namespace()
    for label in kind['injectors'].get('file', {}):
        assert label.startswith('template.'), 'one file per type is written template: (use template.<name>)'
        setattr(namespace['tower'].filename, label.split('.', 1)[1], 'EXAMPLE_FILENAME')
    for section in kind['injectors'].values():
        for template in section.values():
            strict.from_string(template).render(**namespace)


@pytest.mark.parametrize('name', [PHONE_TYPE, GAX_TYPE])
def test_the_ca_path_points_at_the_injected_pem_and_is_empty_without_one(name, tmp_path):
    kind = credential_types()[name]
    prefix = 'AUDIOCODES' if name == PHONE_TYPE else 'GAX'
    pem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2E=\n-----END CERTIFICATE-----\n'
    env, extra_vars = inject(kind, {'username': 'someone', 'password': 'Secret-1', 'ca_pem': pem}, str(tmp_path))
    assert extra_vars == {}
    assert env['%s_USERNAME' % prefix] == 'someone' and env['%s_PASSWORD' % prefix] == 'Secret-1'
    with open(env['%s_CA_PATH' % prefix], encoding='utf-8') as handle:
        assert handle.read() == pem
    assert oct(os.stat(env['%s_CA_PATH' % prefix]).st_mode & 0o777) == '0o600'
    # Without a CA: an empty variable, which the modules read as unset (the system's CAs).
    env, dummy = inject(kind, {'username': 'someone', 'password': 'Secret-1'}, str(tmp_path))
    assert env['%s_CA_PATH' % prefix] == ''


def play_vars(playbook):
    with open(os.path.join(REPO_ROOT, playbook), encoding='utf-8') as handle:
        plays = yaml.safe_load(handle)
    found = {}
    for play in plays:
        found.update(play.get('vars') or {})
    return found


def play_keywords(playbook):
    """``{variable: keyword text}`` for the variables the plays' serial and max_fail_percentage read."""
    with open(os.path.join(REPO_ROOT, playbook), encoding='utf-8') as handle:
        plays = yaml.safe_load(handle)
    found = {}
    for play in plays:
        for keyword in ('serial', 'max_fail_percentage'):
            text = str(play.get(keyword, ''))
            for variable in re.findall(r'\{\{\s*([a-z_]+)', text):
                found[variable] = text
    return found


def role_options():
    options = {}
    roles = os.path.join(REPO_ROOT, 'roles')
    for role in os.listdir(roles):
        spec = os.path.join(roles, role, 'meta', 'argument_specs.yml')
        if os.path.exists(spec):
            with open(spec, encoding='utf-8') as handle:
                options.update(yaml.safe_load(handle)['argument_specs']['main']['options'])
    return options


def test_job_templates_cover_the_playbooks_ask_for_a_limit_and_survey_variables_that_are_read():
    templates = job_templates()
    assert sorted(template['playbook'] for template in templates.values()) == sorted(
        'playbooks/%s.yml' % name for name in ('deploy_standalone', 'deploy_sip_proxy_ha', 'deploy_bc', 'verify', 'drift'))
    options = role_options()
    # The inventory's deployment-wide variables, as the roles read them (preflight's deployment,
    # business_continuity's mode: preflight takes bc_mode unchecked since it is ignored elsewhere).
    inventory_choices = {'gac_deployment': options['preflight_deployment']['choices'],
                         'gac_bc_mode': options['business_continuity_mode']['choices']}
    for name, template in templates.items():
        assert os.path.exists(os.path.join(REPO_ROOT, template['playbook'])), name
        assert template['ask_limit_on_launch'] is True, name
        read_by_play = play_vars(template['playbook'])
        for question in template.get('survey_spec', {}).get('spec', []):
            variable, where = question['variable'], '%s: %s' % (name, question['variable'])
            if question['type'] == 'integer':
                # the waves of a deploy playbook: play keywords that read the variable, with the same default
                keyword = play_keywords(template['playbook'])
                assert variable in keyword, where
                assert '%s | default(%s)' % (variable, question['default']) in keyword[variable], where
                assert question['min'] <= question['default'] <= question['max'], where
                continue
            assert question['type'] == 'multiplechoice', where
            if variable in inventory_choices:
                assert sorted(question['choices']) == sorted(inventory_choices[variable]), where
                # empty passes nothing: the inventory's value applies
                assert question['required'] is False and 'default' not in question, where
            elif variable in options:
                assert options[variable]['type'] == 'bool' and sorted(question['choices']) == ['false', 'true'], where
            else:
                assert variable in read_by_play and isinstance(read_by_play[variable], bool), where
                assert sorted(question['choices']) == ['false', 'true'], where
            # AWX silently drops a default that is not one of the choices.
            assert 'default' not in question or question['default'] in question['choices'], where


def test_awx_configure_gives_each_awx_module_only_options_it_has():
    """playbooks/awx_configure.yml against the real argument specs of awx.awx (from the ansible package)."""
    with open(os.path.join(REPO_ROOT, 'playbooks', 'awx_configure.yml'), encoding='utf-8') as handle:
        tasks = [task for play in yaml.safe_load(handle) for task in play['tasks']]
    used = dict((name, task[name]) for task in tasks for name in task if name.startswith('awx.awx.'))
    assert sorted(used) == sorted('awx.awx.' + name for name in (
        'credential_type', 'credential', 'execution_environment', 'project', 'inventory', 'inventory_source', 'job_template'))
    result = subprocess.run([os.path.join(BIN, 'ansible-doc'), '--json'] + sorted(used), env=clean_env(),
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    docs = json.loads(result.stdout)
    for module, arguments in used.items():
        options = docs[module]['doc']['options']
        assert set(arguments) <= set(options), '%s: unknown options %s' % (module, set(arguments) - set(options))
    # The job templates' own options (extensions/awx/job_templates.yml) are job_template options too.
    job_template_options = docs['awx.awx.job_template']['doc']['options']
    for name, template in job_templates().items():
        assert set(template) <= set(job_template_options), '%s: %s' % (name, set(template) - set(job_template_options))
        assert set(template) <= set(used['awx.awx.job_template']), '%s: awx_configure.yml does not pass %s' % (
            name, set(template) - set(used['awx.awx.job_template']))
    result = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '--syntax-check',
                             os.path.join(REPO_ROOT, 'playbooks', 'awx_configure.yml')], env=clean_env(),
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_projects_ansible_cfg_lets_a_job_read_the_inventory_awx_hands_it():
    """AWX writes each job's inventory as an executable script (inventory/hosts, JSON on stdout) and
    runs the playbook in the project's folder, so the project's ansible.cfg applies to the job."""
    parser = configparser.ConfigParser()
    parser.read(os.path.join(REPO_ROOT, 'ansible.cfg'))
    enabled = parser.get('inventory', 'enable_plugins', fallback=None)
    if enabled is not None:
        names = [name.strip().split('.')[-1] for name in enabled.split(',')]
        assert 'script' in names, (
            'ansible.cfg [inventory] enable_plugins = %s leaves out the script plugin, so an AWX job finds no '
            'host in the inventory AWX writes for it: add ansible.builtin.script' % enabled)


# --- a job of the Deploy Business Continuity template, run as AWX runs it ---------------------------

PHONES = {
    'phone-a01': {'address': SITE_A_NET + '11', 'model': '440HD', 'site': 'A', 'lines': [
        {'dn': '1541', 'display_name': 'Agent 1541', 'sip_password': "{{ vault_sip_passwords['1541'] }}",
         'features': {'sip_auth': True, 'agent_login': True, 'agent_state_control': True, 'remote_answer': True,
                      'remote_hold': True}},
        {'dn': '1542', 'display_name': 'Agent 1541 private'}]},
    'phone-a02': {'address': SITE_A_NET + '12', 'model': '420HD', 'site': 'A', 'lines': [
        {'dn': '1543', 'display_name': 'Supervisor A', 'sip_password': "{{ vault_sip_passwords['1543'] }}",
         'features': {'sip_auth': True, 'auto_answer': True}}]},
    'phone-b01': {'address': SITE_B_NET + '11', 'model': '430HD', 'site': 'B', 'lines': [
        {'dn': '1551', 'display_name': 'Agent 1551', 'sip_password': "{{ vault_sip_passwords['1551'] }}",
         'features': {'sip_auth': True, 'agent_login': True, 'dtmf_method': 'sip_info'}}]},
    'phone-b02': {'address': SITE_B_NET + '12', 'model': '405HD', 'site': 'B', 'lines': [
        {'dn': '1552', 'display_name': 'Back office', 'features': {'mwi': {'voice_mail_number': '8000'}}}]},
}
DNS = sorted(line['dn'] for phone in PHONES.values() for line in phone['lines'])


def mac(address):
    return '00:90:8F:%02X:%02X:%02X' % tuple(int(part) for part in address.split('.')[1:])


def vaulted(text):
    """``ansible-vault encrypt_string`` of ``text`` with the Vault credential's password, as YAML."""
    secret = VaultSecret(VAULT_PASSWORD.encode('utf-8'))
    ciphertext = VaultLib([('default', secret)]).encrypt(text, secret).decode('ascii')
    return '!vault |\n' + ''.join('      %s\n' % line for line in ciphertext.splitlines())


def write_inventory(folder):
    """The site's inventory in the project, in the schema of docs/inventory.md: no connection secret,
    no CA path (the credentials bring them), SIP and Agent Login passwords vaulted value by value
    (docs/awx.md), a few lab tunings."""
    hosts = {'phones': {'children': {}}}
    for name, phone in PHONES.items():
        group = hosts['phones']['children'].setdefault('site_%s' % phone['site'].lower(),
                                                       {'vars': {'gac_site': phone['site']}, 'hosts': {}})
        group['hosts'][name] = {'address': phone['address'], 'gac_model': phone['model'], 'mac': mac(phone['address']),
                                'gac_firmware': '2.2.16.501', 'gac_lines': phone['lines']}
    main = {
        'gac_deployment': 'business_continuity',
        'gac_bc_mode': 'primary_fallback',
        'gac_bc_sites': ['A', 'B'],
        'gac_sites': [
            {'name': 'A', 'sip_server': {'address': '127.0.0.10', 'port': 5060},
             'gax': {'url': GAX_URL, 'switch': 'SIP_Switch_A'},
             'agent_logins': [{'login_code': '7041', 'password': "{{ vault_agent_passwords['7041'] }}"}]},
            {'name': 'B', 'sip_server': {'address': '127.0.0.20', 'port': 5060},
             'gax': {'url': GAX_URL, 'switch': 'SIP_Switch_B'},
             'agent_logins': [{'login_code': '7051', 'password': "{{ vault_agent_passwords['7051'] }}"}]},
        ],
        # the lab's phones answer HTTPS on a high port, and restart in a second
        'audiocodes_port': HTTPS_PORT,
        'audiocodes_phone_verify_delay': 1,
        'audiocodes_phone_reboot_timeout': 60,
        'ansible_python_interpreter': '{{ ansible_playbook_python }}',
    }
    os.makedirs(os.path.join(folder, 'group_vars', 'all'))
    os.makedirs(os.path.join(folder, 'group_vars', 'phones'))
    for path, data in (('hosts.yml', hosts), (os.path.join('group_vars', 'all', 'main.yml'), main),
                       (os.path.join('group_vars', 'phones', 'main.yml'), {'ansible_connection': 'local'})):
        with open(os.path.join(folder, path), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
    with open(os.path.join(folder, 'group_vars', 'all', 'vault.yml'), 'w', encoding='utf-8') as handle:
        for name, secrets in (('vault_sip_passwords', SIP_PASSWORDS), ('vault_agent_passwords', AGENT_PASSWORDS)):
            handle.write('%s:\n' % name)
            for key, text in sorted(secrets.items()):
                handle.write('  "%s": %s' % (key, vaulted(text)))


def clean_env():
    """This process's environment without Ansible settings (the Makefile's would point at the checkout)."""
    return dict((k, v) for k, v in os.environ.items() if not k.startswith('ANSIBLE_'))


class Awx(object):
    """The AWX side: a project sync, an inventory sync, and jobs laid out in private data directories."""

    def __init__(self, root, tarball):
        self.root = root
        # The execution environment's collections (/usr/share/ansible/collections in the image).
        self.ee_collections = os.path.join(root, 'ee', 'usr-share-ansible-collections')
        install_collection([tarball], self.ee_collections, root)
        # Project sync: the repository as git checks it out (what git tracks or would track), plus
        # the site's inventory folder in it.
        self.project = os.path.join(root, 'project-cache')
        listed = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=REPO_ROOT,
                                capture_output=True, check=True, timeout=60).stdout.decode('utf-8').split('\0')
        for path in filter(None, listed):
            source = os.path.join(REPO_ROOT, path)
            if os.path.isfile(source):
                os.makedirs(os.path.dirname(os.path.join(self.project, path)), exist_ok=True)
                shutil.copy2(source, os.path.join(self.project, path))
        assert not os.path.exists(os.path.join(self.project, '.collections'))
        self.inventory_path = 'inventories/awx_lab'
        write_inventory(os.path.join(self.project, self.inventory_path))
        # Inventory sync, as AWX runs it: ansible-inventory --list --export over the project's folder;
        # AWX stores the result and hands it to each job as an inventory script.
        source = os.path.join(self.project, self.inventory_path)
        result = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '--list', '--export', '-i', source,
                                 '--playbook-dir', source], cwd=self.project, env=clean_env(),
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        self.imported = json.loads(result.stdout)
        # The import keeps each vaulted value encrypted: AWX never holds the SIP passwords in clear.
        assert '__ansible_vault' in result.stdout and not [text for text in SIP_PASSWORDS.values() if text in result.stdout]
        self.jobs = 0

    def lay_out_job(self, template, credentials, vault_password=None, extra_vars=None):
        """A private data directory as AWX writes it for one job of ``template``, with ``credentials``
        (pairs of credential type name and inputs) and a Vault credential's ``vault_password``."""
        self.jobs += 1
        private = os.path.join(self.root, 'job-%d' % self.jobs)
        shutil.copytree(self.project, os.path.join(private, 'project'))
        for folder in ('inventory', 'env', 'requirements_collections'):
            os.makedirs(os.path.join(private, folder))
        script = os.path.join(private, 'inventory', 'hosts')
        with open(script, 'w', encoding='utf-8') as handle:
            handle.write('#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n' % json.dumps(self.imported))
        os.chmod(script, 0o700)

        env, injected_vars = {}, {}
        for kind, inputs in credentials:
            kind_env, kind_vars = inject(credential_types()[kind], inputs, os.path.join(private, 'env'))
            env.update(kind_env)
            injected_vars.update(kind_vars)
        # AWX's collections path: the project's requirements, the project's ansible.cfg setting, the EE's.
        env['ANSIBLE_COLLECTIONS_PATH'] = ':'.join([os.path.join(private, 'requirements_collections'),
                                                    './.collections', self.ee_collections])
        # The EE's programs (ansible-playbook) come first on its PATH.
        env['PATH'] = BIN + os.pathsep + os.environ.get('PATH', '')

        # Extra variables: the template's, then its survey defaults (those AWX accepts), then the launch's.
        variables = dict(template.get('extra_vars') or {})
        for question in template.get('survey_spec', {}).get('spec', []):
            default = question.get('default')
            if default is not None and (question['type'] != 'multiplechoice' or default in question['choices']):
                variables[question['variable']] = default
        variables.update(extra_vars or {})
        variables.update(injected_vars)
        variables.update({'awx_job_id': self.jobs, 'awx_job_template_name': template['name']})

        # The command line AWX builds from the template's options.
        cmdline = []
        if template.get('job_type') == 'check':
            cmdline.append('--check')
        if template.get('diff_mode'):
            cmdline.append('--diff')
        if template.get('forks'):
            cmdline.append('--forks=%d' % template['forks'])
        if vault_password:
            # A Vault credential: AWX asks ansible-playbook to prompt, and answers the prompt.
            cmdline.append('--ask-vault-pass')
            with open(os.path.join(private, 'env', 'passwords'), 'w', encoding='utf-8') as handle:
                json.dump({r'Vault password:\s*?$': vault_password}, handle)
        for name, data in (('envvars', env), ('extravars', variables),
                           ('settings', {'job_timeout': 900, 'idle_timeout': 600, 'suppress_ansible_output': True})):
            with open(os.path.join(private, 'env', name), 'w', encoding='utf-8') as handle:
                json.dump(data, handle)
        with open(os.path.join(private, 'env', 'cmdline'), 'w', encoding='utf-8') as handle:
            handle.write(' '.join(cmdline))
        return private

    def run(self, private, playbook):
        return Job(ansible_runner.run(private_data_dir=private, playbook=playbook, quiet=True))


class Job(object):
    def __init__(self, runner):
        self.status, self.rc = runner.status, runner.rc
        self.events = list(runner.events)
        self.stats = runner.stats or {}
        self.stdout = ''.join(event.get('stdout', '') + '\n' for event in self.events)

    def explain(self):
        return 'status %s (rc %s); output ends:\n%s' % (self.status, self.rc, self.stdout[-6000:])

    def changed(self):
        """``{(host, module)}`` of every task result that reports a change (loop items included)."""
        found = set()
        for event in self.events:
            data = event.get('event_data', {})
            if event.get('event') in ('runner_on_ok', 'runner_item_on_ok') and data.get('res', {}).get('changed'):
                found.add((data.get('host'), data.get('resolved_action') or data.get('task_action')))
        return found

    def failed(self):
        return [event for event in self.events if event.get('event') in ('runner_on_failed', 'runner_on_unreachable')
                and not event.get('event_data', {}).get('ignore_errors')]


@pytest.fixture(scope='module')
def lab(lab_factory, tmp_path_factory):
    phones_file = str(tmp_path_factory.mktemp('awx-lab') / 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump([{'address': phone['address'], 'model': phone['model'], 'mac': mac(phone['address']),
                         'firmware': '2.2.16.501', 'admin_password': PHONE_ADMIN_PASSWORD}
                        for phone in PHONES.values()], handle)
    return lab_factory('awx', {
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1}},
        'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'https'}]},
    })


@pytest.fixture(scope='module')
def awx(tmp_path_factory, collection_tarball):
    return Awx(str(tmp_path_factory.mktemp('awx')), collection_tarball)


def lab_credentials(phone_ca=True):
    with open(CA_PATH, encoding='utf-8') as handle:
        pem = handle.read()
    phone = {'username': 'admin', 'password': PHONE_ADMIN_PASSWORD}
    if phone_ca:
        phone['ca_pem'] = pem
    return [(PHONE_TYPE, phone),
            (GAX_TYPE, {'url': GAX_URL, 'username': GAX_USER, 'password': GAX_PASSWORD, 'ca_pem': pem})]


def lab_dns(lab, switch):
    dbid = dict((s['name'], s['dbid']) for s in lab.get('gax', '/objects?type=CfgSwitch'))[switch]
    found = {}
    for dn in lab.get('gax', '/objects?type=CfgDN&switchdbid=%s' % dbid):
        properties = (dn.get('userproperties') or {}).get('property') or []
        found[dn['number']] = dict((p['key'], p['value']) for p in properties if p['section'] == 'TServer')
    return found


def lab_logins(lab, switch):
    dbid = dict((s['name'], s['dbid']) for s in lab.get('gax', '/objects?type=CfgSwitch'))[switch]
    return sorted(login['logincode'] for login in lab.get('gax', '/objects?type=CfgAgentLogin&switchdbid=%s' % dbid))


def test_a_deploy_bc_job_laid_out_as_awx_converges_then_a_second_job_changes_nothing(lab, awx):
    lab.post('phone', '/reset')
    lab.post('gax', '/reset')
    template = job_templates()[BC_TEMPLATE]

    first = awx.run(awx.lay_out_job(template, lab_credentials(), VAULT_PASSWORD), template['playbook'])
    assert first.status == 'successful' and first.rc == 0, first.explain()
    assert not first.failed(), first.explain()
    assert sorted(first.stats.get('ok', {})) == sorted(PHONES), first.explain()
    changed = first.changed()
    for name in PHONES:
        assert (name, 'telephony.genesys_audiocodes.audiocodes_phone') in changed, first.explain()
    modules = set(module for dummy, module in changed)
    assert {'telephony.genesys_audiocodes.genesys_dn', 'telephony.genesys_audiocodes.genesys_agent_login'} <= modules

    # The lab's word: Business Continuity, primary-fallback (the inventory's bc_mode: the survey left it empty).
    for switch in ('SIP_Switch_A', 'SIP_Switch_B'):
        dns = lab_dns(lab, switch)
        assert sorted(set(dns) & set(DNS)) == DNS, switch
        assert all(dns[number].get('dr-forward') == 'oos' for number in DNS), switch
        assert dns['1541']['password'] == SIP_PASSWORDS['1541'] and dns['1541']['authenticate-requests'] == 'register,invite'
        assert set(lab_logins(lab, switch)) >= {'7041', '7051'}, switch
    agent = lab.get('phone', '/phones/%s/config' % PHONES['phone-a01']['address'])
    assert (agent['voip/line/0/id'], agent['voip/line/0/auth_password']) == ('1541', SIP_PASSWORDS['1541'])
    for name, home, other in (('phone-a01', '127.0.0.10', '127.0.0.20'), ('phone-b01', '127.0.0.20', '127.0.0.10')):
        config = lab.get('phone', '/phones/%s/config' % PHONES[name]['address'])
        assert config['voip/signalling/sip/proxy_address'] == home, name
        assert config['voip/signalling/sip/redundant_proxy/address'] == other, name
        assert config['voip/signalling/sip/redundant_proxy/mode'] == 'PRIMARY_FALLBACK', name
    # The phones were reached with the injected password only: no failed login on any of them.
    totals = lab.get('phone', '/counters')['totals']
    assert totals.get('login', 0) > 0 and totals.get('login_failed', 0) == 0, totals

    # AWX keeps every event of a job: none shows a secret.
    shown = json.dumps(first.events)
    for secret in [PHONE_ADMIN_PASSWORD, GAX_PASSWORD] + list(SIP_PASSWORDS.values()) + list(AGENT_PASSWORDS.values()):
        assert secret not in shown, 'a job event shows a secret'

    second = awx.run(awx.lay_out_job(template, lab_credentials(), VAULT_PASSWORD), template['playbook'])
    assert second.status == 'successful' and second.rc == 0, second.explain()
    assert sorted(second.stats.get('ok', {})) == sorted(PHONES), second.explain()
    assert sum(second.stats.get('changed', {}).values()) == 0 and not second.changed(), second.explain()


def test_without_the_phones_ca_in_the_credential_the_job_stops_at_their_certificates(lab, awx):
    """The phones' CA reaches the modules through the file injector only: take it away and TLS fails."""
    lab.post('phone', '/reset')
    lab.post('gax', '/reset')
    seeded = dict((name, lab.get('phone', '/phones/%s/config' % phone['address'])) for name, phone in PHONES.items())
    template = job_templates()[BC_TEMPLATE]
    job = awx.run(awx.lay_out_job(template, lab_credentials(phone_ca=False), VAULT_PASSWORD), template['playbook'])
    assert job.status == 'failed', job.explain()
    failed = job.failed()
    assert sorted(set(event['event_data']['host'] for event in failed)) == sorted(PHONES), job.explain()
    for event in failed:
        assert event['event_data'].get('resolved_action') == 'telephony.genesys_audiocodes.audiocodes_phone', job.explain()
        # The message names the certificate. (Mask characters are dropped first: the phone module
        # currently masks every character of its messages when a setting holds an empty secret.)
        assert 'certificate' in event['event_data']['res'].get('msg', '').replace('********', ''), job.explain()
    # Nothing went past the TLS handshake: no login, no page, no change on any phone.
    totals = lab.get('phone', '/counters')['totals']
    assert not [kind for kind in ('login', 'login_failed', 'page_get', 'upload', 'writes') if totals.get(kind)], totals
    for name, phone in PHONES.items():
        assert lab.get('phone', '/phones/%s/config' % phone['address']) == seeded[name], name
