# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The application note's knowledge, on the controller only (the filters import it).

Split by what a reader comes for:

- ``table``: what each feature, deployment and model writes (data only; a reverse reader imports it),
- ``inventory``: reading the inventory, the schema checks and their messages,
- ``evaluate``: the note's rules and the desired state (``preflight``, ``desired_state``).

The public names are re-exported here.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.table import (  # noqa: F401
    BASIC, BC_MODES, DEPLOYMENT_NAMES, DEPLOYMENTS, FEATURE_BY_NAME, FEATURES, MODELS, VALID_FLAGS,
    assumed_entries,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.inventory import (  # noqa: F401
    ERROR, LINE_FIELDS, PHONE_FIELDS, SITE_FIELDS, WARNING, Finding, InventoryError,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.evaluate import (  # noqa: F401
    desired_state, preflight,
)
