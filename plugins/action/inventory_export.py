# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""inventory_export: read the play's phones and the sites' switches, write them as an inventory.

Reading uses the same client code as audiocodes_phone_info and genesys_dn_info (in this process,
the phones in threads); the inference is plugin_utils/features/reverse.py; this file only gathers
the connection options, runs the reads, and writes the files (0600 in 0700 folders, the vault file
encrypted with the play's vault secret when there is one). Nothing secret is returned.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import tempfile

from concurrent.futures import ThreadPoolExecutor

import yaml

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError, RemoteError, InputError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import core as phone_core, module_support
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core as gax_core
from ansible_collections.telephony.genesys_audiocodes.plugins.modules.inventory_export import export_argument_spec
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features import reverse
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.inventory import InventoryError

display = Display()

# Host variable -> phone connection option, as the deployment roles map them (roles/audiocodes_phone/defaults).
PHONE_VARS = (('audiocodes_username', 'username'), ('audiocodes_password', 'password'), ('audiocodes_port', 'port'),
              ('audiocodes_use_https', 'use_https'), ('audiocodes_validate_certs', 'validate_certs'),
              ('audiocodes_ca_path', 'ca_path'), ('audiocodes_timeout', 'timeout'))
FILES = ('hosts.yml', os.path.join('group_vars', 'all', 'main.yml'), os.path.join('group_vars', 'all', 'vault.yml'),
         'export-report.md', 'export-report.json')
PROGRESS_EVERY = 100


class _Dumper(yaml.SafeDumper):
    """Block style, and lists indented under their key (as ansible-lint's yamllint wants them)."""

    def increase_indent(self, flow=False, indentless=False):
        return super(_Dumper, self).increase_indent(flow, False)


def _plain(value):
    """Plain Python types (Ansible's tagged strings and lazy containers do not serialise)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dict) or hasattr(value, 'items'):
        return dict((_plain(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return str(value)


def _yaml(data, header):
    return header + yaml.dump(_plain(data), Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                              allow_unicode=True, width=120)


def _write(path, text):
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix='.export-')
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            stream.write(text)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except Exception:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def _problem(exc):
    return str(exc) if isinstance(exc, (OperatorError, RemoteError, InputError)) else '%s: %s' % (type(exc).__name__, exc)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        validation = ArgumentSpecValidator(export_argument_spec()).validate(self._task.args)
        no_log = set(validation._no_log_values)
        if validation.error_messages:
            result.update(failed=True, msg='inventory_export: %s' % validation.errors.msg)
            return remove_values(result, no_log)
        params = validation.validated_parameters
        dest = params['export_dir']
        existing = [os.path.join(dest, name) for name in FILES if os.path.exists(os.path.join(dest, name))]
        if existing and not params['force']:
            result.update(failed=True, msg='inventory_export: %s already exists; choose an empty export_dir or set '
                                           'force: true to overwrite' % ', '.join(existing))
            return result
        hosts = params['hosts'] if params['hosts'] is not None else list(task_vars.get('ansible_play_batch') or [])
        secrets = set(no_log)
        unread = []
        phones = self._read_phones(hosts, task_vars, params['concurrency'], secrets, unread)
        switches = self._read_switches(params, secrets, unread)
        try:
            exported = reverse.export(params['sites'], phones, switches)
        except InventoryError as exc:
            result.update(failed=True, msg='inventory_export: the seed\'s sites are not valid: %s' % exc)
            return remove_values(result, secrets)
        for value in exported['secrets'][reverse.VAULT_SIP].values():
            secrets.add(value)
        exported['report']['unread'] = unread
        files, encrypted = self._write_all(dest, params['group'], exported, hosts)
        summary = exported['report']['summary']
        deployment = exported['group_vars']
        result.update(
            changed=not self._task.check_mode, files=files, summary=summary, unread=unread,
            vault_encrypted=encrypted,
            deployment=dict((k, v) for k, v in deployment.items() if k != 'gac_sites'),
            msg='exported %d phone(s), %d line(s), %d DN password(s) to %s: %d conflict(s), %d key(s) and %d '
                'option(s) no feature explains; see export-report.md' % (
                    summary['phones'], summary['lines'], summary['secrets'], dest, summary['conflicts'],
                    summary['unexplained_phone_keys'], summary['unexplained_dn_options']))
        if secrets and not encrypted and summary['secrets']:
            result['warnings'] = ['%s holds the DN SIP passwords in clear (mode 0600): no vault secret was given to '
                                  'ansible-playbook; encrypt it with ansible-vault encrypt, or run the export with '
                                  '--vault-password-file' % os.path.join(dest, FILES[2])]
        if unread:
            result['failed'] = True
            result['msg'] = 'inventory_export could not read %d phone(s) or switch(es), left out of the export: %s' % (
                len(unread), '; '.join(unread))
        return remove_values(result, secrets)

    # -- reading --------------------------------------------------------------------------------
    def _phone_params(self, host, hostvars):
        args = {'host': hostvars.get('address') or hostvars.get('ansible_host') or host, 'gather': ['device', 'config']}
        for var, option in PHONE_VARS:
            value = hostvars.get(var)
            if value is not None and value != '':
                args[option] = value
        validation = ArgumentSpecValidator(module_support.phone_info_argument_spec()).validate(args)
        if validation.error_messages:
            raise InputError('phone %s' % host, validation.errors.msg, 'set its connection variables (audiocodes_password, ...)')
        return validation.validated_parameters, set(validation._no_log_values)

    def _read_phones(self, hosts, task_vars, concurrency, secrets, unread):
        all_vars = task_vars.get('hostvars') or {}
        jobs = {}
        for host in hosts:
            try:
                params, hidden = self._phone_params(host, all_vars[host])
            except (InputError, AnsibleError, KeyError) as exc:
                unread.append('%s: %s' % (host, _problem(exc)))
                continue
            secrets.update(hidden)
            jobs[host] = params
        done = [0]

        def read(host):
            params = jobs[host]
            try:
                answer = phone_core.run_phone_info(params)
            except Exception as exc:   # pylint: disable=broad-except  # one phone must not stop the others
                answer = {'failed': True, 'msg': _problem(exc)}
            done[0] += 1
            if done[0] % PROGRESS_EVERY == 0:
                display.display('inventory_export: %d/%d phones read' % (done[0], len(jobs)))
            return host, answer

        phones = {}
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            for host, answer in pool.map(read, sorted(jobs)):
                if answer.get('failed'):
                    unread.append('phone %s (%s): %s' % (host, jobs[host]['host'], answer.get('msg')))
                    continue
                phones[host] = {'address': jobs[host]['host'], 'device': answer.get('device') or {},
                                'config': answer.get('config') or {}}
        return phones

    def _read_switches(self, params, secrets, unread):
        switches = {}
        for site in params['sites']:
            name = str(site.get('name') or '')
            gax = site.get('gax') or {}
            gax_params = {'gax_url': gax.get('url') or os.environ.get('GAX_URL'), 'switch': gax.get('switch'),
                          'username': params['gax_username'] or os.environ.get('GAX_USERNAME'),
                          'password': params['gax_password'] or os.environ.get('GAX_PASSWORD'),
                          'validate_certs': params['gax_validate_certs'],
                          'ca_path': params['gax_ca_path'] or os.environ.get('GAX_CA_PATH'),
                          'timeout': params['gax_timeout'], 'use_proxy': False}
            if gax_params['password']:
                secrets.add(gax_params['password'])
            try:
                read, masker = gax_core.read_switch(gax_params)
            except Exception as exc:   # pylint: disable=broad-except  # one site must not stop the others
                unread.append('site %s (switch %s): %s' % (name, gax.get('switch'), _problem(exc)))
                continue
            secrets.update(masker.values)
            switches[name] = read
        return switches

    # -- writing --------------------------------------------------------------------------------
    def _vault(self):
        vault = getattr(self._loader, '_vault', None)
        return list(getattr(vault, 'secrets', None) or [])

    def _write_all(self, dest, group, exported, hosts):
        header = ('# Exported by telephony.genesys_audiocodes.inventory_export from what the phones and switches\n'
                  '# run now (schema: docs/inventory.md). Review export-report.md before a deploy.\n')
        texts = {
            FILES[0]: _yaml({group: {'hosts': exported['hosts']}}, header),
            FILES[1]: _yaml(exported['group_vars'], header),
            FILES[3]: report_markdown(exported['report'], hosts),
            FILES[4]: json.dumps(_plain(exported['report']), indent=2, sort_keys=True) + '\n',
        }
        vault_text = _yaml(exported['secrets'], '# The DN SIP passwords read from GAX, by DN (inventory_export).\n')
        encrypted = False
        secrets = self._vault()
        if secrets:
            from ansible.parsing.vault import VaultLib, match_encrypt_secret
            vault_id, secret = match_encrypt_secret(secrets)
            vault_text = VaultLib(secrets).encrypt(vault_text, secret, vault_id=vault_id).decode('utf-8')
            encrypted = True
        texts[FILES[2]] = vault_text
        files = [os.path.join(dest, name) for name in FILES]
        if not self._task.check_mode:
            os.makedirs(dest, mode=0o700, exist_ok=True)
            for name in FILES:
                _write(os.path.join(dest, name), texts[name])
        return files, encrypted


def report_markdown(report, hosts):
    """The report as a reviewer reads it: what to decide first, then what is kept as it is."""
    out = ['# Export report', '']
    summary = report.get('summary') or {}
    out.append('%d phone(s) of %d read, %d line(s), %d DN password(s) to the vault file.' % (
        summary.get('phones', 0), len(hosts), summary.get('lines', 0), summary.get('secrets', 0)))
    out.append('')
    sections = (
        ('unread', 'Not read (left out of the export)', None),
        ('preflight', 'The exported inventory breaks a rule of the note (fix before a deploy)', None),
        ('conflicts', 'Conflicts: a deploy of the export would change these (decide first)', ('subject', 'cause', 'fix')),
        ('decisions', 'Decisions the devices cannot make for you', ('subject', 'feature', 'cause', 'fix')),
        ('not_recoverable', 'Not recoverable from the devices', ('subject', 'cause', 'fix')),
        ('unexplained_phone_keys', 'Phone keys no feature explains (kept as they are by deploys)',
         ('subject', 'key', 'value', 'default')),
        ('unexplained_dn_options', 'DN options no feature explains (kept as they are by deploys)',
         ('subject', 'option', 'value')),
        ('unused_dns', 'DNs no phone of the seed registers (left alone)', ('subject', 'fix')),
    )
    for name, title, columns in sections:
        items = report.get(name) or []
        out.append('## %s (%d)' % (title, len(items)))
        out.append('')
        if not items:
            out.append('None.')
        elif columns is None:
            out.extend('- %s' % item for item in items)
        else:
            out.append('| %s |' % ' | '.join(columns))
            out.append('|%s' % '---|' * len(columns))
            for item in items:
                out.append('| %s |' % ' | '.join(str(item.get(c, '')).replace('|', '\\|') for c in columns))
        out.append('')
    return '\n'.join(out)
