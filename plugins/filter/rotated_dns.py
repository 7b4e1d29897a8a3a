# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: rotated_dns
short_description: The DNs whose SIP password a genesys_dn task wrote
version_added: 0.3.0
description:
  - Reads what a M(telephony.genesys_audiocodes.genesys_dn) task registered (one result, or a loop's
    results) and returns the numbers of the DNs whose secret annex option (C(TServer/password)) was
    created or changed, in check mode the ones that would be.
  - The deployment roles hand this list to the phone roles, which then write those DNs' phones'
    C(auth_password) in the same run whatever their O(telephony.genesys_audiocodes.audiocodes_phone#module:update_secrets) says (see
    P(telephony.genesys_audiocodes.phone_update_secrets#filter)), so GAX and the phone never hold two
    different passwords for one line.
  - Numbers only; a secret is never in the result (the module masks it in C(changes) anyway).
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input
options:
  _input:
    description: The registered result of a genesys_dn task (with or without a loop); a skipped or missing one gives [].
    type: raw
    required: true
'''

EXAMPLES = r'''
- name: The DNs whose SIP password changed in this run
  ansible.builtin.debug:
    msg: "{{ genesys_dn_result | telephony.genesys_audiocodes.rotated_dns }}"
'''

RETURN = r'''
_value:
  description: DN numbers, sorted, each once.
  type: list
  elements: str
  sample: ["1502", "1503"]
'''

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict

SECRET_SUFFIX = '/password'
"""An annex option of a DN named <section>/password is its SIP password (genesys/objects.py SECRET_OPTIONS)."""


def rotated_dns(registered):
    """The filter: see DOCUMENTATION."""
    if not isinstance(registered, Mapping):
        return []
    results = registered.get('results') if isinstance(registered.get('results'), list) else [registered]
    numbers = set()
    for result in results:
        if not isinstance(result, Mapping):
            continue
        for dn in result.get('dns') or []:
            if not isinstance(dn, Mapping) or dn.get('action') not in ('created', 'updated'):
                continue
            if any(str(key).endswith(SECRET_SUFFIX) for key in (dn.get('changes') or {})):
                numbers.add(str(dn.get('number')))
    return sorted(numbers)


class FilterModule(object):
    """DNs whose SIP password changed in a run."""

    def filters(self):
        return {'rotated_dns': rotated_dns}
