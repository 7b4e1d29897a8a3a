# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: verify_report
short_description: Compare what the phones and switches report with the desired state
version_added: 0.3.0
description:
  - The logic of C(playbooks/verify.yml). Reads the desired state
    (P(telephony.genesys_audiocodes.desired_state#filter)), per phone the registered results
    C(verify_phone) (M(telephony.genesys_audiocodes.audiocodes_phone_info) with C(device) and
    C(status)) and C(verify_settings) (M(telephony.genesys_audiocodes.audiocodes_phone) in check
    mode), and the loop results of M(telephony.genesys_audiocodes.genesys_dn_info) and
    M(telephony.genesys_audiocodes.genesys_agent_login_info).
  - Returns a table (per phone its model, firmware, settings in sync or not, each line's DN, state
    and registration; per switch the DNs and Agent Logins it holds) and the problems, each naming
    the phone or switch, the cause and the fix.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input
options:
  _input:
    description: The desired state, as P(telephony.genesys_audiocodes.desired_state#filter) returns it.
    type: dict
    required: true
  hosts:
    description: The phones verified (C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) magic variable, where C(verify_phone) and C(verify_settings) are read.
    type: raw
    required: true
  dn_results:
    description: The registered loop result of M(telephony.genesys_audiocodes.genesys_dn_info).
    type: dict
  login_results:
    description: The registered loop result of M(telephony.genesys_audiocodes.genesys_agent_login_info).
    type: dict
  registration:
    description: A present line the phone does not report registered is a problem.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Verify | the table and the problems
  ansible.builtin.set_fact:
    verify_report: >-
      {{ preflight_desired_state | telephony.genesys_audiocodes.verify_report(
           hosts=ansible_play_hosts_all, hostvars=hostvars, dn_results=verify_dns,
           login_results=verify_logins, registration=verify_registration) }}
  run_once: true
'''

RETURN = r'''
_value:
  description: The table and the problems.
  type: dict
  contains:
    table:
      description: A header, per phone a row and a row per line, per switch a row.
      type: list
      elements: str
    problems:
      description: Every difference, naming the phone or switch, the cause and the fix; empty when all is as desired.
      type: list
      elements: str
'''

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict

from ansible.errors import AnsibleFilterError

HEADER = 'phone       address      model  firmware     settings / line, DN, state, registration'


def _get(mapping, name, default=None):
    try:
        value = mapping.get(name, default) if isinstance(mapping, Mapping) else default
    except Exception:  # an undefined registered variable
        return default
    return default if value is None else value


def _results(loop):
    return [r for r in (_get(loop, 'results') or []) if isinstance(r, Mapping) and not r.get('skipped')]


def _line_status(status, index):
    seen = [entry for entry in status if entry.get('line') == index]
    return seen


def _phone_rows(host, desired, facts):
    phone = _get(facts, 'verify_phone', {})
    checked = _get(facts, 'verify_settings', {})
    device = phone.get('device') or {}
    changes = checked.get('changes') or {}
    if changes:
        settings = '%d setting(s) differ' % len(changes)
    else:
        settings = 'settings in sync' if 'changes' in checked else 'settings not read'
    rows = ['%-11s %-12s %-6s %-12s %s' % (host, desired['address'], device.get('model', '?'), device.get('firmware', '?'),
                                           settings if device else 'NOT READ: %s' % phone.get('msg', ''))]
    status = (phone.get('status') or {}).get('lines') or []
    for line in desired.get('lines') or []:
        seen = _line_status(status, line['index'])
        if seen:
            registration = str(seen[0].get('state', '?'))
            if seen[0].get('server'):
                registration += ' at %s' % seen[0]['server']
        else:
            registration = 'not reported'
        rows.append('    line %d  DN %-6s %-8s %s' % (line['index'], line['dn'], line['state'], registration))
    return rows


def _phone_problems(host, desired, facts, registration):
    subject = '%s (%s)' % (host, desired['address'])
    phone = _get(facts, 'verify_phone', {})
    checked = _get(facts, 'verify_settings', {})
    device = phone.get('device')
    if not device:
        return ['%s: not read: %s' % (subject, phone.get('msg', 'no result'))]
    problems = []
    if str(device.get('model') or '').upper() != desired['model']:
        problems.append('%s: the phone is a %s, the inventory says %s; correct model' % (subject, device.get('model'),
                                                                                         desired['model']))
    if desired.get('mac') and str(device.get('mac') or '').lower() != desired['mac']:
        problems.append('%s: MAC %s, the inventory says %s; is this the right phone?' % (subject, device.get('mac'),
                                                                                         desired['mac']))
    firmware = device.get('firmware')
    if desired.get('firmware') and firmware and firmware != desired['firmware'] \
            and not firmware.startswith(desired['firmware'] + '.'):
        problems.append('%s: firmware %s, the inventory expects %s; upgrade the phone or correct firmware'
                        % (subject, firmware, desired['firmware']))
    changes = checked.get('changes') or {}
    if changes:
        names = sorted(changes)
        problems.append('%s: %d setting(s) differ from the inventory: %s%s; run playbooks/drift.yml for the diff, '
                        'deploy to correct' % (subject, len(names), ', '.join(names[:5]), ' ...' if len(names) > 5 else ''))
    elif 'msg' in checked:
        problems.append('%s: settings not read: %s' % (subject, checked['msg']))
    if registration:
        status = (phone.get('status') or {}).get('lines') or []
        for line in desired.get('lines') or []:
            seen = _line_status(status, line['index'])
            if line['state'] == 'present' and not [entry for entry in seen if entry.get('registered')]:
                problems.append('%s: line %d (DN %s) is not registered (the phone reports: %s); check the DN and its '
                                'password on the switch, and that the SIP Server answers'
                                % (subject, line['index'], line['dn'], seen[0].get('state', '?') if seen else 'no such line'))
    return problems


def _switch_rows_and_problems(desired, loop, field, ident, kind, owned):
    rows, problems = [], []
    for result in _results(loop):
        switch = desired['switches'][result['item']]
        if field not in result:
            problems.append('switch %s: %ss not read: %s' % (switch['switch'], kind, result.get('msg', '')))
            continue
        found = dict((str(entry.get(ident)), entry.get('state')) for entry in result[field])
        present = [str(entry.get(ident)) for entry in result[field] if entry.get('state') == 'present']
        rows.append('switch %s (site %s): %d %s(s) present: %s' % (switch['switch'], result['item'], len(present), kind,
                                                                   ' '.join(present)))
        key = 'dns' if field == 'dns' else 'agent_logins'
        for entry in switch[key]:
            name = str(entry[ident])
            if owned is not None and name not in owned:
                continue
            state = found.get(name, 'absent')
            if state != entry['state']:
                problems.append('switch %s: %s %s is %s, the inventory says %s; deploy to correct' % (
                    switch['switch'], kind, name, state, entry['state']))
    return rows, problems


def verify_report(desired, hosts, hostvars, dn_results=None, login_results=None, registration=False):
    """The filter: see DOCUMENTATION."""
    if not isinstance(desired, Mapping) or 'phones' not in desired or 'switches' not in desired:
        raise AnsibleFilterError('verify_report: the input must be the result of the desired_state filter')
    table, problems = [HEADER], []
    owned = set()
    for host in hosts:
        phone = desired['phones'][host]
        facts = _get(hostvars, host, {})
        table.extend(_phone_rows(host, phone, facts))
        problems.extend(_phone_problems(host, phone, facts, registration))
        owned.update(line['dn'] for line in phone.get('lines') or [])
    for loop, field, ident, kind, only in ((dn_results, 'dns', 'number', 'DN', owned),
                                           (login_results, 'agent_logins', 'login_code', 'Agent Login', None)):
        rows, found = _switch_rows_and_problems(desired, loop, field, ident, kind, only)
        table.extend(rows)
        problems.extend(found)
    return {'table': table, 'problems': problems}


class FilterModule(object):
    """The verify playbook's comparison."""

    def filters(self):
        return {'verify_report': verify_report}
