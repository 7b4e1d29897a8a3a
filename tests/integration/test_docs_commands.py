"""Every shell command of README.md and docs/operations.md runs as written.

Each command is taken from the documents themselves (code blocks, and commands quoted inline), its
placeholders filled in with the example inventory's names, and checked: ansible-playbook commands
name their inventory with -i, parse, and list at least one host (--list-hosts); make targets exist;
ansible-doc renders; files and folders they name exist. The example inventory itself passes the
preflight of the deployments, and the user documents point at nothing outside the repository.
No lab: nothing here talks to a phone or GAX.
"""

import glob
import os
import re
import shlex
import subprocess
import sys

import pytest

from labfixture import REPO_ROOT

DOCS = ('README.md', os.path.join('docs', 'operations.md'))
BIN = os.path.dirname(sys.executable)
EXAMPLE = os.path.join('inventories', 'example')
EXAMPLE_PHONE = 'phone-1502.paris.example'
# The vault id and password of the example inventory's placeholders (its vault.yml says so).
EXAMPLE_VAULT_PASSWORD = 'example-only'
PLACEHOLDERS = {
    'inventories/<site>': EXAMPLE,
    'inventories/try': os.path.join('inventories', 'lab'),    # the walk-through's copy of the lab inventory
    '<phones>': EXAMPLE_PHONE,
    '<phone>': EXAMPLE_PHONE,
    '<backup file>': os.devnull,
}
SHELL_ONLY = ('read', 'export')          # set the run's environment; nothing to check but their shape
COMMAND = re.compile(r'^(ansible-playbook|ansible-galaxy|ansible-doc|ansible-vault|make|cp|python3|read|export)\b')


def commands():
    """``[(document, command)]``: every command line of the documents' code blocks, and every
    inline `ansible-playbook ...` of their text."""
    found = []
    for name in DOCS:
        with open(os.path.join(REPO_ROOT, name), encoding='utf-8') as handle:
            text = handle.read()
        fenced = shell = False
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith('```'):
                # a block without a language (or sh, shell, console) holds commands; ```text, ```yaml do not
                fenced, shell = not fenced, not fenced and stripped[3:].strip() in ('', 'sh', 'shell', 'console')
                continue
            if fenced and shell:
                command = stripped.split('  #', 1)[0].strip()
                if command:
                    found.append((name, command))
            else:
                found.extend((name, inline) for inline in re.findall(r'`((?:ansible-playbook|make) [^`]+)`', line))
    return found


def filled(command):
    for placeholder, value in PLACEHOLDERS.items():
        command = command.replace(placeholder, value)
    assert '<' not in command, 'a placeholder without a value in the test: %s' % command
    return command


def run(argv, **env):
    environment = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
                       ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'), **env)
    done = subprocess.run(argv, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=300,
                          check=False)
    return done.returncode, done.stdout + done.stderr


def make_targets():
    with open(os.path.join(REPO_ROOT, 'Makefile'), encoding='utf-8') as handle:
        return set(re.findall(r'(?m)^([A-Za-z][A-Za-z0-9_-]*):', handle.read()))


ALL = sorted(set(commands()))


def test_the_documents_hold_commands_and_each_is_one_the_test_knows():
    assert len([c for _d, c in ALL if c.startswith('ansible-playbook')]) >= 15, ALL
    for document, command in ALL:
        assert COMMAND.match(command), '%s: a command the test does not check: %s' % (document, command)


@pytest.mark.parametrize('document,command', [item for item in ALL if item[1].startswith('ansible-playbook')])
def test_each_playbook_command_names_its_inventory_and_parses(document, command):
    argv = shlex.split(filled(command))
    assert '-i' in argv, '%s: no -i in %s' % (document, command)
    playbook = [arg for arg in argv if arg.startswith('playbooks/')]
    assert playbook and os.path.exists(os.path.join(REPO_ROOT, playbook[0])), command
    # --list-hosts parses the playbook as --syntax-check does, and resolves the hosts with the limit
    listed = [arg for arg in argv[1:] if arg not in ('--check', '--diff', '--syntax-check')]
    rc, output = run([os.path.join(BIN, argv[0])] + listed + ['--list-hosts'])
    assert rc == 0 and re.search(r'hosts \((?!0\))\d+\)', output), '%s: %s\n%s' % (document, command, output[-3000:])


@pytest.mark.parametrize('document,command', [item for item in ALL if not item[1].startswith('ansible-playbook')])
def test_each_other_command_works_as_written(document, command):
    argv = shlex.split(filled(command))
    where = '%s: %s' % (document, command)
    if argv[0] == 'make':
        assert set(argv[1:]) <= make_targets(), where
    elif argv[0] == 'ansible-galaxy':
        # the tarball `make build` writes: .collections/build/<namespace>-<name>-<version>.tar.gz
        assert argv[1:3] == ['collection', 'install'], where
        with open(os.path.join(REPO_ROOT, 'Makefile'), encoding='utf-8') as handle:
            assert '--output-path $(CURDIR)/.collections/build' in handle.read()
        assert argv[3] == '.collections/build/telephony-genesys_audiocodes-*.tar.gz', where
    elif argv[0] == 'ansible-doc':
        rc, output = run([os.path.join(BIN, 'ansible-doc')] + argv[1:])
        assert rc == 0 and 'telephony.genesys_audiocodes' in output, '%s\n%s' % (where, output[-2000:])
    elif argv[0] == 'python3':
        assert argv[1:4] == ['-m', 'pip', 'install'] and os.path.exists(os.path.join(REPO_ROOT, argv[-1])), where
    elif argv[0] == 'cp':
        assert os.path.isdir(os.path.join(REPO_ROOT, argv[-2])), where
    else:
        assert argv[0] in SHELL_ONLY, where
        assert all(re.match(r'^([A-Z_]+(=\S+)?|-rs|&&|export)$', arg) for arg in argv[1:]), where


def test_the_example_inventory_passes_the_preflight_of_the_deployments(tmp_path):
    vault = tmp_path / 'vault-password'
    vault.write_text(EXAMPLE_VAULT_PASSWORD)
    play = tmp_path / 'preflight.yml'
    play.write_text('- hosts: phones\n  gather_facts: false\n  tasks:\n'
                    '    - ansible.builtin.include_role: {name: telephony.genesys_audiocodes.preflight}\n'
                    '      run_once: true\n')
    rc, output = run([os.path.join(BIN, 'ansible-playbook'), '-i', EXAMPLE, str(play),
                      '--vault-id', 'example@%s' % vault])
    assert rc == 0 and 'business_continuity (primary_fallback)' in output, output[-4000:]


def test_the_example_inventory_holds_no_connection_secret_and_no_local_path():
    text = ''
    for path in glob.glob(os.path.join(REPO_ROOT, EXAMPLE, '**', '*.yml'), recursive=True):
        with open(path, encoding='utf-8') as handle:
            text += handle.read()
    for variable in ('audiocodes_password:', 'gax_password:', 'gax_username:', 'audiocodes_ca_path:', 'gax_ca_path:'):
        assert not re.search(r'(?m)^\s*%s' % re.escape(variable), text), variable
    assert 'inventory_dir' not in text and 'playbook_dir' not in text
    # every secret value is vaulted on its own: no plain text where a vault_ variable is defined
    for match in re.finditer(r'(?m)^([ \t]*)(vault_\w+|"\d+"):[ \t]*(.*)$', text):
        assert match.group(3) in ('', '!vault |'), match.group(0)


def test_the_user_documents_point_inside_the_repository_and_hold_no_development_history():
    for path in [os.path.join(REPO_ROOT, 'README.md')] + glob.glob(os.path.join(REPO_ROOT, 'docs', '*.md')):
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        for outside in ('FEATURES.md', 'INTERFACES.md', '../shared'):
            assert outside not in text, '%s points outside the repository: %s' % (path, outside)
    for name in ('README.md', 'docs/README.md', 'docs/operations.md'):
        with open(os.path.join(REPO_ROOT, name), encoding='utf-8') as handle:
            text = handle.read().lower()
        for history in ('later chapters', 'not met', 'added by the issues'):
            assert history not in text, '%s: %s' % (name, history)
