# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""genesys_agent_login in the controller process when the connection is local (plugin_utils/gax_action.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core
from ansible_collections.telephony.genesys_audiocodes.plugins.modules import genesys_agent_login as module
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.gax_action import GaxAction


class ActionModule(GaxAction):
    module = module
    core_function = staticmethod(core.run_agent_login)
    core_options = ('check_mode',)
    secrets = staticmethod(core.agent_login_secrets)
