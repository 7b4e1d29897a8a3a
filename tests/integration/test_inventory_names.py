"""The inventory's variable names: gac_ prefixed, the bare names of 0.2 still read for one release.

No lab: the preflight writes nothing. The lab inventory (already on the gac_ names) is copied once as
it is and once with the bare names; both give the same preflight, and only the bare one warns, once
per name.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from labfixture import REPO_ROOT

LAB_INVENTORY = os.path.join(REPO_ROOT, 'inventories', 'lab')
BARE = ('model', 'firmware', 'lines', 'site', 'sites', 'deployment', 'bc_mode', 'bc_sites')
PREFLIGHT_ONLY = """
- name: Preflight only
  hosts: phones
  gather_facts: false
  tasks:
    - name: The preflight of every deployment
      ansible.builtin.include_role:
        name: telephony.genesys_audiocodes.preflight
      run_once: true
    - name: What the roles would get
      ansible.builtin.debug:
        msg: "{{ preflight_desired_state.phones | dict2items | map(attribute='value.settings') | list | length }}"
      run_once: true
"""


def inventory_with_bare_names(dest):
    shutil.copytree(LAB_INVENTORY, dest)
    for folder, _dirs, files in os.walk(dest):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, encoding='utf-8') as handle:
                text = handle.read()
            text = re.sub(r'(?m)^(\s*)gac_(%s):' % '|'.join(BARE), r'\1\2:', text)
            text = text.replace("{{ gac_bc_mode !=", "{{ bc_mode !=").replace("{{ gac_deployment !=", "{{ deployment !=")
            with open(path, 'w', encoding='utf-8') as handle:
                handle.write(text)
    return dest


def preflight(inventory, tmp_path):
    playbook = tmp_path / 'preflight.yml'
    playbook.write_text(PREFLIGHT_ONLY)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'),
               ANSIBLE_DEPRECATION_WARNINGS='1')
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), str(playbook), '-i', inventory]
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def summary(output):
    return re.findall(r"- '(?:business_continuity|switch) [^']*'", re.sub(r'\n\s+', ' ', output))


@pytest.fixture(name='runs', scope='module')
def runs_fixture(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp('names')
    prefixed = preflight(LAB_INVENTORY, tmp_path)
    bare = preflight(inventory_with_bare_names(str(tmp_path / 'bare')), tmp_path)
    return prefixed, bare


def test_the_lab_inventory_uses_only_the_prefixed_names_and_gets_no_deprecation(runs):
    prefixed, _bare = runs
    assert prefixed.returncode == 0, prefixed.stdout + prefixed.stderr
    assert 'DEPRECATION' not in prefixed.stdout + prefixed.stderr


def test_the_bare_names_of_0_2_still_give_the_same_preflight_and_warn_once_per_name(runs):
    prefixed, bare = runs
    assert bare.returncode == 0, bare.stdout + bare.stderr
    assert summary(bare.stdout) == summary(prefixed.stdout) and len(summary(bare.stdout)) == 3
    output = bare.stdout + bare.stderr
    for name in BARE:
        said = re.findall(r'DEPRECATION WARNING\]: [^\n]*the inventory variable %s is deprecated' % name, output)
        assert len(said) == 1, (name, output)
        assert 'rename it gac_%s' % name in output
