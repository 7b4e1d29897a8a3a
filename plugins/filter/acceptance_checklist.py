# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: acceptance_checklist
short_description: The note's own tests for each phone, as a checklist an engineer can sign
version_added: 0.3.0
description:
  - Per phone, the application note's scenarios for the features its lines have - basic call, 3pcc
    answer, hold and retrieve, remote auto-answer, DTMF, transfers, MWI, agent login and state, and
    in Business Continuity the registration at the home site and the failover and switch-back.
  - A scenario verify.yml can judge from what it read (the registration the phone reports) is
    marked C(checked automatically) with its result; the others are C(to test by hand), with the
    steps from the note, a result left empty and a line to sign.
  - Returns, per host, the checklist as data (for a JSON file) and as Markdown.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input
options:
  _input:
    description: The desired state, as P(telephony.genesys_audiocodes.desired_state#filter) returns it.
    type: dict
    required: true
  hosts:
    description: The phones to write a checklist for.
    type: list
    elements: str
    required: true
  hostvars:
    description:
      - The C(hostvars) magic variable, where C(verify_phone) (M(telephony.genesys_audiocodes.audiocodes_phone_info)
        with C(status)) is read. A phone without it gets its automatic scenarios marked C(not checked).
    type: raw
  deployment:
    description: The deployment the desired state is for.
    type: str
    default: standalone
  bc_mode:
    description: The Business Continuity mode.
    type: str
'''

EXAMPLES = r'''
- name: The checklist of each phone, as JSON and Markdown
  ansible.builtin.copy:
    content: "{{ checklists[inventory_hostname].markdown }}"
    dest: "/srv/acceptance/{{ inventory_hostname }}.md"
    mode: '0644'
  vars:
    checklists: >-
      {{ preflight_desired_state | telephony.genesys_audiocodes.acceptance_checklist(
           hosts=ansible_play_hosts, hostvars=hostvars, deployment='business_continuity',
           bc_mode='primary_fallback') }}
  delegate_to: localhost
'''

RETURN = r'''
_value:
  description: Per host, C(checklist) (data) and C(markdown) (text).
  type: dict
  sample:
    phone-1502:
      checklist:
        host: phone-1502
        address: 192.0.2.102
        model: 440HD
        deployment: standalone
        items:
          - scenario: registration
            title: Line registered
            line: 0
            dn: '1502'
            how: checked automatically
            result: passed
            evidence: registered at 192.0.2.10
            steps: ['The phone reports the line registered (read by verify.yml from the phone).']
            note: 'note section 4, Make Outgoing Call: step 5'
      markdown: '# Acceptance checklist: phone-1502 ...'
'''

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.scenarios import (
    BC_SCENARIOS, SCENARIOS,
)

AUTOMATIC = 'checked automatically'
BY_HAND = 'to test by hand'
HOME_SERVER_KEY = 'voip/signalling/sip/proxy_address'


def _get(mapping, name, default=None):
    try:
        value = mapping.get(name, default) if isinstance(mapping, Mapping) else default
    except Exception:  # an undefined registered variable
        return default
    return default if value is None else value


def _status(facts):
    phone = _get(facts, 'verify_phone', {})
    if not isinstance(phone, Mapping) or 'status' not in phone:
        return None
    return dict((entry.get('line'), entry) for entry in (phone['status'] or {}).get('lines') or [])


def _item(scenario, line, values, how, result=None, evidence=''):
    return {'scenario': scenario.ident, 'title': scenario.title, 'line': line, 'dn': values.get('dn'), 'how': how,
            'result': result, 'evidence': evidence, 'note': scenario.note,
            'steps': [step.format(**values) for step in scenario.steps]}


def _registration(scenario, line, values, status):
    if status is None:
        return _item(scenario, line['index'], values, AUTOMATIC, 'not checked', 'the phone was not read')
    seen = status.get(line['index'])
    if not seen:
        return _item(scenario, line['index'], values, AUTOMATIC, 'failed', 'the phone does not report this line')
    server = ' at %s' % seen['server'] if seen.get('server') else ''
    if seen.get('registered'):
        return _item(scenario, line['index'], values, AUTOMATIC, 'passed', 'registered%s' % server)
    return _item(scenario, line['index'], values, AUTOMATIC, 'failed', 'not registered (%s)' % seen.get('state', '?'))


def _bc_items(phone, lines, status, bc_mode):
    home = phone['settings'].get(HOME_SERVER_KEY, '?')
    first = lines[0] if lines else {'index': None, 'dn': ''}
    values = {'dn': first['dn'], 'home': home, 'mailbox': first['dn']}
    items = []
    for scenario in BC_SCENARIOS:
        if not scenario.automatic:
            items.append(_item(scenario, None, values, BY_HAND))
        elif status is None:
            items.append(_item(scenario, None, values, AUTOMATIC, 'not checked', 'the phone was not read'))
        elif bc_mode != 'primary_fallback':
            items.append(_item(scenario, None, values, AUTOMATIC, 'not checked',
                               'simultaneous mode registers at both sites: see the failover test'))
        else:
            servers = [str(status.get(line['index'], {}).get('server', '')) for line in lines]
            wrong = [s for s in servers if home not in s]
            items.append(_item(scenario, None, values, AUTOMATIC, 'failed' if wrong or not servers else 'passed',
                               'lines registered at %s' % (', '.join(sorted(set(servers))) or 'nothing')))
    return items


def _markdown(checklist):
    out = ['# Acceptance checklist: %s' % checklist['host'], '',
           '%s (%s), %s%s. The application note\'s scenarios for the features this phone has.' % (
               checklist['model'], checklist['address'], checklist['deployment'],
               ' (%s)' % checklist['bc_mode'] if checklist.get('bc_mode') else ''), '',
           '| # | Scenario | Line (DN) | How | Result |', '|---|---|---|---|---|']
    for number, item in enumerate(checklist['items'], 1):
        where = '%s (%s)' % (item['line'], item['dn']) if item['line'] is not None else 'phone'
        result = item['result'] or '[ ] passed  [ ] failed'
        out.append('| %d | %s | %s | %s | %s |' % (number, item['title'], where, item['how'], result))
    out.extend(['', '## Steps', ''])
    for number, item in enumerate(checklist['items'], 1):
        judged = ': %s, %s' % (item['result'], item['evidence']) if item['how'] == AUTOMATIC else ''
        out.append('%d. **%s** (%s)%s' % (number, item['title'], item['note'], judged))
        out.extend('   - %s' % step for step in item['steps'])
    out.extend(['', 'Tested by: ______________________  Date: ____________  Signature: ______________________', ''])
    return '\n'.join(out)


def acceptance_checklist(desired, hosts, hostvars=None, deployment='standalone', bc_mode=None):
    """The filter: see DOCUMENTATION."""
    if not isinstance(desired, Mapping) or 'phones' not in desired:
        raise AnsibleFilterError('acceptance_checklist: the input must be the result of the desired_state filter')
    result = {}
    for host in hosts:
        phone = desired['phones'][host]
        status = _status(_get(hostvars, host, {}))
        lines = [line for line in phone.get('lines') or [] if line['state'] == 'present']
        items = []
        for line in lines:
            values = {'dn': line['dn'], 'mailbox': line['dn'], 'home': ''}
            for scenario in SCENARIOS:
                if scenario.feature is not None and scenario.feature not in line['features']:
                    continue
                if scenario.automatic:
                    items.append(_registration(scenario, line, values, status))
                else:
                    items.append(_item(scenario, line['index'], values, BY_HAND))
        if deployment == 'business_continuity':
            items.extend(_bc_items(phone, lines, status, bc_mode))
        checklist = {'host': host, 'address': phone['address'], 'model': phone['model'], 'deployment': deployment,
                     'bc_mode': bc_mode if deployment == 'business_continuity' else None, 'items': items}
        result[host] = {'checklist': checklist, 'markdown': _markdown(checklist)}
    return result


class FilterModule(object):
    """The acceptance checklist verify.yml writes."""

    def filters(self):
        return {'acceptance_checklist': acceptance_checklist}
