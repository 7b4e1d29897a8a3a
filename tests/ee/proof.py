"""The execution environment, proven: a job inside the image reaches the lab, as an AWX job would.

Checks, each printed as PASS or FAIL, then a closing line `N passed, M failed`:
1. the image's `ansible-galaxy collection list` shows this collection at galaxy.yml's version;
2. its Python dependencies (requests, lxml, jmespath) import with the Python that runs Ansible there;
3. ansible-runner runs playbooks/deploy_bc.yml inside the image (podman, the host's network: no
   network namespace, so the lab's loopback addresses answer) against a lab on this file's own
   block, and the lab's own admin APIs show the deployment: every line of every phone, every DN
   on both sites' switches;
4. the same run again reports changed=0 on every host, and the lab counted no write during it.

The lab: the default profile's phones and GAX on block 127.115 (phones 127.115.1.y and
127.115.2.y, GAX and admin APIs on 127.0.0.115, ports 19150-19154, 1 s reboots), generated from a
copy of inventories/lab moved there, as tests/integration/test_deployments.py does. The lab's CA
file is mounted into the container. Containers are removed after each run (`podman run --rm`);
the image stays.

Usage (after `make ee`): python tests/ee/proof.py [--image NAME:TAG]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), os.path.join(os.path.dirname(HERE), 'integration')]

from deploy_support import copy_lab_inventory, phones_file_from  # noqa: E402  pylint: disable=wrong-import-position
from labfixture import CA_PATH, REPO_ROOT, Lab, deep_merge, load_profile, only_these_emulators  # noqa: E402  pylint: disable=wrong-import-position

EE_NAME = 'telephony-genesys-audiocodes-ee'
SITE_A_NET, SITE_B_NET = '127.115.1.', '127.115.2.'
ADMIN_HOST = '127.0.0.115'
PORT_BASE = 19150
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 3, PORT_BASE + 4
CA_IN_CONTAINER = '/etc/telephony-lab/ca.pem'
RECAP_RE = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def moved(text):
    """The lab inventory's text with its addresses moved to this file's block."""
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def galaxy_version():
    with open(os.path.join(REPO_ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['version']


def podman_flags():
    flags = os.environ.get('EE_PODMAN_FLAGS') or subprocess.run(
        ['sh', os.path.join(HERE, 'podman_flags.sh')], capture_output=True, text=True, check=True).stdout
    return flags.split()


def in_image(image, script):
    """``sh -c script`` in a throw-away container of ``image``: (exit code, output)."""
    result = subprocess.run(['podman', 'run', '--rm'] + podman_flags() + [image, 'sh', '-c', script],
                            capture_output=True, text=True, timeout=300, check=False)
    return result.returncode, result.stdout + result.stderr


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=''):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        sys.stdout.write('%s %s%s\n' % ('PASS' if ok else 'FAIL', name, '' if ok else ': ' + detail.strip()[-3000:]))
        sys.stdout.flush()
        return ok


def inventory_lines(inventory):
    """{phone address: [DN of line 0, DN of line 1, ...]} of the inventory copy."""
    with open(os.path.join(inventory, 'hosts.yml'), encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    lines = {}
    for group in data['phones']['children'].values():
        for host in (group.get('hosts') or {}).values():
            lines[host['address']] = [str(line['dn']) for line in host.get('lines') or []]
    return lines


def runner_job(private, ident, image):
    """``ansible-runner run`` of project/deploy_bc.yml inside ``image``: (rc, stdout of the job)."""
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-runner'), 'run', private,
               '-p', 'deploy_bc.yml', '--ident', ident, '--process-isolation',
               '--process-isolation-executable', 'podman', '--container-image', image,
               '--container-volume-mount', '%s:%s:ro' % (CA_PATH, CA_IN_CONTAINER)]
    flags = podman_flags()
    # --runtime X as --runtime=X: ansible-runner passes each option as one word.
    options, index = [], 0
    while index < len(flags):
        if flags[index].startswith('--') and '=' not in flags[index] and index + 1 < len(flags) \
                and not flags[index + 1].startswith('--'):
            options.append('%s=%s' % (flags[index], flags[index + 1]))
            index += 2
        else:
            options.append(flags[index])
            index += 1
    # The job runs as root in the container, as ansible-navigator runs it with podman: the image's
    # uid 1000 could not write the artifacts ansible-runner lays out (0700, owned by the caller).
    command += ['--container-option=%s' % option for option in options + ['--user=root']]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    stdout_path = os.path.join(private, 'artifacts', ident, 'stdout')
    job = ''
    if os.path.exists(stdout_path):
        with open(stdout_path, encoding='utf-8', errors='replace') as handle:
            job = handle.read()
    # What ansible-runner ran (artifacts/<ident>/command): podman with this image, not a local ansible-playbook.
    ran = []
    if os.path.exists(os.path.join(private, 'artifacts', ident, 'command')):
        with open(os.path.join(private, 'artifacts', ident, 'command'), encoding='utf-8') as handle:
            ran = json.load(handle).get('command') or []
    in_container = bool(ran) and os.path.basename(ran[0]) == 'podman' and image in ran and '--network=host' in ran
    return result.returncode, in_container, re.sub(r'\x1b\[[0-9;]*m', '', job or result.stdout + result.stderr)


def recap(output):
    return dict((m.group(1), {'ok': int(m.group(2)), 'changed': int(m.group(3)), 'unreachable': int(m.group(4)),
                              'failed': int(m.group(5))}) for m in RECAP_RE.finditer(output))


def private_data_dir(root, inventory):
    """ansible-runner's private data dir, laid out as AWX lays a job: project, inventory, extra vars."""
    private = os.path.join(root, 'runner')
    os.makedirs(os.path.join(private, 'project'))
    os.makedirs(os.path.join(private, 'env'))
    shutil.copy(os.path.join(REPO_ROOT, 'playbooks', 'deploy_bc.yml'), os.path.join(private, 'project'))
    shutil.copytree(inventory, os.path.join(private, 'inventory'))
    extravars = {'audiocodes_port': HTTPS_PORT, 'audiocodes_ca_path': CA_IN_CONTAINER,
                 'audiocodes_phone_verify_delay': 1, 'audiocodes_phone_reboot_timeout': 60}
    with open(os.path.join(private, 'env', 'extravars'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump(extravars, handle)
    with open(os.path.join(private, 'env', 'envvars'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump({'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0'}, handle)
    return private


def dns_by_switch(lab):
    found = {}
    for switch in lab.get('gax', '/objects?type=CfgSwitch'):
        found[switch['name']] = set(dn['number'] for dn in lab.get('gax', '/objects?type=CfgDN&switchdbid=%s' % switch['dbid']))
    return found


def writes(lab):
    phone = lab.get('phone', '/counters')['totals']
    return {'phone writes': phone.get('writes', 0), 'gax writes': lab.get('gax', '/counters')['writes']['requests']}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--image', default='%s:%s' % (EE_NAME, galaxy_version()))
    args = parser.parse_args(argv)
    checks = Checks()
    started = time.monotonic()

    code, out = in_image(args.image, 'ansible-galaxy collection list telephony.genesys_audiocodes')
    checks.check('the image lists telephony.genesys_audiocodes %s' % galaxy_version(),
                 code == 0 and re.search(r'^telephony\.genesys_audiocodes\s+%s\s*$' % re.escape(galaxy_version()), out, re.M),
                 out)
    code, out = in_image(args.image, 'py=$(head -1 "$(command -v ansible-playbook)" | cut -c3-) && "$py" -c '
                         '"import requests, lxml.etree, jmespath; print(\'imports ok\')"')
    checks.check('requests, lxml and jmespath import with the Python that runs Ansible in the image',
                 code == 0 and 'imports ok' in out, out)

    root = tempfile.mkdtemp(prefix='ee-proof-', dir=os.environ.get('LAB_TMP'))
    lab = None
    try:
        inventory = copy_lab_inventory(os.path.join(root, 'inventory'), moved)
        phones_file = phones_file_from(inventory, os.path.join(root, 'phones.yml'))
        overrides = only_these_emulators({
            'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                      'phones_file': phones_file, 'timings': {'reboot_seconds': 1}},
            'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'http'}]},
        })
        lab = Lab(os.path.join(root, 'lab'), deep_merge(load_profile('default'), overrides)).up()
        private = private_data_dir(root, inventory)
        wanted = inventory_lines(inventory)

        run_started = time.monotonic()
        code, in_container, out = runner_job(private, 'run1', args.image)
        first = recap(out)
        configs = dict((address, lab.get('phone', '/phones/%s/config' % address)) for address in wanted)
        wrong = ['%s line %d: %r, not %s' % (address, index, configs[address].get('voip/line/%d/id' % index), dn)
                 for address, dns in sorted(wanted.items()) for index, dn in enumerate(dns)
                 if configs[address].get('voip/line/%d/id' % index) != dn]
        on_switches = dns_by_switch(lab)
        all_dns = set(dn for dns in wanted.values() for dn in dns)
        missing = ['%s lacks %s' % (switch, ', '.join(sorted(all_dns - on_switches.get(switch, set()))))
                   for switch in ('SIP_Switch_A', 'SIP_Switch_B') if all_dns - on_switches.get(switch, set())]
        counted = writes(lab)
        healthy = not any(r['failed'] or r['unreachable'] for r in first.values())
        checks.check('run 1 in the image (%.0f s): exit 0, %d hosts, none failed; the lab has every line and '
                     'both switches every DN (%s)' % (time.monotonic() - run_started, len(first),
                                                      ', '.join('%d %s' % (n, k) for k, n in counted.items())),
                     code == 0 and in_container and len(first) >= len(wanted) and healthy
                     and not wrong and not missing and all(counted.values()),
                     'exit %d, in the container: %s, lab counters %s\n%s\n%s\n%s'
                     % (code, in_container, counted, '\n'.join(wrong[:10]), '\n'.join(missing), out[-4000:]))

        lab.post('phone', '/counters/reset')
        lab.post('gax', '/counters/reset')
        run_started = time.monotonic()
        code, in_container, out = runner_job(private, 'run2', args.image)
        second = recap(out)
        changed = dict((host, r['changed']) for host, r in second.items() if r['changed'] or r['failed'] or r['unreachable'])
        counted = writes(lab)
        checks.check('run 2 in the image (%.0f s): exit 0, changed=0 on all %d hosts, and the lab counted no write'
                     % (time.monotonic() - run_started, len(second)),
                     code == 0 and in_container and len(second) >= len(wanted) and not changed and not any(counted.values()),
                     'exit %d, in the container: %s, changed or failed: %s, lab counters: %s\n%s'
                     % (code, in_container, changed, counted, out[-4000:]))
    except Exception as error:  # pylint: disable=broad-exception-caught
        # The lab or ansible-runner could not start: a failed check with the cause, then the tally.
        checks.check('the lab and the jobs in the image', False, '%s: %s' % (type(error).__name__, error))
    finally:
        if lab is not None:
            lab.down()
        shutil.rmtree(root, ignore_errors=True)
    sys.stdout.write('ee proof: %d passed, %d failed in %.0f s (image %s)\n'
                     % (checks.passed, checks.failed, time.monotonic() - started, args.image))
    return 1 if checks.failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
