"""Generate the lab's phones (and a lab profile that uses them) from an Ansible inventory.

The lab must emulate exactly the phones the inventory describes, so this tool reads the inventory
the way Ansible does (``ansible-inventory --list``) and writes a phones file in the format of
tests/lab/README.md ("## phone"): ``address``, ``model``, ``mac``, ``firmware``,
``admin_password`` (the host's ``audiocodes_password``) and ``config`` (the host's optional
``lab_phone_config``: the configuration before any deployment). It is a tool, not the lab: the lab
never imports collection code, and this file imports none either.

Usage (repository root, the project's virtual environment):
    python tests/tools/lab_phones_from_inventory.py --inventory inventories/lab \
        --phones-file .lab/default/inventory-phones.yml \
        [--profile-out .lab/default/inventory-profile.yml] [--base-profile tests/lab/profiles/default.yml] \
        [--group phones] [--reboot-seconds 10]

With ``--profile-out`` it also writes a lab profile: the base profile with ``phone.phones_file``
pointing at the generated file and ``profile_dir`` at tests/lab/profiles (so the GAX seed and
other relative paths still resolve). Start the lab with
``python tests/lab/labctl.py up --profile <profile-out> --state-dir <dir>``.
"""

import argparse
import json
import os
import subprocess
import sys

import yaml

TOOLS_DIR = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(TOOLS_DIR))
PROFILES_DIR = os.path.join(REPO_ROOT, 'tests', 'lab', 'profiles')
DEFAULT_BASE_PROFILE = os.path.join(PROFILES_DIR, 'default.yml')

# Host variables the lab needs, and the lab field each one becomes.
FIELDS = (('address', 'address'), ('model', 'model'), ('mac', 'mac'), ('firmware', 'firmware'),
          ('audiocodes_password', 'admin_password'))


class InventoryProblem(Exception):
    """The inventory cannot describe a lab phone; the message names the host and the fix."""


def ansible_inventory(inventory):
    """``ansible-inventory --list`` of ``inventory``, as a dict (host variables merged per host)."""
    sibling = os.path.join(os.path.dirname(sys.executable), 'ansible-inventory')
    command = sibling if os.path.exists(sibling) else 'ansible-inventory'
    env = dict(os.environ, ANSIBLE_NOCOLOR='1')
    result = subprocess.run([command, '-i', inventory, '--list'], capture_output=True, text=True, env=env,
                            check=False, timeout=120)
    if result.returncode != 0:
        raise InventoryProblem('ansible-inventory -i %s --list failed (%d):\n%s'
                               % (inventory, result.returncode, result.stderr.strip()))
    return json.loads(result.stdout)


def hosts_of(listing, group):
    """The hosts of ``group`` and of its children, in inventory order, each once."""
    if group not in listing:
        raise InventoryProblem('the inventory has no group %r (groups: %s)'
                               % (group, ', '.join(sorted(k for k in listing if k != '_meta'))))
    found = []
    seen_groups = set()

    def walk(name):
        if name in seen_groups:
            return
        seen_groups.add(name)
        entry = listing.get(name) or {}
        for host in entry.get('hosts', []):
            if host not in found:
                found.append(host)
        for child in entry.get('children', []):
            walk(child)

    walk(group)
    return found


def literal(host, name, value):
    text = value if isinstance(value, str) else str(value)
    if '{{' in text or '{%' in text:
        raise InventoryProblem('%s: %s is a template (%s); the lab needs it literal: write the value itself'
                               % (host, name, text))
    return text


def phone_entry(host, hostvars):
    entry = {}
    for var, field in FIELDS:
        # The collection's schema prefixes model and firmware (gac_); the bare names work until 0.4.0.
        value = hostvars.get('gac_' + var, hostvars.get(var)) if var in ('model', 'firmware') else hostvars.get(var)
        if var == 'address' and value is None:
            value = hostvars.get('ansible_host', host)
        if value is None:
            if var in ('model', 'address'):
                raise InventoryProblem('%s: %s is missing; every lab phone needs it' % (host, var))
            continue                      # the lab's default (MAC from the address, firmware, "1234")
        entry[field] = literal(host, var, value)
    if not entry['address'].startswith('127.') or entry['address'].startswith('127.0.0.'):
        raise InventoryProblem('%s: address %s is not a lab phone address (127.B.x.y, B.x.y not 0.0.x)'
                               % (host, entry['address']))
    config = hostvars.get('lab_phone_config')
    if config:
        if not isinstance(config, dict):
            raise InventoryProblem('%s: lab_phone_config must map configuration keys to values' % host)
        entry['config'] = dict((str(key), literal(host, 'lab_phone_config[%s]' % key, value))
                               for key, value in config.items())
    replay = hostvars.get('lab_phone_replay')
    if replay:
        # a capture bundle of the field check (docs/field-check.md): the lab phone replays it
        entry['replay'] = os.path.abspath(literal(host, 'lab_phone_replay', replay))
    return entry


def with_replays(phones, replays):
    """``--replay HOST_OR_ADDRESS=BUNDLE``: that phone replays a capture bundle (docs/field-check.md)."""
    for item in replays or ():
        target, sep, bundle = item.partition('=')
        found = [p for p in phones if target in (p['address'], p.get('host'))]
        if not sep or not found:
            raise InventoryProblem('--replay %s: give HOST=BUNDLE or ADDRESS=BUNDLE of a phone of the inventory' % item)
        found[0]['replay'] = os.path.abspath(bundle)
    for phone in phones:
        phone.pop('host', None)
    return phones


def phones_from_inventory(inventory, group='phones', replays=None):
    listing = ansible_inventory(inventory)
    hostvars = listing.get('_meta', {}).get('hostvars', {})
    hosts = hosts_of(listing, group)
    if not hosts:
        raise InventoryProblem('group %r of %s has no host' % (group, inventory))
    phones = [dict(phone_entry(host, hostvars.get(host, {})), host=host) for host in hosts]
    addresses = [phone['address'] for phone in phones]
    twice = sorted(set(a for a in addresses if addresses.count(a) > 1))
    if twice:
        raise InventoryProblem('address used by several hosts: %s' % ', '.join(twice))
    return with_replays(phones, replays)


def write_yaml(path, data, header):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = path + '.tmp'
    with open(temporary, 'w', encoding='utf-8') as handle:
        handle.write(header)
        yaml.safe_dump(data, handle, sort_keys=False, default_flow_style=False)
    os.replace(temporary, path)


def lab_profile(base_profile, phones_file, reboot_seconds=None, sip=False):
    with open(base_profile, encoding='utf-8') as handle:
        profile = yaml.safe_load(handle) or {}
    profile['profile_dir'] = os.path.dirname(os.path.abspath(base_profile))
    phone = profile.setdefault('phone', {})
    phone['phones_file'] = os.path.abspath(phones_file)
    phone.pop('generate', None)
    if reboot_seconds is not None:
        phone.setdefault('timings', {})['reboot_seconds'] = reboot_seconds
    if sip:
        # The site registrars and proxy pools at the addresses inventories/lab names, and phones
        # that register for real (tests/lab/README.md "## sip").
        profile.setdefault('sip', {})['enabled'] = True
        phone.setdefault('sip', {})['enabled'] = True
    return profile


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--inventory', required=True, help='inventory path, as for ansible -i')
    parser.add_argument('--phones-file', required=True, help='the phones file to write')
    parser.add_argument('--group', default='phones', help='the group of the phones (default: phones)')
    parser.add_argument('--profile-out', help='also write a lab profile that uses the phones file')
    parser.add_argument('--base-profile', default=DEFAULT_BASE_PROFILE, help='profile the written one starts from')
    parser.add_argument('--reboot-seconds', type=float, help='how long a reboot keeps a phone away (profile timing)')
    parser.add_argument('--sip', action='store_true', help='start the SIP registrars and let the phones register')
    parser.add_argument('--replay', action='append', metavar='HOST=BUNDLE',
                        help='that phone replays a field check capture bundle (repeatable)')
    args = parser.parse_args(argv)
    try:
        phones = phones_from_inventory(args.inventory, args.group, args.replay)
    except InventoryProblem as exc:
        sys.stderr.write('lab_phones_from_inventory: %s\n' % exc)
        return 1
    source = 'generated by tests/tools/lab_phones_from_inventory.py from %s (group %s): do not edit\n' % (
        args.inventory, args.group)
    write_yaml(args.phones_file, phones, '# Lab phones %s' % source)
    print('%d phones written to %s' % (len(phones), args.phones_file))
    if args.profile_out:
        profile = lab_profile(args.base_profile, args.phones_file, args.reboot_seconds, args.sip)
        write_yaml(args.profile_out, profile, '# Lab profile %s' % source)
        print('lab profile written to %s' % args.profile_out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
