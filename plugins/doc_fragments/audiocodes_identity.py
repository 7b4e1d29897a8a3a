# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):

    # The identity check of the writing phone modules (module_utils/audiocodes/identity.py).
    DOCUMENTATION = r'''
options:
  expected_mac:
    description:
      - The MAC address of the phone the inventory means at O(host). Before anything is written
        (and before a backup is saved), the module compares it with the MAC the phone reports
        (the name of its configuration file, C(info.htm), else C(network_status.htm)); on a
        mismatch, or when the phone reports no MAC, the module fails naming both and writes
        nothing to that phone.
      - With DHCP an address can move to another desk; this keeps one agent's SIP credentials
        off another agent's phone. The roles pass the inventory's C(mac).
      - Any common spelling, case-insensitive - C(00:90:8F:12:34:56), C(00-90-8f-12-34-56),
        C(0090.8f12.3456), C(00908F123456).
      - Costs no request of its own (the module reads the phone's identity anyway), except for
        M(telephony.genesys_audiocodes.audiocodes_provisioning) without
        O(telephony.genesys_audiocodes.audiocodes_provisioning#module:publish_dir) (one
        request).
    type: str
  expected_model:
    description:
      - The model the inventory gives this phone (V(405), V(405HD), V(420HD), V(430HD), V(440HD));
        compared like O(expected_mac), before anything is written. The suffix C(G) of a
        Gigabit model (C(440HDG)) counts as the same model.
    type: str
'''
