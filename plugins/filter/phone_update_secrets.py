# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: phone_update_secrets
short_description: The update_secrets of a phone whose DN's SIP password changed in this run
version_added: 0.3.0
description:
  - Given one phone of the desired state (C(settings) holds C(voip/line/N/id)) or the whole C(phones)
    mapping, and the DNs whose SIP password was written to GAX in this run
    (P(telephony.genesys_audiocodes.rotated_dns#filter)), says how the phone's secrets are written.
  - A phone with a line on such a DN gets V(always) - its C(auth_password) is written in the same run
    even when the phone hides it (shown encrypted or not at all), which O(default) V(on_change) would
    only write alongside another change. Any other phone gets O(default).
  - On a mapping of phones, returns the mapping with C(update_secrets) set in each entry (for the
    fleet path).
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input
options:
  _input:
    description: One phone entry of the desired state, or its C(phones) mapping (host -> entry).
    type: dict
    required: true
  rotated:
    description: DN numbers whose SIP password changed in this run.
    type: list
    elements: str
    default: []
  default:
    description: The update_secrets of a phone none of whose lines rotated.
    type: str
    default: on_change
'''

EXAMPLES = r'''
- name: Write the SIP passwords that GAX got in this run
  telephony.genesys_audiocodes.audiocodes_phone:
    host: "{{ phone.address }}"
    settings: "{{ phone.settings }}"
    update_secrets: "{{ phone | telephony.genesys_audiocodes.phone_update_secrets(genesys_dn_result | telephony.genesys_audiocodes.rotated_dns) }}"
'''

RETURN = r'''
_value:
  description: V(always) or O(default) for one phone; for a mapping, the mapping with C(update_secrets) in each entry.
  type: raw
  sample: always
'''

import re

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover
    Mapping = dict

LINE_DN_KEY = re.compile(r'^voip/line/[0-9]+/(id|auth_name)$')


def _rotates(phone, rotated):
    settings = phone.get('settings') if isinstance(phone, Mapping) else None
    if not rotated or not isinstance(settings, Mapping):
        return False
    return any(LINE_DN_KEY.match(str(key)) and str(value) in rotated for key, value in settings.items())


def phone_update_secrets(phone, rotated=None, default='on_change'):
    """The filter: see DOCUMENTATION."""
    rotated = set(str(number) for number in rotated or ())
    if isinstance(phone, Mapping) and 'settings' not in phone:
        return dict((host, dict(entry, update_secrets='always' if _rotates(entry, rotated) else default))
                    for host, entry in phone.items())
    return 'always' if _rotates(phone, rotated) else default


class FilterModule(object):
    """How a phone's secrets are written when its DN's SIP password changed."""

    def filters(self):
        return {'phone_update_secrets': phone_update_secrets}
