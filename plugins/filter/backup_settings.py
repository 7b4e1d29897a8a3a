# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: backup_settings
short_description: The settings a phone backup holds, ready for audiocodes_phone
version_added: 0.3.0
description:
  - Reads the text of a configuration file saved by M(telephony.genesys_audiocodes.audiocodes_phone) with
    O(telephony.genesys_audiocodes.audiocodes_phone#module:backup=true) and returns its C(key=value)
    lines as a mapping, the O(telephony.genesys_audiocodes.audiocodes_phone#module:settings) that put the
    phone back (playbooks/restore.yml).
  - Left out - comment lines (C(;) or C(#)), among them the secrets the phone showed in clear (the
    backup keeps only a comment naming them), values that hold the mask C(********), and the keys of
    O(skip).
  - Encrypted secrets (C({"..."})) stay as they are - the phone keeps an unchanged one and takes a
    different one back.
  - Hexadecimal numbers (C(0xb8)) become decimal (C(184)), as the phone shows them once applied, so
    a restored key compares equal to what the phone holds.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
positional: _input
options:
  _input:
    description: The backup file's text (for example C(lookup('ansible.builtin.file', path))).
    type: str
    required: true
  skip:
    description: Keys not to restore (the admin password hash, by default in playbooks/restore.yml).
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
- name: Put the phone back to its backup
  telephony.genesys_audiocodes.audiocodes_phone:
    host: 127.0.1.11
    settings: "{{ lookup('ansible.builtin.file', backup) | telephony.genesys_audiocodes.backup_settings(skip=['system/password']) }}"
'''

RETURN = r'''
_value:
  description: Configuration key -> value, as text.
  type: dict
  sample: {"voip/line/0/id": "1501", "voip/line/0/enabled": "1"}
'''

from ansible.errors import AnsibleFilterError

import re

MASK = '********'
HEX = re.compile(r'^0[xX][0-9a-fA-F]+$')


def backup_settings(text, skip=None):
    """The filter: see DOCUMENTATION."""
    if not isinstance(text, str):
        raise AnsibleFilterError('backup_settings: the input must be the text of a backup file')
    skip = set(skip or ())
    settings = {}
    for line in text.replace('\r\n', '\n').replace('\r', '\n').split('\n'):
        stripped = line.strip()
        if not stripped or stripped[0] in ';#' or '=' not in stripped:
            continue
        key, value = stripped.split('=', 1)
        key, value = key.strip(), value.strip()
        if key in skip or MASK in value:
            continue
        settings[key] = str(int(value, 16)) if HEX.match(value) else value
    if not settings:
        raise AnsibleFilterError('backup_settings: the file holds no key=value line; is it a phone backup?')
    return settings


class FilterModule(object):
    """Phone backups as settings."""

    def filters(self):
        return {'backup_settings': backup_settings}
