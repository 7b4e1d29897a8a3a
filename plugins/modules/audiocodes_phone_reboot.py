#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: audiocodes_phone_reboot
short_description: Restart an AudioCodes 400HD phone and wait until it is back
version_added: 0.1.0
description:
  - Restarts one AudioCodes 405, 405HD, 420HD, 430HD or 440HD phone through its web interface
    (C(reboot.htm), C(REBOOT=2)).
  - By default waits until the phone has gone down and answers again; optionally until every
    line its configuration enables is registered.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
extends_documentation_fragment:
  - telephony.genesys_audiocodes.audiocodes
  - telephony.genesys_audiocodes.attributes
  - telephony.genesys_audiocodes.attributes.phone
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Logs in and opens C(reboot.htm), then reports that the phone would be restarted.
  diff_mode:
    support: none
  idempotent:
    support: none
    details:
      - Every run restarts the phone and reports a change.
options:
  wait_for_reboot:
    description:
      - Wait until the phone has restarted and answers again.
      - With V(false) the module returns right after asking for the restart, with
        RV(rebooted=false) and RV(reboot_pending=true).
    type: bool
    default: true
  wait_for_registration:
    description:
      - Also wait until every line that the phone's configuration enables
        (C(voip/line/N/enabled=1)) is registered, as C(voip_status.cgi) shows.
      - Needs O(wait_for_reboot=true).
    type: bool
    default: false
  reboot_timeout:
    description:
      - Seconds to wait, from the restart, for the phone to answer again (and for its lines to
        register, with O(wait_for_registration=true)).
    type: int
    default: 300
seealso:
  - module: telephony.genesys_audiocodes.audiocodes_phone
'''

EXAMPLES = r'''
- name: Restart the phone and wait until its lines are registered again
  telephony.genesys_audiocodes.audiocodes_phone_reboot:
    host: 192.0.2.11
    ca_path: /etc/pki/tls/certs/phones-ca.pem
    password: "{{ phone_admin_password }}"
    wait_for_registration: true
    reboot_timeout: 180
  delegate_to: localhost

- name: Restart without waiting
  telephony.genesys_audiocodes.audiocodes_phone_reboot:
    host: 192.0.2.12
    password: "{{ phone_admin_password }}"
    wait_for_reboot: false
  delegate_to: localhost
'''

RETURN = r'''
rebooted:
  description:
    - V(true) when the phone restarted and answers again.
    - V(false) when the module did not wait (then RV(reboot_pending=true)), and in check mode.
    - Before version 0.3.0 a restart the module did not wait for was V(pending) here.
  returned: always
  type: bool
  sample: true
reboot_pending:
  description:
    - V(true) when the phone was asked to restart and O(wait_for_reboot=false) left it restarting.
  returned: always
  type: bool
  sample: false
  version_added: 0.3.0
lines:
  description: Registration of the phone's lines once the enabled ones were registered.
  returned: when O(wait_for_registration=true)
  type: list
  elements: dict
  contains:
    line:
      description: 0-based line index.
      type: int
    registered:
      description: Whether the line is registered.
      type: bool
    state:
      description: The registration state as the phone words it.
      type: str
    server:
      description: The server the line is registered with, when the phone says.
      type: str
'''

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import core
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.module_support import (
    PhoneModule, phone_reboot_argument_spec, run,
)


def main():
    argument_spec = phone_reboot_argument_spec()
    module = PhoneModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module, core.run_phone_reboot, check_mode=module.check_mode)


if __name__ == '__main__':
    main()
