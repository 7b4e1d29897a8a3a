# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Is this the phone the inventory means? Checked on every path before anything is written.

With DHCP an address can move to another desk: a phone answering at the inventory's address is
written only when the MAC (and model) it reports are the inventory's. The identity comes from what
the modules read anyway (the configuration file's name ``<model>_<MAC>.cfg``, ``info.htm``), so
the check costs no request of its own.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import InputError, RemoteError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import keys


class IdentityError(RemoteError):
    """The phone at the address is not the one the inventory names (or does not say who it is)."""


def argument_spec():
    """The identity options every writing phone module takes."""
    return dict(
        expected_mac=dict(type='str'),
        expected_model=dict(type='str'),
    )


def normal_mac(text):
    """``00:90:8f:12:34:56`` from any common spelling (colons, dashes, dots, none; any case); None
    when ``text`` is not 12 hex digits."""
    digits = re.sub(r'[:\-.\s]', '', str(text or ''))
    if not re.match(r'^[0-9A-Fa-f]{12}$', digits):
        return None
    return ':'.join(digits[i:i + 2] for i in range(0, 12, 2)).lower()


def check_input(params, subject):
    """Refuse a malformed expected_mac or an unknown expected_model before any request."""
    mac = params.get('expected_mac')
    if mac and normal_mac(mac) is None:
        raise InputError(subject, 'expected_mac %r is not a MAC address (12 hex digits)' % mac,
                         'give it as on the phone\'s label, e.g. 00:90:8F:12:34:56 (or leave it out)')
    model = params.get('expected_model')
    if model and keys.model_of(model) is None:
        raise InputError(subject, 'expected_model %r is not a 400HD model (%s)'
                         % (model, ', '.join(sorted(keys.MODEL_LINES))), 'correct the inventory\'s model')


def check(params, device, subject, need_mac=False):
    """Raise ``IdentityError`` unless ``device`` (``{model, mac, ...}`` as read from the phone) is
    the phone ``expected_mac`` / ``expected_model`` name. ``need_mac``: the phone must report a MAC
    even when none is expected (a file is named after it)."""
    want_mac = normal_mac(params.get('expected_mac')) if params.get('expected_mac') else None
    want_model = keys.model_of(params.get('expected_model')) if params.get('expected_model') else None
    have_mac = normal_mac(device.get('mac'))
    have_model = keys.model_of(device.get('model'))
    if (want_mac or need_mac) and have_mac is None:
        raise IdentityError(subject, 'the phone does not report its MAC address (neither the configuration file '
                            'name, info.htm nor network_status.htm shows one), so it cannot be told apart from '
                            'another phone; nothing was written',
                            'check the phone in a browser (Status > Network); correct the MAC patterns of '
                            'plugins/module_utils/audiocodes/scrape.py from a capture of this firmware')
    wrong = []
    if want_mac and have_mac != want_mac:
        wrong.append('MAC %s, not %s' % (have_mac, want_mac))
    if want_model and have_model != want_model:
        wrong.append('model %s, not %s' % (device.get('model') or 'unknown', want_model))
    if wrong:
        raise IdentityError(subject, 'the phone at this address reports %s as the inventory says; nothing was '
                            'written to it' % ' and '.join(wrong),
                            'the address now belongs to another phone (DHCP?) or the inventory is wrong: correct '
                            'address, mac or model in the inventory for this host, then run again')
