# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: field_check_report
short_description: Turn the field check's reads into a report of which assumptions hold, per phone and site
version_added: 0.3.0
description:
  - Reads the results of M(telephony.genesys_audiocodes.audiocodes_field_check) per phone and of
    M(telephony.genesys_audiocodes.genesys_field_check) per site, and the desired state of the
    deployment (P(telephony.genesys_audiocodes.desired_state#filter)).
  - Adds, per phone, one entry per key the deployment would write (does this firmware know it,
    judged from the keys its configuration file lists and the collection's key table), one entry
    per assumed phone key of the features table, and lists the features whose keys the firmware
    does not know (a deployment would then stop before any write, and why); per site, one entry per
    assumed DN option of the features table.
  - Returns the report (for C(report.json)), the same as Markdown (for C(report.md)) and the lines
    of a terminal summary - per phone and site, what holds, what is contradicted and what to do.
  - Names, statuses and evidence only - the desired state's secrets never reach the result.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input, sites, desired
options:
  _input:
    description: Per phone host name, the registered result of M(telephony.genesys_audiocodes.audiocodes_field_check) (a failed one too).
    type: dict
    required: true
  sites:
    description:
      - The registered loop result of M(telephony.genesys_audiocodes.genesys_field_check) over the sites
        (its C(results)), or a list of its results.
    type: raw
    required: true
  desired:
    description: The desired state, as P(telephony.genesys_audiocodes.desired_state#filter) returns it.
    type: dict
    required: true
  deployment:
    description: The deployment the desired state was computed for (shown in the report).
    type: str
    default: standalone
'''

EXAMPLES = r'''
- name: Build the field check report
  ansible.builtin.set_fact:
    field_check: >-
      {{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars, 'field_check_phone')))
         | telephony.genesys_audiocodes.field_check_report(field_check_sites.results, preflight_desired_state,
                                                            deployment=deployment) }}
  run_once: true

- name: Write report.md
  ansible.builtin.copy:
    content: "{{ field_check.markdown }}"
    dest: "{{ field_check_dir }}/report.md"
    mode: "0600"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
_value:
  description: The report, its Markdown and its summary.
  type: dict
  contains:
    report:
      description:
        - C(format), C(deployment), C(totals), C(phones) (per phone - C(host), C(address), C(device), C(read),
          C(entries), C(keys), C(unknown_features), C(todo), C(counts)) and C(sites) (per site - C(site),
          C(switch), C(entries), C(dns), C(agent_logins), C(todo), C(counts)).
        - Each entry is C({id, subject, status, evidence}) with status V(confirmed), V(contradicted) or V(unknown).
      type: dict
    markdown:
      description: The report as Markdown.
      type: str
    summary:
      description: The terminal summary, one line per phone and site, then one per thing to do.
      type: list
      elements: str
'''

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import keys as phone_keys
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features import table

FORMAT = 'telephony.genesys_audiocodes.field_check/1'
CONFIRMED = 'confirmed'
CONTRADICTED = 'contradicted'
UNKNOWN = 'unknown'
STATUSES = (CONFIRMED, CONTRADICTED, UNKNOWN)

# Where a contradicted assumption is fixed (docs/field-check.md, "From a contradiction to a fix").
FIXES = (
    ('pages.', 'correct the entry in plugins/module_utils/audiocodes/pages.py'),
    ('behaviour.', 'see the row in docs/compatibility.md: the collection stands this behaviour if it has a lab '
                   'variant; otherwise send report and capture'),
    ('objects.', 'correct the entry in plugins/module_utils/genesys/objects.py'),
    ('gax.', 'see the row in docs/compatibility.md; send report and capture'),
    ('key.', 'the firmware does not know this key: correct its row in plugins/plugin_utils/features/table.py, or turn '
             'the feature off for this phone'),
    ('feature.', 'correct the assumed name in plugins/plugin_utils/features/table.py'),
    ('deployment.', 'correct the assumed name in plugins/plugin_utils/features/table.py'),
)


def _fix(ident):
    for prefix, text in FIXES:
        if ident.startswith(prefix):
            return text
    return 'send report and capture to the collection\'s maintainers'


def entry(ident, subject, status, evidence):
    return {'id': ident, 'subject': subject, 'status': status, 'evidence': evidence}


def _counts(entries):
    counts = dict((status, 0) for status in STATUSES)
    for item in entries:
        counts[item['status']] = counts.get(item['status'], 0) + 1
    return counts


def _entry_status(entries, ident):
    return next((item['status'] for item in entries if item['id'] == ident), None)


def _expand(name, lines):
    """A table key name (``{n}`` for a line) as the keys of a phone with ``lines`` lines."""
    if '{n}' in name:
        return [name.replace('{n}', str(index)) for index in range(lines)]
    return [name]


def judge_key(key, known, download, secrets_shown, lines):
    """``(status, evidence)``: does this phone's firmware know ``key``?

    ``known``: the keys its download lists; ``download``: the status of behaviour.download
    (confirmed: the download lists every key); ``secrets_shown``: behaviour.secrets status.
    """
    index = phone_keys.line_index(key)
    if lines and index is not None and index >= lines:
        return CONTRADICTED, 'line index %d is beyond the %d lines of this model' % (index, lines)
    if key in known:
        return CONFIRMED, 'listed in the download'
    in_table = phone_keys.template(key) in phone_keys.KEYS
    if phone_keys.is_secret(key):
        return UNKNOWN, 'a secret the download does not list (secrets are %s): it cannot be told from a read' % (
            'shown encrypted' if secrets_shown == CONFIRMED else 'masked or omitted by this firmware')
    if download == CONFIRMED:
        return CONTRADICTED, ('absent from a download that lists every key: this firmware does not know it, so '
                              'audiocodes_phone refuses the settings before any write')
    if in_table:
        return UNKNOWN, ('absent from a download that lists only modified keys; the key table knows it, so it is '
                         'taken at its default')
    return CONTRADICTED, ('absent from a download that lists only modified keys and unknown to the key table '
                          '(plugins/module_utils/audiocodes/keys.py): refused by name before any write')


def _feature_rows():
    rows = [('feature %s' % table.BASIC.name, table.BASIC)]
    rows.extend(('feature %s' % row.name, row) for row in table.FEATURES)
    rows.extend(('deployment %s' % name, table.DEPLOYMENTS[name]) for name in sorted(table.DEPLOYMENTS))
    return rows


def _phone(host, result, desired, deployment):
    desired = desired or {}
    address = desired.get('address') or (result or {}).get('host') or host
    report = {'host': host, 'address': address, 'device': (result or {}).get('device') or {},
              'auth': (result or {}).get('auth'), 'config_file': (result or {}).get('config_file'),
              'read': bool(result) and not result.get('failed') and 'entries' in result,
              'entries': [], 'keys': [], 'unknown_features': [], 'todo': [], 'errors': (result or {}).get('errors') or {},
              'requests': len((result or {}).get('requests') or []), 'writes': (result or {}).get('writes') or []}
    if not report['read']:
        report['msg'] = (result or {}).get('msg') or 'not checked (skipped or no result)'
        report['todo'].append('the phone could not be read: %s' % report['msg'])
        report['counts'] = _counts([])
        return report
    entries = [dict(item) for item in result['entries']]
    known = set(result.get('config_keys') or [])
    lines = result.get('model_lines') or 0
    download = _entry_status(entries, 'behaviour.download')
    secrets = _entry_status(entries, 'behaviour.secrets')
    written = sorted((desired.get('settings') or {}).keys())
    verdicts = {}
    for key in written:
        status, evidence = judge_key(key, known, download, secrets, lines)
        verdicts[key] = status
        report['keys'].append(entry('key.%s' % key, 'the %s deployment writes %s' % (deployment, key), status, evidence))
    for where, row in _feature_rows():
        unknown = sorted(k for item in row.phone for k in _expand(item.name, lines or 1)
                         if verdicts.get(k) == CONTRADICTED)
        if unknown:
            report['unknown_features'].append({
                'feature': where, 'keys': unknown,
                'why': 'this firmware does not know %s: a deployment that writes the %s stops before any write '
                       '(audiocodes_phone refuses unknown keys by name)' % (', '.join(unknown[:4]), where)})
        for item in row.phone:
            if not item.assumed:
                continue
            names = _expand(item.name, 1)
            status, evidence = judge_key(names[0], known, download, secrets, lines)
            entries.append(entry('%s.%s' % (where.replace(' ', '.'), item.name),
                                 '%s assumes the key %s (%s)' % (where, item.name, item.evidence[:120]), status, evidence))
    report['entries'] = entries
    everything = entries + report['keys']
    for item in everything:
        if item['status'] == CONTRADICTED:
            report['todo'].append('%s: %s; %s' % (item['id'], item['evidence'], _fix(item['id'])))
    for feature in report['unknown_features']:
        report['todo'].append('%s: %s' % (feature['feature'], feature['why']))
    if report['writes']:
        report['todo'].append('the field check sent %d write(s): report this as a bug' % len(report['writes']))
    report['counts'] = _counts(everything)
    return report


def _site_results(sites):
    if isinstance(sites, Mapping):
        sites = sites.get('results', [sites])
    if not isinstance(sites, (list, tuple)):
        raise AnsibleFilterError('field_check_report: sites must be the registered loop result or a list of results')
    found = {}
    for result in sites:
        if not isinstance(result, Mapping) or result.get('skipped'):
            continue
        name = result.get('site') or result.get('item')
        found[str(name)] = result
    return found


def _site(name, result, desired):
    desired = desired or {}
    report = {'site': name, 'switch': desired.get('switch') or (result or {}).get('switch'),
              'gax_url': desired.get('gax_url'),
              'read': bool(result) and not result.get('failed') and 'entries' in result,
              'entries': [], 'todo': [], 'dns': {}, 'agent_logins': {},
              'requests': len((result or {}).get('requests') or []), 'writes': (result or {}).get('writes') or []}
    if not report['read']:
        report['msg'] = (result or {}).get('msg') or 'not checked (skipped or no result)'
        report['todo'].append('GAX could not be read: %s' % report['msg'])
        report['counts'] = _counts([])
        return report
    entries = [dict(item) for item in result['entries']]
    report['dns'] = result.get('dns') or {}
    report['agent_logins'] = result.get('agent_logins') or {}
    seen = result.get('annex_options') or {}
    for where, row in _feature_rows():
        for item in row.dn:
            if item.assumed:
                name = 'TServer/%s' % item.name
                entries.append(entry('%s.%s' % (where.replace(' ', '.'), item.name),
                                     '%s assumes the DN option %s (%s)' % (where, item.name, item.evidence[:120]),
                                     CONFIRMED if seen.get(name) else UNKNOWN,
                                     ('%d DN(s) of the switch carry it' % seen[name]) if seen.get(name)
                                     else 'no DN of the switch carries it yet; only SIP Server\'s behaviour can tell'))
    report['entries'] = entries
    for item in entries:
        if item['status'] == CONTRADICTED:
            report['todo'].append('%s: %s; %s' % (item['id'], item['evidence'], _fix(item['id'])))
    if report['writes']:
        report['todo'].append('the field check sent %d write(s): report this as a bug' % len(report['writes']))
    report['counts'] = _counts(entries)
    return report


def _markdown(report):
    out = ['# Field check', '',
           'Deployment `%s`. %d phone(s), %d site(s). Status per assumption: confirmed (seen to hold), '
           'contradicted (seen not to hold), unknown (a read-only check cannot tell). Secrets are masked.' % (
               report['deployment'], len(report['phones']), len(report['sites'])), '']

    def cell(text):
        return str(text if text is not None else '').replace('|', '\\|').replace('\n', ' ')

    def table_of(entries):
        rows = ['| id | assumption | status | evidence |', '|---|---|---|---|']
        rows.extend('| `%s` | %s | **%s** | %s |' % (cell(e['id']), cell(e['subject']), e['status'], cell(e['evidence']))
                    for e in entries)
        return rows

    for phone in report['phones']:
        device = phone['device']
        out += ['## Phone %s (%s)' % (phone['host'], phone['address']), '',
                'Model %s, firmware %s, MAC %s, login %s, file %s. %d request(s), %d write(s).' % (
                    device.get('model'), device.get('firmware'), device.get('mac'), phone.get('auth'),
                    phone.get('config_file'), phone['requests'], len(phone['writes'])), '']
        if not phone['read']:
            out += ['Not read: %s' % cell(phone.get('msg')), '']
            continue
        out += ['Counts: %(confirmed)d confirmed, %(contradicted)d contradicted, %(unknown)d unknown.' % phone['counts'], '']
        if phone['todo']:
            out += ['### What to do', ''] + ['- %s' % cell(item) for item in phone['todo']] + ['']
        out += ['### Assumptions', ''] + table_of(phone['entries']) + ['']
        out += ['### Keys the deployment would write', ''] + table_of(phone['keys']) + ['']
        if phone['unknown_features']:
            out += ['### Features whose keys this firmware does not know', '']
            out += ['- %s: %s' % (f['feature'], cell(f['why'])) for f in phone['unknown_features']] + ['']
    for site in report['sites']:
        out += ['## Site %s (switch %s, %s)' % (site['site'], site['switch'], site.get('gax_url')), '',
                '%d request(s), %d write(s).' % (site['requests'], len(site['writes'])), '']
        if not site['read']:
            out += ['Not read: %s' % cell(site.get('msg')), '']
            continue
        out += ['Counts: %(confirmed)d confirmed, %(contradicted)d contradicted, %(unknown)d unknown.' % site['counts'], '']
        out += ['DNs: %s' % (', '.join('%s %s' % item for item in sorted(site['dns'].items())) or 'none asked'),
                '', 'Agent Logins: %s' % (', '.join('%s %s' % item for item in sorted(site['agent_logins'].items()))
                                          or 'none asked'), '']
        if site['todo']:
            out += ['### What to do', ''] + ['- %s' % cell(item) for item in site['todo']] + ['']
        out += ['### Assumptions', ''] + table_of(site['entries']) + ['']
    return '\n'.join(out).rstrip('\n') + '\n'


def _summary(report):
    lines = []
    for phone in report['phones']:
        if not phone['read']:
            lines.append('phone %s (%s): NOT READ: %s' % (phone['host'], phone['address'], phone.get('msg')))
            continue
        counts = phone['counts']
        lines.append('phone %s (%s, %s %s): %d hold, %d contradicted, %d unknown%s' % (
            phone['host'], phone['address'], phone['device'].get('model'), phone['device'].get('firmware'),
            counts[CONFIRMED], counts[CONTRADICTED], counts[UNKNOWN],
            ('; contradicted: %s' % ', '.join(e['id'] for e in phone['entries'] + phone['keys']
                                              if e['status'] == CONTRADICTED)) if counts[CONTRADICTED] else ''))
    for site in report['sites']:
        if not site['read']:
            lines.append('site %s (switch %s): NOT READ: %s' % (site['site'], site['switch'], site.get('msg')))
            continue
        counts = site['counts']
        lines.append('site %s (switch %s): %d hold, %d contradicted, %d unknown%s' % (
            site['site'], site['switch'], counts[CONFIRMED], counts[CONTRADICTED], counts[UNKNOWN],
            ('; contradicted: %s' % ', '.join(e['id'] for e in site['entries'] if e['status'] == CONTRADICTED))
            if counts[CONTRADICTED] else ''))
    for subject in report['phones'] + report['sites']:
        name = ('phone %s' % subject['host']) if 'host' in subject else ('site %s' % subject['site'])
        lines.extend('to do, %s: %s' % (name, item) for item in subject['todo'])
    if not any(subject['todo'] for subject in report['phones'] + report['sites']):
        lines.append('nothing contradicted: every assumption the check can read holds')
    return lines


def field_check_report(phones, sites, desired, deployment='standalone'):
    """The report of the field check: ``{'report': dict, 'markdown': str, 'summary': [str]}``."""
    if not isinstance(phones, Mapping):
        raise AnsibleFilterError('field_check_report: the input must map each phone host to its field check result')
    if not isinstance(desired, Mapping):
        raise AnsibleFilterError('field_check_report: desired must be the desired state (desired_state filter)')
    wanted_phones = desired.get('phones') or {}
    wanted_sites = desired.get('switches') or {}
    site_results = _site_results(sites)
    report = {
        'format': FORMAT,
        'deployment': deployment,
        'phones': [_phone(host, phones[host], wanted_phones.get(host), deployment) for host in sorted(phones)],
        'sites': [_site(name, site_results.get(name), wanted_sites.get(name))
                  for name in sorted(set(wanted_sites) | set(site_results))],
    }
    report['totals'] = _counts([e for p in report['phones'] for e in p['entries'] + p['keys']] +
                               [e for s in report['sites'] for e in s['entries']])
    return {'report': report, 'markdown': _markdown(report), 'summary': _summary(report)}


class FilterModule(object):

    def filters(self):
        return {'field_check_report': field_check_report}
