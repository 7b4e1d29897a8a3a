#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: audiocodes_provisioning
short_description: Point an AudioCodes 400HD phone at a provisioning server and publish its configuration file
version_added: 0.2.0
description:
  - The zero-touch path, beside the web path of M(telephony.genesys_audiocodes.audiocodes_phone).
  - Reads the phone's C(Auto_Provision.htm) form and sets the provisioning method to static and the
    configuration URL to O(config_url) (and, when given, the firmware URL and the update period),
    posting the whole form back with every other field as the page showed it, then reads the page
    again to verify.
  - With O(publish_dir), it also writes the phone's COMPLETE configuration file
    C(<mac lowercase, no colons>.cfg) into that directory (mode 0600), holding the configuration the phone
    has now, read through its web interface after the form was posted, with the keys of
    O(settings) set in place, compared and written as M(telephony.genesys_audiocodes.audiocodes_phone)
    does. Secrets the phone hides are written in clear (the phone needs them); the file is never
    returned, logged or shown in a diff. Whether the firmware merges or replaces the fetched file,
    the result is the same.
  - When the phone does not hold O(settings) yet, the module makes it fetch the file (O(resync)) with
    a SIP C(NOTIFY) with C(Event check-sync) to the phone's SIP port, or a restart through
    C(reboot.htm) when the phone does not accept the NOTIFY. It waits (bounded by
    O(reboot_timeout)) and reads the configuration back, failing with the keys the phone did not
    take.
  - The directory must be the one the provisioning server serves at O(config_url) (a URL ending in
    C(/) is a directory, where the phone fetches C(<mac>.cfg)). The module writes on the host it runs
    on; run it there (C(delegate_to)) as the user the web server reads the files as. See
    C(docs/provisioning.md) for an nginx example with TLS, authentication and 0600 files.
  - "Admin password: when the phone refuses O(password) and O(initial_password) is given (a
    factory-fresh phone: C(admin)/C(1234), or the old password when rotating), the module logs in
    with O(initial_password) and puts the MD5-crypt hash of O(password) into the file as
    C(system/password); after the resync it proves the change by logging in with O(password). A
    phone that accepts O(password) keeps its hash, so a second run changes nothing."
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
      - Reads the form and the configuration, reports what would change, writes neither the form,
        the file nor the phone. When the form would change, the file it reports is computed from the
        configuration before the form change.
  diff_mode:
    support: partial
    details:
      - Shows the form values (URLs with their password masked) and each changed configuration key
        as C(key=value); secrets as C(********). The file itself is never shown, only whether it is
        published anew.
  idempotent:
    support: full
    details:
      - The file is rewritten only when its values differ from the published one; an admin password
        hash already in the file that matches O(password) is kept.
options:
  config_url:
    description:
      - The configuration URL the phone fetches from, C(http), C(https), C(ftp) or C(tftp), at most
        128 characters.
      - A URL ending in C(/) is a directory, where the phone fetches C(<mac lowercase, no colons>.cfg);
        any other URL is fetched as it is (then the server must map it to the phone's file).
      - Credentials go into the URL (C(https://user:password@host/phones/)); the firmware has no other
        place for them. The password part is masked in every result. A URL that is not C(https) with a
        password is refused (anyone on the way reads it, and any server answering there gets it).
    type: str
    required: true
  firmware_url:
    description:
      - The firmware URL to set on the form (C(FW_URL)); left as it is when not given.
    type: str
  period:
    description:
      - The update period (C(ASU_PERIOD)); left as it is when not given.
    type: str
    choices: [daily, hourly, powerup, weekly]
  publish_dir:
    description:
      - Directory (on the host that runs the module) the provisioning server serves at O(config_url).
        The phone's file is written there with mode 0600; the directory is created with mode 0700
        when missing.
      - Without it the module only sets the form.
    type: path
  settings:
    description:
      - Configuration keys and values the published file must hold, as for
        M(telephony.genesys_audiocodes.audiocodes_phone) (the C(settings) the desired state gives
        each phone). Needs O(publish_dir).
    type: dict
    default: {}
  update_secrets:
    description:
      - As in M(telephony.genesys_audiocodes.audiocodes_phone) (V(on_create) since version 0.3.0).
        Secrets the phone hides are in the file in any case.
    type: str
    choices: [on_create, on_change, always]
    default: on_change
  initial_password:
    description:
      - The admin password to try only when the phone refuses O(password) (C(1234) for a
        factory-fresh phone, the old one when rotating). The file then sets the admin password to the
        MD5-crypt hash of O(password), and the run proves it by logging in with O(password).
    type: str
  resync:
    description:
      - How the phone is made to fetch its file when it lacks O(settings).
      - V(auto) sends the SIP C(NOTIFY) C(check-sync) and restarts the phone through C(reboot.htm)
        when the phone does not answer it with 2xx. V(check_sync) fails instead of restarting.
        V(reboot) restarts at once. V(none) only publishes (the phone fetches at its next restart).
    type: str
    choices: [auto, check_sync, reboot, none]
    default: auto
  sip_port:
    description:
      - UDP port of the phone's SIP stack for the C(NOTIFY). Defaults to the phone's
        C(voip/signalling/sip/port), else 5060.
    type: int
  reboot_timeout:
    description:
      - Seconds to wait for the phone to fetch, apply (and restart) after the resync.
    type: int
    default: 300
  verify:
    description:
      - After the resync, read the configuration back and fail naming every key the phone did not take.
    type: bool
    default: true
notes:
  - The phone resolves the host of O(config_url) itself; the module never resolves or fetches it.
  - With an C(https) O(config_url) and O(publish_dir), the published file turns on the phone's check of its
    provisioning server's certificate (C(security/provisioning/verify_server_certificate=1)); the phone needs
    the CA that signed that server (C(security/ca_certificate/1/uri) in O(settings), or set at staging). A
    phone that does not check yet, and O(settings) turning the check off, are warned about.
  - A phone whose file is fetched applies it as it would an upload; keys its firmware does not know
    are dropped, which the read-back reports.
seealso:
  - module: telephony.genesys_audiocodes.audiocodes_phone
  - module: telephony.genesys_audiocodes.audiocodes_phone_reboot
'''

EXAMPLES = r'''
- name: Point the phone at the provisioning server only
  telephony.genesys_audiocodes.audiocodes_provisioning:
    host: 192.0.2.21
    ca_path: /etc/pki/tls/certs/phones-ca.pem
    password: "{{ phone_admin_password }}"
    config_url: "https://phones:{{ provisioning_password }}@prov.example.com/phones/"
    period: powerup
  delegate_to: localhost

- name: Publish the phone's complete file with its settings and make it fetch the file
  telephony.genesys_audiocodes.audiocodes_provisioning:
    host: "{{ ansible_host }}"
    ca_path: /etc/pki/tls/certs/phones-ca.pem
    password: "{{ phone_admin_password }}"
    initial_password: "1234"            # tried only when the phone refuses the password above
    config_url: "https://phones:{{ provisioning_password }}@prov.example.com/phones/"
    publish_dir: /srv/provisioning/phones
    settings:
      voip/line/0/id: "1502"
      voip/line/0/auth_password: "{{ dn_1502_password }}"
  delegate_to: prov.example.com
'''

RETURN = r'''
changes:
  description:
    - Per changed item, the value before and after. Form items are C(provisioning method),
      C(provisioning config_url), C(provisioning firmware_url), C(provisioning period); configuration
      keys as in M(telephony.genesys_audiocodes.audiocodes_phone); C(file <mac>.cfg) when the file is
      published anew. Secrets and URL passwords are C(********).
  returned: always
  type: dict
  sample: {"provisioning method": {"before": "dynamic", "after": "static"}}
url:
  description: O(config_url) with its password masked.
  returned: always
  type: str
  sample: https://phones:********@prov.example.com/phones/
file:
  description: Path of the phone's published file.
  returned: when O(publish_dir) is given
  type: str
  sample: /srv/provisioning/phones/00908fa00111.cfg
file_changed:
  description: Whether the file was (or, in check mode, would be) written.
  returned: always
  type: bool
resync:
  description: How the phone was made to fetch (V(check_sync), V(reboot), V(check_sync+reboot)), or None.
  returned: always
  type: str
rebooted:
  description: Whether the phone was seen restarting after the resync.
  returned: always
  type: bool
check_sync:
  description: The phone's answer to the C(NOTIFY) (e.g. C(200 OK)) or why there was none.
  returned: when a NOTIFY was sent
  type: str
device:
  description: Model, firmware and MAC of the phone.
  returned: when O(publish_dir) is given
  type: dict
diff:
  description: Before and after of the changed items (in diff mode).
  returned: when diff mode is on
  type: dict
'''

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import provisioning
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.module_support import PhoneModule, run


def main():
    module = PhoneModule(argument_spec=provisioning.argument_spec(), supports_check_mode=True)
    run(module, provisioning.run_provisioning, check_mode=module.check_mode, diff=module._diff)


if __name__ == '__main__':
    main()
