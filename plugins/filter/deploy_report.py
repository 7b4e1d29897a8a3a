# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: deploy_report
short_description: Say what a deployment run did (or would do), per switch and per phone
version_added: 0.3.0
description:
  - Reads the results the roles registered - C(genesys_dn_result), C(genesys_agent_login_result)
    (loops over the switches), and per phone C(audiocodes_phone_result),
    C(audiocodes_provisioning_result) and C(audiocodes_phone_verify) - and returns one line per
    switch and kind of object (created, updated, deleted, unchanged, failed) and one per phone.
  - Names and numbers only - the modules' results carry no secret.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input
options:
  _input:
    description: The host names of the play (C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) magic variable, where the phone results are read.
    type: raw
    required: true
  dn_results:
    description: The registered loop result of M(telephony.genesys_audiocodes.genesys_dn), one item per switch.
    type: dict
  login_results:
    description: The registered loop result of M(telephony.genesys_audiocodes.genesys_agent_login).
    type: dict
  active_hosts:
    description:
      - The hosts still running (C(ansible_play_hosts)); a host of O(_input) not in it is marked failed.
      - Defaults to every host of O(_input).
    type: list
    elements: str
  check_mode:
    description: Words the lines as what the run would do.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Summary | what changed, per switch and per phone
  ansible.builtin.debug:
    msg: >-
      {{ ansible_play_hosts_all | telephony.genesys_audiocodes.deploy_report(
           hostvars=hostvars, dn_results=genesys_dn_result | default({}),
           login_results=genesys_agent_login_result | default({}),
           active_hosts=ansible_play_hosts, check_mode=ansible_check_mode) }}
  run_once: true
'''

RETURN = r'''
_value:
  description: One line per switch and kind of object, then one per phone.
  type: list
  elements: str
  sample:
    - 'switch SIP_Switch: DN(s) created 1502 1503'
    - 'switch SIP_Switch: Agent Login(s) in sync'
    - 'phone phone-1502: 12 key(s) changed, restarted and verified'
'''

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict

from ansible.errors import AnsibleFilterError

_KINDS = (('DN', 'dn_results', 'dns', 'number'), ('Agent Login', 'login_results', 'agent_logins', 'login_code'))


def _get(mapping, name, default=None):
    try:
        return mapping.get(name, default) if isinstance(mapping, Mapping) else default
    except Exception:  # an undefined registered variable of a host that never ran the task
        return default


def _skipped(result):
    return result is None or not isinstance(result, Mapping) or bool(result.get('skipped'))


def _switch_lines(kind, loop, field, ident, verb):
    lines = []
    for result in _get(loop, 'results') or []:
        if _skipped(result):
            continue
        entries = result.get(field) or []
        parts = []
        for action in ('created', 'updated', 'deleted'):
            names = [str(entry.get(ident)) for entry in entries if entry.get('action') == action]
            if names:
                parts.append('%s%s %s' % (verb, action, ' '.join(names)))
        unchanged = len([entry for entry in entries if not entry.get('changed')])
        text = '; '.join(parts) if parts else 'in sync'
        if parts and unchanged:
            text += ', %d unchanged' % unchanged
        if result.get('failed'):
            text += ' FAILED: %s' % result.get('msg', '')
        lines.append('switch %s: %s(s) %s' % (result.get('switch') or result.get('item'), kind, text))
    return lines


def _phone_line(host, facts, verb):
    result = _get(facts, 'audiocodes_phone_result')
    if _skipped(result):
        result = _get(facts, 'audiocodes_provisioning_result', result)
    verify = _get(facts, 'audiocodes_phone_verify')
    if _skipped(result):
        return 'not configured by this run'
    if result.get('failed'):
        return 'FAILED: %s' % result.get('msg', '')
    if result.get('changed'):
        if not _skipped(verify) and not verify.get('failed'):
            after = ', restarted and verified'
        elif result.get('rebooted') is True:
            after = ', restarted'
        else:
            after = ''
        return '%d key(s) %schanged%s' % (len(result.get('changes') or {}), verb, after)
    return 'in sync'


def deploy_report(hosts, hostvars, dn_results=None, login_results=None, active_hosts=None, check_mode=False):
    """The filter: see DOCUMENTATION."""
    if not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError('deploy_report: the input must be the list of the play\'s host names')
    verb = 'would be ' if check_mode else ''
    given = {'dn_results': dn_results, 'login_results': login_results}
    lines = []
    for kind, name, field, ident in _KINDS:
        lines.extend(_switch_lines(kind, given[name], field, ident, verb))
    active = set(hosts if active_hosts is None else active_hosts)
    for host in hosts:
        text = _phone_line(host, _get(hostvars, host, {}), verb)
        if host not in active:
            text += ' (host failed: see its task results above)'
        lines.append('phone %s: %s' % (host, text))
    return lines


class FilterModule(object):
    """What a deployment run did, for the preflight role's summary entry point."""

    def filters(self):
        return {'deploy_report': deploy_report}
