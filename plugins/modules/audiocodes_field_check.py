#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: audiocodes_field_check
short_description: Check, read-only, which assumptions of the collection hold on an AudioCodes 400HD phone
version_added: 0.3.0
description:
  - Logs in to one AudioCodes 400HD phone and only reads (GET) the pages the collection uses
    (C(info.htm), C(network_status.htm), C(manu_config.htm), C(Auto_Provision.htm), C(reboot.htm),
    C(voip_status.cgi), the configuration file, C(/configuration/user_agent.txt) where present).
  - Any request other than a GET and the POST of the login is refused before it leaves the
    controller, so the module cannot write to the phone.
  - Judges every entry of the collection's page table (C(plugins/module_utils/audiocodes/pages.py))
    and every phone behaviour of C(docs/compatibility.md) - one entry per assumption, with what was
    seen as evidence.
  - Returns the names of the keys the phone's configuration file lists (never their values), so the
    playbook C(telephony.genesys_audiocodes.field_check) can tell which keys of a deployment this
    firmware knows.
  - Every secret (passwords, hashes, cookies, passwords inside URLs) is masked in the result and in
    the capture bundle.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
extends_documentation_fragment:
  - telephony.genesys_audiocodes.audiocodes
  - telephony.genesys_audiocodes.attributes
  - telephony.genesys_audiocodes.attributes.info_module
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads the phone; it does the same in check mode, including writing the
        capture bundle on the controller when O(capture_dir) is set.
  platform:
    support: full
    platforms: AudioCodes 400HD phones (firmware 2.2.x)
options:
  capture_dir:
    description:
      - When set, every exchange with the phone (method, path, status, headers without cookies or
        authorization, body with every secret masked) is saved as a capture bundle,
        C(<capture_dir>/phone-<host>/bundle.json) (folders 0700, file 0600).
      - The format is described in C(docs/field-check.md); the lab can replay a bundle.
    type: path
seealso:
  - module: telephony.genesys_audiocodes.genesys_field_check
  - module: telephony.genesys_audiocodes.audiocodes_phone_info
'''

EXAMPLES = r'''
- name: Which of the collection's assumptions hold on this phone?
  telephony.genesys_audiocodes.audiocodes_field_check:
    host: 10.1.2.3
    password: "{{ audiocodes_password }}"
    ca_path: /etc/pki/phones-ca.pem
    capture_dir: /tmp/field-check/captures
  delegate_to: localhost
  register: check

- name: Show what does not hold
  ansible.builtin.debug:
    msg: "{{ check.entries | selectattr('status', 'eq', 'contradicted') | list }}"
'''

RETURN = r'''
host:
  description: The phone's address.
  returned: always
  type: str
device:
  description: Model, firmware and MAC as the phone shows them (None where it does not).
  returned: always
  type: dict
  sample: {"model": "440HD", "firmware": "2.2.16.501", "mac": "00:90:8f:a0:01:11"}
auth:
  description: How the phone took the login, V(cookie), V(basic) or V(digest); None when it refused it.
  returned: always
  type: str
config_file:
  description: The name of the configuration file the phone offers.
  returned: always
  type: str
config_keys:
  description: The keys the configuration file lists (names only, never values).
  returned: always
  type: list
  elements: str
secret_display:
  description: Per secret key of the file, how the phone shows it (V(encrypted), V(stars), V(empty), V(clear)); never the value.
  returned: always
  type: dict
model_lines:
  description: The number of lines of the phone's model, when the model is known.
  returned: always
  type: int
entries:
  description: One judgement per assumption.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The assumption, e.g. C(pages.LOGIN_PATH) or C(behaviour.secrets).
      type: str
    subject:
      description: What the collection assumes.
      type: str
    status:
      description: V(confirmed), V(contradicted) or V(unknown) (a read cannot tell).
      type: str
    evidence:
      description: What was seen, secrets masked.
      type: str
errors:
  description: Reads that failed, per page, with the cause.
  returned: always
  type: dict
requests:
  description: Every request sent (method, path, status) - GETs and the login only.
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

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import fieldcheck
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.module_support import (
    PhoneModule, connection_argument_spec, run,
)


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(capture_dir=dict(type='path'))
    module = PhoneModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module, fieldcheck.run_field_check)


if __name__ == '__main__':
    main()
