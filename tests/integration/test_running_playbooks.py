"""The playbooks run as a user runs them (issue 23 items 1-3): from a fresh copy of the checkout with
no `make tree`, from inside playbooks/, and by name from the installed tarball; the plays work the
group `phones` unless `target_hosts` names another; and without -i no phone is worked (no lab). No lab
is started: --syntax-check and --list-hosts read the playbooks and the inventory only."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from labfixture import REPO_ROOT

BIN = os.path.dirname(sys.executable)
LAB_PHONES = 13


def run(argv, cwd, **env):
    """A tool of the venv as a user runs it: no ANSIBLE_* of the test run, the directory's ansible.cfg."""
    environment = dict((key, value) for key, value in os.environ.items() if not key.startswith('ANSIBLE_'))
    environment.update(ANSIBLE_NOCOLOR='1', HOME=env.pop('home', environment.get('HOME', '')))
    environment.update(env)
    done = subprocess.run([os.path.join(BIN, argv[0])] + list(argv[1:]), cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope='module')
def clone(tmp_path_factory):
    """The files git has (or would have) of the checkout, symlinks as symlinks: a fresh clone, no .collections."""
    root = tmp_path_factory.mktemp('clone') / 'genesys_audiocodes'
    listed = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=REPO_ROOT,
                            capture_output=True, check=True).stdout.decode().split('\0')
    for name in filter(None, listed):
        source = os.path.join(REPO_ROOT, name)
        if not os.path.lexists(source):
            continue
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.islink(source):
            os.symlink(os.readlink(source), str(target))
        else:
            shutil.copy2(source, str(target))
    assert not (root / '.collections').exists()
    return root


def hosts_listed(output):
    """The host names of `ansible-playbook --list-hosts` (the lines after 'hosts (N):')."""
    names, inside = [], False
    for line in output.splitlines():
        if 'hosts (' in line:
            inside = True
            continue
        if inside and line.strip() and line.startswith('      ') and ':' not in line:
            names.append(line.strip())
    return names


def test_a_fresh_clone_runs_the_playbooks_without_make_tree(clone, tmp_path):
    rc, output = run(['ansible-playbook', '-i', 'inventories/example', 'playbooks/deploy_bc.yml', '--syntax-check'],
                     str(clone), home=str(tmp_path))
    assert rc == 0, output
    rc, output = run(['ansible-playbook', 'deploy_bc.yml', '-i', '../inventories/lab', '--syntax-check'],
                     str(clone / 'playbooks'), home=str(tmp_path))
    assert rc == 0, output


def test_the_plays_work_the_group_phones_unless_target_hosts_names_another(clone, tmp_path):
    rc, output = run(['ansible-playbook', '-i', 'inventories/lab', 'playbooks/deploy_bc.yml', '--list-hosts'],
                     str(clone), home=str(tmp_path))
    assert rc == 0, output
    assert len(hosts_listed(output)) == LAB_PHONES, output
    rc, output = run(['ansible-playbook', '-i', 'inventories/lab', 'playbooks/verify.yml', '--list-hosts',
                      '-e', 'target_hosts=site_b'], str(clone), home=str(tmp_path))
    assert rc == 0, output
    listed = hosts_listed(output)
    assert listed and all(name.startswith('phone-b') for name in listed), output


def test_without_an_inventory_no_phone_is_worked(clone, tmp_path):
    rc, output = run(['ansible-playbook', 'playbooks/deploy_bc.yml', '--list-hosts'], str(clone), home=str(tmp_path))
    assert hosts_listed(output) == [], output
    assert 'phone-a01' not in output
    rc, output = run(['ansible-inventory', '--list'], str(clone), home=str(tmp_path))
    assert 'phone-a01' not in output and 'inventories/lab' not in output, output


def test_collections_path_adds_to_the_users_paths(clone, tmp_path):
    rc, output = run(['ansible-config', 'dump', '--only-changed'], str(clone), home=str(tmp_path))
    assert rc == 0, output
    line = next(line for line in output.splitlines() if line.startswith('COLLECTIONS_PATHS'))
    assert '.collections' in line and str(tmp_path / '.ansible' / 'collections') in line, line


def test_the_installed_tarball_runs_its_playbooks_by_name(clone, tmp_path):
    rc, output = run(['ansible-galaxy', 'collection', 'build', '--output-path', str(tmp_path / 'build'), str(clone)],
                     str(tmp_path), home=str(tmp_path))
    assert rc == 0, output
    tarball, = [str(path) for path in (tmp_path / 'build').iterdir()]
    listed = subprocess.run(['tar', 'tzf', tarball], capture_output=True, text=True, check=True).stdout.split()
    for left_out in ('Makefile', 'ansible.cfg', 'playbooks/collections', 'tests/lab/', 'tests/tools/', 'inventories/lab/'):
        assert not [name for name in listed if name == left_out or name.startswith(left_out)], left_out
    rc, output = run(['ansible-galaxy', 'collection', 'install', '-p', str(tmp_path / 'installed'), tarball],
                     str(tmp_path), home=str(tmp_path))
    assert rc == 0, output
    rc, output = run(['ansible-playbook', 'telephony.genesys_audiocodes.deploy_bc', '-i',
                      str(clone / 'inventories' / 'example'), '--syntax-check'], str(tmp_path), home=str(tmp_path),
                     ANSIBLE_COLLECTIONS_PATH=str(tmp_path / 'installed'))
    assert rc == 0, output


def tasks_from_used():
    """(role, entry point) for every include_role/import_role with tasks_from in roles/ and playbooks/."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith(('include_role', 'import_role')) and isinstance(value, dict) and value.get('tasks_from'):
                    found.add((value['name'].split('.')[-1], value['tasks_from']))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    for top in ('roles', 'playbooks'):
        for folder, dirs, files in os.walk(os.path.join(REPO_ROOT, top)):
            dirs[:] = [name for name in dirs if name != 'collections']
            for name in files:
                if name.endswith('.yml'):
                    with open(os.path.join(folder, name), encoding='utf-8') as handle:
                        walk(yaml.safe_load(handle))
    return found


def test_every_tasks_from_entry_point_is_documented_where_ansible_doc_shows_it(tmp_path):
    used = tasks_from_used()
    assert ('audiocodes_phone', 'deploy') in used and ('preflight', 'summary') in used, used
    for role in sorted(set(role for role, dummy in used)):
        rc, output = run(['ansible-doc', '-t', 'role', '--json', 'telephony.genesys_audiocodes.' + role], REPO_ROOT,
                         home=str(tmp_path), ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'))
        assert rc == 0, output
        entry_points = json.loads(output)['telephony.genesys_audiocodes.' + role]['entry_points']
        for wanted in sorted(entry for name, entry in used if name == role):
            assert wanted in entry_points, '%s: tasks_from %s is not in meta/argument_specs.yml' % (role, wanted)
            assert entry_points[wanted].get('short_description') and entry_points[wanted].get('description')
