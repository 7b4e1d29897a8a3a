# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: without_secrets
short_description: The desired state with its secrets replaced by references to the inventory
version_added: 0.3.0
description:
  - Replaces each SIP password (phone C(settings), DN C(TServer/password)) and Agent Login password of a
    desired state (P(telephony.genesys_audiocodes.desired_state#filter)) by a reference to the inventory
    variable that holds it (a mapping with the single key C(__secret__), a list of the host, the variable
    and the path to the value).
  - The preflight role stores its desired state so, as a fact of every host of the play; the tasks that
    write a secret put it back with P(telephony.genesys_audiocodes.with_secrets#filter) in their own
    arguments, which the modules treat as no-log values. No host's facts (and no fact cache) hold the
    fleet's passwords.
  - A secret the inventory holds nowhere the schema says (C(lines[].sip_password) of a host,
    C(agent_logins[].password) of a site) stays as it is, with a warning naming where (never the value).
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input, hosts, hostvars
options:
  _input:
    description: A desired state (C(phones), C(switches)).
    type: dict
    required: true
  hosts:
    description: The hosts whose variables made the desired state (the preflight's C(preflight_hosts)).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) magic variable.
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Keep the desired state for the roles, without the fleet's passwords
  ansible.builtin.set_fact:
    preflight_desired_state: >-
      {{ __preflight_desired_state | telephony.genesys_audiocodes.without_secrets(preflight_hosts, hostvars) }}
  run_once: true
'''

RETURN = r'''
_value:
  description: The desired state, each secret a reference (a mapping with the single key C(__secret__)).
  type: dict
'''

from ansible.utils.display import Display

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils import secret_refs

display = Display()


def without_secrets(state, hosts, hostvars):
    """The filter: see DOCUMENTATION."""
    result, kept = secret_refs.without(state, hostvars, list(hosts or []))
    if kept:
        display.warning('without_secrets: %d secret(s) of the desired state are not where the inventory schema keeps '
                        'them and stay in the fact: %s' % (len(kept), ', '.join(kept[:10])))
    return result


class FilterModule(object):
    """Secrets out of the preflight's fact."""

    def filters(self):
        return {'without_secrets': without_secrets}
