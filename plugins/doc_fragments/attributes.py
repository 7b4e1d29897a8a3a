# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment:
    """The attributes the modules share: which platform, which action group, and (for the info
    modules) check mode. Used with ansible.builtin.action_common_attributes, which describes
    check_mode, diff_mode and platform; a module's own attributes add its details."""

    # Every module: what it is idempotent about is its own; the fragment only says what the word means.
    DOCUMENTATION = r'''
attributes:
  idempotent:
    description:
      - When the state is already reached, a second run with the same arguments changes nothing
        and reports no change.
'''

    # The modules that work a phone (its web interface, or its provisioning form).
    PHONE = r'''
attributes:
  platform:
    support: full
    platforms: AudioCodes 400HD phones (405, 405HD, 420HD, 430HD, 440HD; firmware 2.2.x)
  action_group:
    description:
      - Use C(group/telephony.genesys_audiocodes.audiocodes) in C(module_defaults) to set the phones'
        connection options once; the Genesys modules are not in this group, so they never receive
        the phones' credentials.
    support: full
    membership:
      - telephony.genesys_audiocodes.audiocodes
'''

    # The modules that work Genesys configuration objects through GAX.
    GAX = r'''
attributes:
  platform:
    support: full
    platforms: Genesys Engage Configuration Server, through the REST API of Genesys Administrator Extension (GAX)
  action_group:
    description:
      - Use C(group/telephony.genesys_audiocodes.genesys) in C(module_defaults) to set the GAX
        connection options once for every Genesys module; the phone modules are not in this group.
    support: full
    membership:
      - telephony.genesys_audiocodes.genesys
'''

    # The info modules: they only read.
    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    details:
      - The module only reads; it does the same in check mode.
  diff_mode:
    support: none
    details:
      - The module changes nothing, so there is nothing to show.
  idempotent:
    support: full
'''
