#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: genesys_agent_login_info
short_description: Read Genesys Agent Logins and their annex options through GAX
version_added: 0.1.0
description:
  - Reads the Agent Logins of one switch, all of them or the login codes asked for, in three
    requests (log in, list switches, list Agent Logins).
  - The result is valid input to M(telephony.genesys_audiocodes.genesys_agent_login) (its
    O(telephony.genesys_audiocodes.genesys_agent_login#module:agent_logins) list). GAX never returns an Agent
    Login's password, so the result has none; secret annex options read C(********).
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
  login_codes:
    description:
      - The login codes to read, in this order. A code the switch does not have is returned with
        C(state=absent).
      - Without it, every Agent Login of the switch.
    type: list
    elements: str
  query:
    description:
      - A JMESPath expression applied to the result (RV(switch) and RV(agent_logins)); its outcome is
        returned as RV(query_result). Needs the Python library C(jmespath).
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: telephony.genesys_audiocodes.genesys_agent_login
'''

EXAMPLES = r'''
- name: One Agent Login of site A
  telephony.genesys_audiocodes.genesys_agent_login_info:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    login_codes: ["7000"]
  register: logins

- name: The login codes of the disabled Agent Logins
  telephony.genesys_audiocodes.genesys_agent_login_info:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    query: "agent_logins[?!enabled].login_code"
  register: disabled
'''

RETURN = r'''
switch:
  description: The switch read.
  returned: success
  type: str
  sample: SIP_Switch_A
agent_logins:
  description: The Agent Logins, in the order of O(login_codes) or of the listing; valid
    O(telephony.genesys_audiocodes.genesys_agent_login#module:agent_logins) input.
  returned: success
  type: list
  elements: dict
  contains:
    login_code:
      description: The login code.
      type: str
      sample: "7000"
    state:
      description: V(present), or V(absent) for a code asked for that the switch does not have.
      type: str
      sample: present
    enabled:
      description: Whether the Agent Login is enabled.
      type: bool
      returned: when present
      sample: true
    options:
      description: The whole annex as C(section -> key -> value); secrets read C(********).
      type: dict
      returned: when present
      sample: {"TServer": {"wrap-up-time": "0"}}
query_result:
  description: What O(query) selected.
  returned: when O(query) is given
  type: raw
  sample: ["7003"]
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
        login_codes=dict(type='list', elements='str'),
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
        result = core.run_agent_login_info(module.params)
    except OperatorError as exc:
        module.fail_json(**core.failure_result(exc))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
