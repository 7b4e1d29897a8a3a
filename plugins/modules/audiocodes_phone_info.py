#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: audiocodes_phone_info
short_description: Read what an AudioCodes 400HD phone is, whether its lines are registered, and its configuration
version_added: 0.1.0
description:
  - Reads one AudioCodes 405, 405HD, 420HD, 430HD or 440HD phone through its web interface and
    changes nothing.
  - RV(device) is the model, firmware and MAC; RV(status) the registration of each line
    (C(voip_status.cgi)); RV(config) every key of the phone's full configuration file.
  - Secret keys are left out of RV(config) (their names, and whether the phone shows them
    encrypted, are in RV(secret_keys)), so RV(config) can be given back as the
    O(telephony.genesys_audiocodes.audiocodes_phone#module:settings) of
    M(telephony.genesys_audiocodes.audiocodes_phone) without writing a masked value over a
    secret.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
extends_documentation_fragment:
  - telephony.genesys_audiocodes.audiocodes
  - telephony.genesys_audiocodes.attributes
  - telephony.genesys_audiocodes.attributes.phone
  - telephony.genesys_audiocodes.attributes.info_module
  - ansible.builtin.action_common_attributes
options:
  gather:
    description:
      - What to read.
      - V(device) costs the login, C(manu_config.htm), the configuration file and C(info.htm);
        V(config) adds nothing to that; V(status) adds C(voip_status.cgi).
    type: list
    elements: str
    choices: [device, status, config]
    default: [device, status, config]
seealso:
  - module: telephony.genesys_audiocodes.audiocodes_phone
'''

EXAMPLES = r'''
- name: Is the phone's line 0 registered?
  telephony.genesys_audiocodes.audiocodes_phone_info:
    host: 192.0.2.11
    ca_path: /etc/pki/tls/certs/phones-ca.pem
    password: "{{ phone_admin_password }}"
    gather: [device, status]
  delegate_to: localhost
  register: phone

- name: Copy the configuration of one phone onto another (secrets are left out)
  telephony.genesys_audiocodes.audiocodes_phone:
    host: 192.0.2.12
    ca_path: /etc/pki/tls/certs/phones-ca.pem
    password: "{{ phone_admin_password }}"
    settings: "{{ phone.config | dict2items | selectattr('key', 'match', '^voip/') | items2dict }}"
  delegate_to: localhost
'''

RETURN = r'''
device:
  description: What the phone is.
  returned: when O(gather) has V(device)
  type: dict
  contains:
    model:
      description: Model (C(system/type), else C(info.htm), else the configuration file name).
      type: str
      sample: 420HD
    firmware:
      description: Firmware version as C(info.htm) shows it; None when the page does not show it.
      type: str
      sample: 2.2.16.501
    mac:
      description: MAC address, lower-case with colons.
      type: str
      sample: 00:90:8f:12:34:56
status:
  description: Registration of the phone's lines.
  returned: when O(gather) has V(status)
  type: dict
  contains:
    lines:
      description: One entry per line that C(voip_status.cgi) lists.
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
          sample: Registered
        server:
          description: The server the line is registered with, when the phone says.
          type: str
          sample: 192.0.2.10
config:
  description: Every key of the phone's configuration file and its value, secret keys left out.
  returned: when O(gather) has V(config)
  type: dict
  sample: {"voip/line/0/id": "1502", "voip/media/out_of_band_dtmf": "RFC2833"}
secret_keys:
  description: The secret keys of the configuration, and whether the phone shows each V(encrypted) or V(shown) (in clear); never their values.
  returned: when O(gather) has V(config)
  type: dict
  sample: {"voip/line/0/auth_password": "encrypted", "system/password": "shown"}
config_file:
  description: Name of the configuration file the phone offers.
  returned: when O(gather) has V(config)
  type: str
  sample: 420HD_00908F123456.cfg
'''

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import core
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.module_support import (
    PhoneModule, phone_info_argument_spec, run,
)


def main():
    argument_spec = phone_info_argument_spec()
    module = PhoneModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module, core.run_phone_info)


if __name__ == '__main__':
    main()
