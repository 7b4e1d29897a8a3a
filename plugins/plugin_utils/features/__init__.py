# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The application note's knowledge, on the controller only (the filters import it).

The public names, re-exported from the module that holds them.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.evaluate import (  # noqa: F401
    BASIC, BC_MODES, DEPLOYMENT_NAMES, DEPLOYMENTS, ERROR, FEATURE_BY_NAME, FEATURES, LINE_FIELDS, MODELS,
    PHONE_FIELDS, SITE_FIELDS, VALID_FLAGS, WARNING, Finding, InventoryError, assumed_entries, desired_state,
    preflight,
)
