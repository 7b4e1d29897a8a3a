#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: audiocodes_firmware
short_description: Report and upgrade the firmware of an AudioCodes 400HD phone
version_added: 0.2.0
description:
  - Reports the firmware version one AudioCodes 405, 405HD, 420HD, 430HD or 440HD phone runs, as its
    information page (C(info.htm)) shows it.
  - With O(image), brings the phone to the version of that image. The model and version come from the
    image's file name (C(<model>_<version>.img)) and header; an image for another model is refused
    before anything is uploaded.
  - O(method=web) arms the manual upgrade (C(Manu_Firmware_Upgrade.htm), C(UPGRADESHOW=1)) and uploads
    the image (C(/upload.cgi), C(localupgrade=20), file field C(upname)). O(method=provisioning) sets
    the firmware URL of C(Auto_Provision.htm) (and the static provisioning method when another one is
    set), restarts the phone so that it fetches and flashes the image, then puts the URL back.
  - Waits, at most O(reboot_timeout) seconds, until the phone has flashed the image and answers again,
    then reads its version. A phone that comes back on its old version fails the task, saying that
    the old version still runs.
  - A phone that already runs the image's version is left alone; one that runs a newer version too,
    with a warning, unless O(allow_downgrade=true).
author:
  - telephony.genesys_audiocodes contributors (@telephony)
extends_documentation_fragment:
  - telephony.genesys_audiocodes.audiocodes
  - telephony.genesys_audiocodes.audiocodes_identity
  - telephony.genesys_audiocodes.attributes
  - telephony.genesys_audiocodes.attributes.phone
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the image and the phone's model and version, then says whether and how the phone would
        be upgraded; uploads and writes nothing.
  diff_mode:
    support: full
    details:
      - The running and the target version.
  idempotent:
    support: full
    details:
      - A phone at the image's version reports no change.
options:
  image:
    description:
      - Path, on the controller, of the firmware image to install, for example C(440HD_2.2.16.600.img).
      - Without it the module only reports the running version (and, with O(version), whether the phone
        is at that version).
    type: path
  version:
    description:
      - The version the phone should run, dotted numbers such as C(2.2.16.600).
      - With O(image), must be the image's version (a safety check); without it, only compared.
    type: str
  method:
    description:
      - How the image reaches the phone. V(web) uploads it through the web interface;
        V(provisioning) has the phone fetch it from O(firmware_url) at a restart.
    type: str
    choices: [web, provisioning]
    default: web
  firmware_url:
    description:
      - With O(method=provisioning), the URL from which the phone fetches the image (http, https, ftp
        or tftp), as the phone reaches it. The module does not fetch it and does not put the image
        there; serve O(image) at this URL.
      - A URL ending in C(/) makes the phone look for C(<model>.img) in that folder.
    type: str
  restore_firmware_url:
    description:
      - With O(method=provisioning), put the phone's firmware URL (and provisioning method) back as they
        were once the upgrade is over, so that a later restart does not fetch the image again.
    type: bool
    default: true
  allow_downgrade:
    description:
      - Install O(image) on a phone that runs a newer version. By default such a phone is left alone,
        with a warning.
    type: bool
    default: false
  reboot_timeout:
    description:
      - Seconds to wait, from the upload (or the restart), until the phone has flashed the image and
        answers again.
    type: int
    default: 900
notes:
  - The firmware side of the web interface (page, field names, the words that mean a refused image)
    and the image naming and header are kept in one table, C(plugins/module_utils/audiocodes/firmware.py),
    tagged confirmed or assumed.
  - The C(Auto_Provision.htm) form is written by this module's own small form write (the whole form
    posted back with C(FW_URL), and C(ASU_METHOD) when needed, changed).
  - To upgrade a fleet in waves, use the role P(telephony.genesys_audiocodes.audiocodes_firmware#role)
    and the playbook C(playbooks/upgrade_firmware.yml) (C(serial), C(max_fail_percentage)).
seealso:
  - module: telephony.genesys_audiocodes.audiocodes_phone_info
  - module: telephony.genesys_audiocodes.audiocodes_phone_reboot
'''

EXAMPLES = r'''
- name: Which firmware does the phone run?
  telephony.genesys_audiocodes.audiocodes_firmware:
    host: 192.0.2.21
    password: "{{ phone_admin_password }}"
  delegate_to: localhost
  register: phone_firmware

- name: Upgrade the phone through its web interface
  telephony.genesys_audiocodes.audiocodes_firmware:
    host: 192.0.2.21
    password: "{{ phone_admin_password }}"
    image: /srv/firmware/440HD_2.2.16.600.img
    version: 2.2.16.600
    reboot_timeout: 900
  delegate_to: localhost

- name: Upgrade through the provisioning firmware URL (the image is served there)
  telephony.genesys_audiocodes.audiocodes_firmware:
    host: 192.0.2.22
    password: "{{ phone_admin_password }}"
    image: /srv/firmware/420HD_2.2.16.600.img
    method: provisioning
    firmware_url: https://prov.example.com/firmware/420HD_2.2.16.600.img
  delegate_to: localhost
'''

RETURN = r'''
model:
  description: The phone's model, as its information page shows it.
  returned: always
  type: str
  sample: 440HD
version:
  description: The firmware version the phone runs at the end of the task.
  returned: always
  type: str
  sample: 2.2.16.600
previous_version:
  description: The firmware version the phone ran when the task started.
  returned: always
  type: str
  sample: 2.2.16.501
target_version:
  description: The version of O(image), else O(version).
  returned: when O(image) or O(version) is given
  type: str
  sample: 2.2.16.600
at_target:
  description: Whether the phone ran the target version when the task started.
  returned: when O(image) or O(version) is given
  type: bool
upgraded:
  description: Whether the phone was flashed to the target version by this task.
  returned: always
  type: bool
method:
  description: The upgrade method asked for.
  returned: always
  type: str
  sample: web
image:
  description: What the module read from O(image).
  returned: when O(image) is given
  type: dict
  contains:
    name:
      description: The file name.
      type: str
    model:
      description: The model the image is for.
      type: str
    version:
      description: The version it installs.
      type: str
    size:
      description: Its size in bytes.
      type: int
msg:
  description: What happened, or would happen in check mode.
  returned: always
  type: str
  sample: phone 192.0.2.21 upgraded from 2.2.16.501 to 2.2.16.600 through the web interface
'''

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import firmware
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.module_support import PhoneModule, run


def main():
    module = PhoneModule(argument_spec=firmware.argument_spec(), supports_check_mode=True, **firmware.SPEC_OPTIONS)
    run(module, firmware.run_firmware, check_mode=module.check_mode, diff=module._diff)


if __name__ == '__main__':
    main()
