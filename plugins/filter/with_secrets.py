# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: with_secrets
short_description: Put back the secrets that without_secrets left out of a desired state
version_added: 0.3.0
description:
  - Replaces each reference (a mapping with the single key C(__secret__)) of
    P(telephony.genesys_audiocodes.without_secrets#filter) by the secret it names, read from the
    inventory again; anything else is returned unchanged.
  - Used in the arguments of the task that writes the secrets (phone C(settings), DN lists, Agent
    Logins); the modules treat them as no-log values and mask them in their results and diffs.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input, hostvars
options:
  _input:
    description: Part of a desired state (a phone's C(settings), a switch's C(dns) or C(agent_logins), ...).
    type: raw
    required: true
  hostvars:
    description: The C(hostvars) magic variable.
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Configure this phone
  telephony.genesys_audiocodes.audiocodes_phone:
    host: "{{ preflight_desired_state.phones[inventory_hostname].address }}"
    settings: >-
      {{ preflight_desired_state.phones[inventory_hostname].settings
         | telephony.genesys_audiocodes.with_secrets(hostvars) }}
  delegate_to: localhost
'''

RETURN = r'''
_value:
  description: The input with each reference replaced by its secret.
  type: raw
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils import secret_refs


def with_secrets(data, hostvars):
    """The filter: see DOCUMENTATION."""
    try:
        return secret_refs.resolve(data, hostvars)
    except secret_refs.Unresolved as exc:
        raise AnsibleFilterError('with_secrets: %s' % exc)


class FilterModule(object):
    """Secrets back where a task writes them."""

    def filters(self):
        return {'with_secrets': with_secrets}
