# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: desired_state
short_description: Turn the phone and site inventory into DN options, Agent Logins and phone settings
version_added: 0.1.0
description:
  - The application note's knowledge in one filter. It reads the phones (model, firmware, lines
    with their DN and feature flags), the sites (SIP Server, SIP Proxy pool, GAX and switch, Agent
    Logins) and the deployment (standalone, SIP Proxy HA, Business Continuity), and returns the
    desired state that the modules take as it is.
  - Per switch, the DNs with their annex options in section C(TServer) for
    M(telephony.genesys_audiocodes.genesys_dn), and the Agent Logins for
    M(telephony.genesys_audiocodes.genesys_agent_login). In Business Continuity both switches of
    O(bc_sites) get the same DNs and Agent Logins.
  - Per phone, the O(ignore:settings) dict (AudioCodes configuration keys to values) for
    M(telephony.genesys_audiocodes.audiocodes_phone).
  - A feature that is off is undone - every key and option a feature owns gets its off value, or
    null (the annex option is removed). Unused lines of a phone are switched off.
  - The input is checked strictly before anything is returned - a typo in a feature flag, a line
    too many for the model, the same DN on two hosts, and the note's known limitations (SCA only
    on the 440HD and not in Business Continuity, agent state control not in Business Continuity
    simultaneous mode, firmware older than the validated release, values longer than the
    firmware takes) fail the filter with one message that lists every problem, each naming the
    host and line, the rule and the fix.
  - Warnings (TLS needs the Genesys Security Pack on UNIX) are shown once and returned in RV(_value.warnings).
  - The result holds the SIP and Agent Login passwords in clear, as the modules need them. Set
    C(no_log) on the task that stores it (C(set_fact)) and on any other task that would print it;
    the collection's modules mask these secrets in their own results and diffs, so the tasks that
    call them keep their diffs and need no C(no_log). No message of this filter contains a secret.
  - The inventory schema is described in C(docs/inventory.md) of the collection.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input, sites
options:
  _input:
    description:
      - The phones. Either a list of inventory host names (with O(hostvars)), or a dict of host
        name to host variables.
      - Only the variables the schema names are read - C(address) (default C(ansible_host), then the
        host name), C(gac_model), C(mac), C(gac_firmware), C(allow_unvalidated_firmware), C(gac_site),
        C(gac_lines).
      - The bare names C(model), C(firmware), C(site) and C(lines) still work until 0.4.0 (other
        inventory sources set some of them, NetBox sets C(site)); the prefixed name wins when both
        are set, and RV(_value.deprecations) names the hosts that still use a bare name.
    type: raw
    required: true
  sites:
    description:
      - The sites, a list of dicts with C(name) (or a dict of site name to site) - C(sip_server),
        C(sip_proxy_pool), C(gax) (C(url), C(switch)), C(sip_server_version),
        C(sip_server_application), C(agent_logins).
    type: raw
    required: true
  deployment:
    description: The deployment of the application note.
    type: str
    choices: [standalone, sip_proxy_ha, business_continuity]
    default: standalone
  bc_mode:
    description: Business Continuity registration mode; required with O(deployment=business_continuity).
    type: str
    choices: [simultaneous, primary_fallback]
  bc_sites:
    description:
      - The two sites of Business Continuity. Each phone registers to its home site and to the other one.
      - Defaults to the two sites when exactly two are defined.
    type: list
    elements: str
  hostvars:
    description: The C(hostvars) magic variable, needed when O(_input) is a list of host names.
    type: raw
  state:
    description:
      - V(present) reads the lines as the inventory gives them.
      - V(absent) is the desired state of decommissioning - every line of every phone is read as
        C(state=absent), so its DN is deleted and the line switched off.
    type: str
    choices: [present, absent]
    default: present
    version_added: 0.3.0
notes:
  - Pure computation on the controller; no remote system is contacted. A thousand phones take well under a second.
  - Every assumed name (a key or option no public source settles) lives in one table,
    C(plugins/plugin_utils/features/table.py), marked C(assumed) with its evidence.
seealso:
  - module: telephony.genesys_audiocodes.genesys_dn
  - module: telephony.genesys_audiocodes.genesys_agent_login
  - module: telephony.genesys_audiocodes.audiocodes_phone
'''

EXAMPLES = r'''
- name: Compute the desired state of every phone and switch once
  ansible.builtin.set_fact:
    desired: >-
      {{ groups['phones'] | telephony.genesys_audiocodes.desired_state(
           gac_sites, deployment=gac_deployment, bc_mode=gac_bc_mode | default(none),
           bc_sites=gac_bc_sites | default(none), hostvars=hostvars) }}
  run_once: true
  no_log: true

- name: Write the DNs of each switch (the module masks the SIP passwords in its result and diff)
  telephony.genesys_audiocodes.genesys_dn:
    gax_url: "{{ desired.switches[item].gax_url }}"
    switch: "{{ desired.switches[item].switch }}"
    dns: "{{ desired.switches[item].dns }}"
  loop: "{{ desired.switches.keys() | list }}"
  run_once: true

- name: Configure this phone (the module masks the secrets in settings itself)
  telephony.genesys_audiocodes.audiocodes_phone:
    host: "{{ desired.phones[inventory_hostname].address }}"
    settings: "{{ desired.phones[inventory_hostname].settings }}"

- name: The same with explicit data (a dict of host to variables)
  ansible.builtin.debug:
    msg: >-
      {{ {'phone-1502': {'gac_model': '440HD', 'gac_firmware': '2.2.16.142.12', 'gac_site': 'paris',
                         'gac_lines': [{'dn': '1502', 'features': {'remote_answer': true, 'remote_hold': true}}]}}
         | telephony.genesys_audiocodes.desired_state(
             [{'name': 'paris', 'sip_server': {'address': '192.0.2.10'},
               'gax': {'url': 'https://gax.example:8080', 'switch': 'SIP_Switch'}}]) }}
'''

RETURN = r'''
_value:
  description: The desired state.
  type: dict
  contains:
    switches:
      description:
        - Per site name, what its switch must hold.
        - C(dns) entries have C(number), C(type) (V(extension) or V(acd_position)), C(name) (null
          when not managed), C(state), C(enabled) and C(options) (C(TServer) -> option -> value;
          null removes the option), as M(telephony.genesys_audiocodes.genesys_dn) takes them.
        - C(agent_logins) entries have C(login_code), C(login_password), C(options), C(state), as
          M(telephony.genesys_audiocodes.genesys_agent_login) takes them.
      type: dict
      sample:
        paris:
          site: paris
          gax_url: https://gax.example:8080
          switch: SIP_Switch
          dns:
            - number: '1502'
              type: extension
              name:
              state: present
              enabled: true
              options:
                TServer:
                  contact: '*'
                  sip-cti-control: talk,hold
                  dr-forward:
          agent_logins: []
    phones:
      description:
        - Per inventory host name - C(address), C(model), C(mac), C(firmware), C(site),
          C(settings), the AudioCodes configuration keys and their values (text), and C(lines), per
          declared line its C(index) on the phone, C(dn), C(state) and the C(features) that are on
          (what the report filters read; no secret).
      type: dict
      sample:
        phone-1502:
          address: 192.0.2.21
          model: 440HD
          mac: 00:90:8f:12:34:56
          firmware: 2.2.16.142.12
          site: paris
          settings:
            voip/line/0/enabled: '1'
            voip/line/0/id: '1502'
            voip/talk_event/enabled: '1'
          lines:
            - index: 0
              dn: '1502'
              state: present
              features: [remote_answer, remote_hold]
    warnings:
      description: What the note asks to check by hand, each naming the hosts.
      type: list
      elements: str
    deprecations:
      description:
        - Deprecated inventory variable names still in use, each naming the hosts. The filter does
          not show them; P(telephony.genesys_audiocodes.preflight_summary#filter) shows them once.
      type: list
      elements: str
      version_added: 0.3.0
'''

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict

from jinja2 import Undefined
from jinja2.exceptions import UndefinedError

from ansible.errors import AnsibleError, AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features import (
    InventoryError, desired_state as compute,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.inventory import (
    PHONE_FIELDS, PREFIX, PREFIXED_HOST_VARS,
)

display = Display()


class _Unresolved(Exception):
    """A value Ansible could not resolve, with where it sits (``lines[1].sip_password``)."""

    def __init__(self, path, message):
        self.path = path
        super(_Unresolved, self).__init__(message)


def _plain(value, path):
    """``value`` with every template in it resolved now (Ansible resolves host variables lazily, and
    ansible-core 2.19 raises, or hands over an undefined marker, only when an item is read)."""
    if isinstance(value, Undefined):
        raise _Unresolved(path, getattr(value, '_undefined_message', None) or 'an undefined variable')
    if isinstance(value, Mapping):
        items = [('%s.%s' % (path, key), key) for key in value]
        getter = value.__getitem__
    elif isinstance(value, (list, tuple)):
        items = [('%s[%d]' % (path, index), index) for index in range(len(value))]
        getter = value.__getitem__
    else:
        return value
    result = []
    for where, key in items:
        try:
            item = getter(key)
        except (AnsibleError, UndefinedError) as exc:
            raise _Unresolved(where, _first_line(exc))
        result.append((key, _plain(item, where)))
    return dict(result) if isinstance(value, Mapping) else [item for _key, item in result]


def _resolved(phones, sites):
    """The phones' variables and the sites, resolved; a variable that cannot be resolved (a vaulted
    secret missing from its file, a typo in a template) is named with its host and where it sits."""
    problems = []
    plain = {}
    for host in phones:
        variables = phones[host]
        plain[host] = {}
        for field in _names_read(variables):
            try:
                if field in variables:
                    plain[host][field] = _plain(variables[field], field)
            except _Unresolved as exc:
                problems.append('- %s: %s cannot be resolved: %s' % (host, exc.path, exc))
            except (AnsibleError, UndefinedError) as exc:
                problems.append('- %s: %s cannot be resolved: %s' % (host, field, _first_line(exc)))
    try:
        sites = _plain(sites, 'sites')
    except _Unresolved as exc:
        problems.append('- %s cannot be resolved: %s' % (exc.path, exc))
    except (AnsibleError, UndefinedError) as exc:
        problems.append('- sites cannot be resolved: %s' % _first_line(exc))
    if problems:
        raise AnsibleFilterError(
            'desired_state: inventory: %d variable(s) cannot be resolved:\n%s\n'
            'define the variable they use (a vaulted secret missing from its file?) or correct the reference '
            '[undefined]' % (len(problems), '\n'.join(problems)))
    return plain, sites


def _names_read(variables):
    """The host variables the reader takes: a bare name only when its prefixed name is not set, so a
    variable another inventory source sets (NetBox's site) is not even resolved."""
    names = ['ansible_host']
    for field in PHONE_FIELDS:
        if field in PREFIXED_HOST_VARS:
            names.append(PREFIX + field if PREFIX + field in variables else field)
        else:
            names.append(field)
    return names


def _first_line(exc):
    return (getattr(exc, 'message', None) or str(exc)).strip().splitlines()[0]


def _phones(phones, hostvars):
    if isinstance(phones, Mapping):
        return phones
    if isinstance(phones, (list, tuple)) and all(isinstance(name, str) for name in phones):
        if hostvars is None:
            raise AnsibleFilterError('desired_state: a list of host names needs hostvars=hostvars')
        missing = [name for name in phones if name not in hostvars]
        if missing:
            raise AnsibleFilterError('desired_state: hosts not in the inventory: %s' % ', '.join(missing))
        return dict((name, hostvars[name]) for name in phones)
    raise AnsibleFilterError('desired_state: the input must be a list of host names (with hostvars=hostvars) '
                             'or a dict of host name to host variables')


def _all_absent(phones):
    """Decommissioning: the same phones with every line off (the table says what off means)."""
    result = {}
    for host, variables in phones.items():
        variables = dict(variables)
        for name in (PREFIX + 'lines', 'lines'):
            lines = variables.get(name)
            if isinstance(lines, list):
                variables[name] = [dict(line, state='absent') if isinstance(line, Mapping) else line for line in lines]
        result[host] = variables
    return result


def desired_state(phones, sites, deployment='standalone', bc_mode=None, bc_sites=None, hostvars=None,
                  state='present'):
    """The filter: see DOCUMENTATION."""
    if state not in ('present', 'absent'):
        raise AnsibleFilterError('desired_state: state must be present or absent, not %r' % (state,))
    try:
        phones, sites = _resolved(_phones(phones, hostvars), sites)
        if state == 'absent':
            phones = _all_absent(phones)
        state = compute(phones, sites, deployment or 'standalone', bc_mode, bc_sites)
    except InventoryError as exc:
        raise AnsibleFilterError('desired_state: %s' % exc.message)
    for warning in state['warnings']:
        display.warning(warning)
    return state


class FilterModule(object):
    """The feature function exposed to roles."""

    def filters(self):
        return {'desired_state': desired_state}
