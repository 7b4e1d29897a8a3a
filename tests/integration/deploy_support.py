"""What the deployment tests share: a copy of the lab inventory, its phones file, and a playbook run."""

import os
import shutil
import subprocess
import sys

from labfixture import CA_PATH, REPO_ROOT

PLAYBOOKS = os.path.join(REPO_ROOT, 'playbooks')
GENERATOR = os.path.join(REPO_ROOT, 'tests', 'tools', 'lab_phones_from_inventory.py')
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
LAB_INVENTORY = os.path.join(REPO_ROOT, 'inventories', 'lab')


def copy_lab_inventory(dest, moved):
    """Copy inventories/lab to ``dest``, every file's text passed through ``moved(text)`` (a test's addresses)."""
    shutil.copytree(LAB_INVENTORY, dest)
    for folder, _dirs, files in os.walk(dest):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, encoding='utf-8') as handle:
                text = handle.read()
            with open(path, 'w', encoding='utf-8') as handle:
                handle.write(moved(text))
    return dest


def phones_file_from(inventory, phones_file):
    """Write the lab's phones file for ``inventory`` (the generator `make lab-up` uses)."""
    subprocess.run([sys.executable, GENERATOR, '--inventory', inventory, '--phones-file', phones_file],
                   check=True, capture_output=True, text=True, timeout=120)
    return phones_file


def run_playbook(playbook, inventory, https_port, extra=(), limit=None, timeout=900):
    """``ansible-playbook`` from the checkout against a lab's phones (HTTPS, lab CA, short waits)."""
    command = [ANSIBLE_PLAYBOOK, os.path.join(PLAYBOOKS, playbook), '-i', inventory,
               '-e', 'audiocodes_port=%d' % https_port, '-e', 'audiocodes_ca_path=%s' % CA_PATH,
               '-e', 'audiocodes_phone_verify_delay=1', '-e', 'audiocodes_phone_reboot_timeout=60']
    for item in extra:
        command += ['-e', item]
    if limit:
        command += ['--limit', limit]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'))
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
