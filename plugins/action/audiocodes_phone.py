# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""audiocodes_phone in the controller process when the connection is local (plugin_utils/phone_action.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import core, module_support
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.phone_action import PhoneAction


class ActionModule(PhoneAction):
    argument_spec = staticmethod(module_support.phone_argument_spec)
    core_function = staticmethod(core.run_phone)
    core_options = ('check_mode', 'diff')
