#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: genesys_field_check
short_description: Check, read-only, which assumptions of the collection hold on a site's GAX
version_added: 0.3.0
description:
  - Logs in to Genesys Administrator Extension (GAX) and only reads the switch, the DNs and Agent
    Logins named by O(numbers) and O(login_codes) (from the listings the collection itself uses),
    and one full object of each type.
  - Any request other than a GET and the POST of the login is refused before it leaves the
    controller, so the module cannot write to GAX.
  - Judges the GAX shapes of C(plugins/module_utils/genesys/objects.py) and the GAX behaviours of
    C(docs/compatibility.md) - one entry per assumption, with what was seen as evidence.
  - Secrets (the login password, Agent Login passwords, DN C(password) options, cookies) are
    masked in the result and in the capture bundle.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
extends_documentation_fragment:
  - telephony.genesys_audiocodes.genesys
  - telephony.genesys_audiocodes.attributes
  - telephony.genesys_audiocodes.attributes.info_module
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads GAX; it does the same in check mode, including writing the capture
        bundle on the controller when O(capture_dir) is set.
  platform:
    support: full
    platforms: Genesys Administrator Extension 8.5 and later
options:
  switch:
    description:
      - Name of the switch (CfgSwitch) of the site.
    type: str
    required: true
  site:
    description:
      - Name of the site, used in the result and in the capture bundle's folder name.
    type: str
  numbers:
    description:
      - The DN numbers of the inventory on this switch; each is reported present or absent.
    type: list
    elements: str
    default: []
  login_codes:
    description:
      - The Agent Login codes of the inventory on this switch; each is reported present or absent.
    type: list
    elements: str
    default: []
  capture_dir:
    description:
      - When set, every exchange with GAX (method, path, status, headers without cookies, body with
        every secret masked) is saved as a capture bundle, C(<capture_dir>/gax-<site>/bundle.json).
    type: path
seealso:
  - module: telephony.genesys_audiocodes.audiocodes_field_check
  - module: telephony.genesys_audiocodes.genesys_dn_info
'''

EXAMPLES = r'''
- name: Which of the collection's GAX assumptions hold on site A?
  telephony.genesys_audiocodes.genesys_field_check:
    gax_url: https://gax.example:8080
    username: "{{ gax_username }}"
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    site: A
    numbers: ["1501", "1502"]
    login_codes: ["7001"]
  delegate_to: localhost
  register: site_check
'''

RETURN = r'''
site:
  description: The site, as given.
  returned: always
  type: str
switch:
  description: The switch, as given.
  returned: always
  type: str
dns:
  description: Per DN number asked for, V(present) or V(absent) on the switch.
  returned: always
  type: dict
agent_logins:
  description: Per login code asked for, V(present) or V(absent) on the switch.
  returned: always
  type: dict
annex_options:
  description: Per annex option (C(section/key)) seen on the switch's DNs, how many DNs carry it (names only).
  returned: always
  type: dict
entries:
  description: One judgement per assumption (C(id), C(subject), C(status) V(confirmed), V(contradicted) or V(unknown), C(evidence)).
  returned: always
  type: list
  elements: dict
errors:
  description: Reads that failed, with the cause.
  returned: always
  type: dict
requests:
  description: Every request sent (method, path, status).
  returned: always
  type: list
  elements: dict
writes:
  description: Requests other than reads and the login; always empty (the module refuses them).
  returned: always
  type: list
  elements: dict
capture:
  description: The path of the capture bundle.
  returned: when O(capture_dir) is set
  type: str
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core, fieldcheck
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys.client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR,
)


def main():
    argument_spec = core.gax_argument_spec()
    argument_spec.update(
        switch=dict(type='str', required=True),
        site=dict(type='str'),
        numbers=dict(type='list', elements='str', default=[]),
        login_codes=dict(type='list', elements='str', default=[]),
        capture_dir=dict(type='path'),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    try:
        result = fieldcheck.run_field_check(module.params)
    except OperatorError as exc:
        module.fail_json(**core.failure_result(exc))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
