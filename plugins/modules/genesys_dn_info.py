#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: genesys_dn_info
short_description: Read Genesys DNs and their annex options through GAX
version_added: 0.1.0
description:
  - Reads the Extension and ACD Position DNs of one switch, all of them or the numbers asked for,
    in three requests (log in, list switches, list DNs).
  - The result is valid input to M(telephony.genesys_audiocodes.genesys_dn) (its O(telephony.genesys_audiocodes.genesys_dn#module:dns)
    list), so a switch can be copied or restored; secrets read C(********), which that module
    takes to mean "keep the current value".
author:
  - telephony.genesys_audiocodes contributors (@telephony)
extends_documentation_fragment:
  - telephony.genesys_audiocodes.genesys
  - telephony.genesys_audiocodes.attributes
  - telephony.genesys_audiocodes.attributes.gax
  - telephony.genesys_audiocodes.attributes.info_module
  - ansible.builtin.action_common_attributes
options:
  switch:
    description:
      - Name of the switch (CfgSwitch) to read. An unknown name fails, listing the known ones.
    type: str
    required: true
  numbers:
    description:
      - The DN numbers to read, in this order. A number the switch does not have is returned with
        C(state=absent); a DN of another type (a Routing Point, a Trunk) fails the task.
      - Without it, every Extension and ACD Position DN of the switch.
    type: list
    elements: str
  query:
    description:
      - A JMESPath expression applied to the result (RV(switch) and RV(dns)); its outcome is returned
        as RV(query_result). Needs the Python library C(jmespath).
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: telephony.genesys_audiocodes.genesys_dn
'''

EXAMPLES = r'''
- name: Two DNs of site A
  telephony.genesys_audiocodes.genesys_dn_info:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    numbers: ["1500", "1502"]
  register: site_a

- name: Read every DN of site A before a change
  telephony.genesys_audiocodes.genesys_dn_info:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
  register: before_change

- name: Later, put those DNs back as they were (secrets, read masked, keep their current values)
  telephony.genesys_audiocodes.genesys_dn:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    purge_options: true
    dns: "{{ before_change.dns }}"

- name: The numbers of the DNs whose phone may be answered remotely
  telephony.genesys_audiocodes.genesys_dn_info:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    query: "dns[?contains(options.TServer.\"sip-cti-control\" || '', 'talk')].number"
  register: remote_answer
'''

RETURN = r'''
switch:
  description: The switch read.
  returned: success
  type: str
  sample: SIP_Switch_A
dns:
  description: The DNs, in the order of O(numbers) or of the listing; valid O(telephony.genesys_audiocodes.genesys_dn#module:dns) input.
  returned: success
  type: list
  elements: dict
  contains:
    number:
      description: The DN's number.
      type: str
      sample: "1502"
    state:
      description: V(present), or V(absent) for a number asked for that the switch does not have.
      type: str
      sample: present
    type:
      description: V(extension) or V(acd_position).
      type: str
      returned: when present
      sample: extension
    name:
      description: The DN's name (empty when it has none).
      type: str
      returned: when present and GAX shows one
      sample: Reception_A
    enabled:
      description: Whether the DN is enabled.
      type: bool
      returned: when present
      sample: true
    options:
      description: The whole annex as C(section -> key -> value); secrets read C(********).
      type: dict
      returned: when present
      sample: {"TServer": {"contact": "*", "password": "********", "sip-cti-control": "talk,hold"}}
query_result:
  description: What O(query) selected.
  returned: when O(query) is given
  type: raw
  sample: ["1502", "1503"]
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys.client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR,
)


SPEC_OPTIONS = {}


def argument_spec():
    """The module's options (its action plugin validates with the same spec, plugin_utils/gax_action.py)."""
    spec = core.gax_argument_spec()
    spec.update(
        switch=dict(type='str', required=True),
        numbers=dict(type='list', elements='str'),
        query=dict(type='str'),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    if module.params['query'] and not core.HAS_JMESPATH:
        module.fail_json(msg=missing_required_lib('jmespath'), exception=core.JMESPATH_IMPORT_ERROR)
    try:
        result = core.run_dn_info(module.params)
    except OperatorError as exc:
        module.fail_json(**core.failure_result(exc))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
