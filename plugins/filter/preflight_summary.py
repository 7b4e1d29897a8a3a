# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: preflight_summary
short_description: Say in one line per switch what the roles are about to write
version_added: 0.3.0
description:
  - Reads the result of P(telephony.genesys_audiocodes.desired_state#filter) and returns the lines
    the preflight role shows before anything is written - the deployment, how many phones were
    checked, per switch its DNs (how many to delete) and Agent Logins, and the warnings of the note.
  - Names and numbers only - no secret of the desired state is ever in the result.
  - Shows, once, a deprecation warning for each deprecated inventory variable name still in use -
    those of the hosts (RV(telephony.genesys_audiocodes.desired_state#filter:_value.deprecations))
    and those of the groups given in O(deprecated_vars).
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input
options:
  _input:
    description: The desired state, as P(telephony.genesys_audiocodes.desired_state#filter) returns it.
    type: dict
    required: true
  deployment:
    description: The deployment the desired state was computed for.
    type: str
    default: standalone
  bc_mode:
    description: The Business Continuity mode, shown with O(deployment=business_continuity).
    type: str
  state:
    description: V(absent) says the run decommissions (every line off).
    type: str
    choices: [present, absent]
    default: present
  deprecated_vars:
    description:
      - Bare names of the schema's group variables the play still uses (C(sites), C(deployment),
        C(bc_mode), C(bc_sites)) and whose C(gac_) name is not set; each gets a deprecation warning.
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
- name: Show what the roles are about to write
  ansible.builtin.debug:
    msg: "{{ desired | telephony.genesys_audiocodes.preflight_summary(deployment='business_continuity', bc_mode='primary_fallback') }}"
'''

RETURN = r'''
_value:
  description: One line for the run, one per switch, one per warning.
  type: list
  elements: str
  sample:
    - 'standalone: 2 phone(s) checked against the rules of the note, nothing written yet'
    - 'switch SIP_Switch (site paris, https://gax.example:8080): 2 DN(s), 0 to delete; 1 Agent Login(s)'
'''

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.inventory import (
    PREFIX_REMOVED_IN, deprecated_name_text,
)

display = Display()
COLLECTION = 'telephony.genesys_audiocodes'


def deprecations(desired, deprecated_vars=()):
    """The deprecation texts of the bare names in use: the hosts' (from the reader), then the groups'."""
    texts = list(desired.get('deprecations') or ())
    texts.extend('group variables: %s' % deprecated_name_text(name) for name in deprecated_vars or ())
    return texts


def preflight_summary(desired, deployment='standalone', bc_mode=None, state='present', deprecated_vars=()):
    """The filter: see DOCUMENTATION."""
    if not isinstance(desired, Mapping) or 'switches' not in desired or 'phones' not in desired:
        raise AnsibleFilterError('preflight_summary: the input must be the result of the desired_state filter')
    for text in deprecations(desired, deprecated_vars):
        display.deprecated(text, version=PREFIX_REMOVED_IN, collection_name=COLLECTION)
    deployment = deployment or 'standalone'
    lines = ['%s%s: %d phone(s) checked against the rules of the note, nothing written yet%s' % (
        deployment, ' (%s)' % bc_mode if deployment == 'business_continuity' else '', len(desired['phones']),
        ' (decommissioning: every line off)' if state == 'absent' else '')]
    for site in sorted(desired['switches']):
        switch = desired['switches'][site]
        lines.append('switch %s (site %s, %s): %d DN(s), %d to delete; %d Agent Login(s)' % (
            switch['switch'], site, switch['gax_url'], len(switch['dns']),
            len([dn for dn in switch['dns'] if dn['state'] == 'absent']), len(switch['agent_logins'])))
    lines.extend('warning: %s' % warning for warning in desired.get('warnings') or ())
    return lines


class FilterModule(object):
    """What the preflight role shows before any write."""

    def filters(self):
        return {'preflight_summary': preflight_summary}
