#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: audiocodes_phone
short_description: Configure an AudioCodes 400HD phone through its web interface
version_added: 0.1.0
description:
  - Brings the configuration of one AudioCodes 405, 405HD, 420HD, 430HD or 440HD phone to the
    keys given in O(settings); keys not named are left alone.
  - The module logs in, downloads the phone's full configuration file (the link on
    C(manu_config.htm)), compares each key of O(settings) with it, and when something differs
    uploads ONE complete file (the downloaded one with the changed values set in place) through
    the upload form of C(manu_config.htm). Whether the firmware merges or replaces on upload,
    the result is the same.
  - After the upload it follows the phone, which either restarts by itself, applies the file
    live, or needs a restart (then the module posts C(reboot.htm)); it waits (bounded by
    O(reboot_timeout)) and reads the configuration back to verify.
  - Values are compared by kind, so what the phone normalises does not count as a change;
    booleans C(true)/C(false)/C(yes)/C(no) compare with C(1)/C(0) and are written as C(1)/C(0);
    integers compare as numbers; enumerations compare case-insensitively and are written in the
    spelling the phone shows; other strings compare with surrounding spaces stripped.
  - Before anything is written, the module refuses (naming the key) a key that is not of the
    configuration key shape, a value that is not a single value or has a line break, a line
    index beyond the model's lines (405, 405HD, 420HD 2 lines; 430HD, 440HD 6 lines), a key
    absent from the phone's full configuration (the firmware does not know it), a string longer
    than the key allows (where the collection knows the limit), and a clear password for
    C(system/password) or C(system/web_user_password) (they take an MD5-crypt hash).
  - Secret keys (C(voip/line/N/auth_password), C(system/password), C(system/web_user_password),
    the other keys the parameter database marks secured, and any key whose last part ends in
    C(password), C(passwd), C(passphrase), C(secret), C(pin_code), C(psk) or C(token)) are
    registered as no-log values and shown as C(********) in RV(changes), RV(diff) and every other
    result, so tasks need no C(no_log).
  - A secret the phone does not show at all is lost if its firmware replaces the whole
    configuration on upload, unless O(settings) names it. For the password the module logs in
    with (C(system/password)) the module sends the MD5-crypt hash of O(password) along, so such
    a firmware keeps the login; for hidden line passwords it warns.
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
      - Reads the phone and reports what would change without writing. For secrets the phone
        shows encrypted or not at all, see O(update_secrets).
  diff_mode:
    support: partial
    details:
      - Shows C(key=value) lines before and after for every changed key. Secrets appear as
        C(********); a secret the phone hides shows no before value.
  idempotent:
    support: partial
    details:
      - Idempotent for ordinary keys and for secrets the phone shows in clear.
      - With O(update_secrets=always), every run that names a secret writes it and reports a
        change.
options:
  settings:
    description:
      - "Configuration keys and the values they must hold, for example
        C(voip/line/0/id: '1502') or C(voip/media/out_of_band_dtmf: RFC2833)."
      - Keys are the phone's configuration-file keys (lower-case words separated by C(/),
        0-based indices for lines). Values are single strings, numbers or booleans.
      - A value the phone shows encrypted (C({"..."})) given back unchanged means "keep".
      - The C(config) returned by M(telephony.genesys_audiocodes.audiocodes_phone_info) is valid
        input (it leaves secrets out).
    type: dict
    default: {}
  update_secrets:
    description:
      - When to write the secret keys of O(settings) (the same option, with the same choices, on
        every module of the collection that writes a secret it cannot always read back).
      - V(on_create) writes a secret only where the phone shows it empty, so a secret set once (by
        this module or by hand) is never changed; one the phone does not show at all is written only
        when the module uploads a file for another reason.
      - V(on_change) compares a secret the phone shows in clear like any key; a secret the
        phone shows encrypted or not at all cannot be compared, so it is written only when the
        module uploads a file for another reason.
      - V(always) writes every secret of O(settings) on every run, so such a run always reports
        a change.
    type: str
    choices: [on_create, on_change, always]
    default: on_change
  wait_for_reboot:
    description:
      - Wait until the phone is back after a restart caused by the change, then verify.
      - With V(false) the module returns right after the upload (or the restart it triggered),
        with RV(reboot_pending=true) and without verifying; run it again later (for example in
        check mode) to verify. This lets a play overlap the restarts of many phones.
      - Even with V(false) the module waits when the outcome of its upload is unclear (the phone
        stopped answering during the upload) - it waits for the phone, reads its configuration and
        uploads again only if the settings are not there.
    type: bool
    default: true
  reboot_timeout:
    description:
      - Seconds to wait for a restarting phone to answer again.
    type: int
    default: 300
  verify:
    description:
      - After writing, read the configuration back and fail, naming every key the phone did
        not keep (dropped) or changed.
      - Secrets the phone shows encrypted or not at all cannot be verified.
      - With V(false) the module still reads back once after the upload, to learn whether the
        phone needs a restart.
    type: bool
    default: true
  backup:
    description:
      - Save the configuration as downloaded (before any change, secrets as the phone showed
        them) to a local file of mode 0600 on the host that runs the module.
      - A secret the phone shows in clear (some firmware does) is left out of the file, as a comment
        line naming its key; encrypted secrets and password hashes are kept as shown.
      - Saved on every run, check mode included.
    type: bool
    default: false
  backup_options:
    description:
      - Where O(backup=true) saves the configuration, as in the network collections'
        C(backup_options).
      - Ignored unless O(backup=true).
    type: dict
    version_added: 0.3.0
    suboptions:
      dir_path:
        description:
          - Directory of the backup files, on the host that runs the module (the controller for a
            phone task delegated to C(localhost)); created with mode 0700 when missing.
          - Defaults to the environment variable E(AUDIOCODES_BACKUP_DIR), else to
            C(~/.ansible/backups/telephony.genesys_audiocodes) of the user running the module;
            never the working directory (an AWX job's working directory vanishes with the job).
        type: path
      filename:
        description:
          - Name of the backup file in O(backup_options.dir_path); a file of that name is replaced.
          - Defaults to C(<host>_<timestamp>_<configuration file name>), a new file per run.
        type: str
  backup_dir:
    description:
      - Deprecated, use O(backup_options.dir_path) (the same directory); removed in version 1.0.0.
    type: path
  initial_password:
    description:
      - The admin password to try only when the phone refuses O(password) - C(1234) for a
        factory-fresh phone, the old password when rotating.
      - When it is accepted, the module sets the admin password (C(system/password)) to the
        MD5-crypt hash of O(password) in the same upload as O(settings), and after the phone has
        applied it proves the change by logging in with O(password). A phone that accepts
        O(password) keeps its hash, so a second run changes nothing.
      - With O(wait_for_reboot=false) the proof is left to the next run (which logs in with O(password)).
    type: str
    version_added: 0.2.0
notes:
  - Request cost per phone, without faults, of a run that changes nothing is 4 requests
    (login, C(manu_config.htm), the configuration file, C(info.htm)). A change adds the upload
    and the read-back (C(manu_config.htm), the file), plus a login after a restart and the polls
    while the phone restarts; a phone that needs C(reboot.htm) costs 4 more (read-back before,
    GET and POST of C(reboot.htm)).
  - Model comes from the configuration (C(system/type)), the MAC from the configuration file
    name (C(<model>_<mac>.cfg)), the firmware from C(info.htm).
  - A phone without an upload form on C(manu_config.htm) cannot be configured through its web
    interface; configure it through its provisioning server instead.
seealso:
  - module: telephony.genesys_audiocodes.audiocodes_phone_info
  - module: telephony.genesys_audiocodes.audiocodes_phone_reboot
'''

EXAMPLES = r'''
- name: Line 0 of the phone registers DN 1502 at the site's SIP Server
  telephony.genesys_audiocodes.audiocodes_phone:
    host: 192.0.2.11
    ca_path: /etc/pki/tls/certs/phones-ca.pem
    password: "{{ phone_admin_password }}"
    settings:
      voip/line/0/enabled: true
      voip/line/0/id: "1502"
      voip/line/0/description: Agent 1502
      voip/line/0/auth_name: "1502"
      voip/line/0/auth_password: "{{ dn_1502_password }}"
      voip/signalling/sip/use_proxy: true
      voip/signalling/sip/proxy_address: 192.0.2.10
      voip/signalling/sip/proxy_port: 5060
      voip/media/out_of_band_dtmf: rfc2833
  delegate_to: localhost

- name: Change many phones, let them restart together, verify later
  telephony.genesys_audiocodes.audiocodes_phone:
    host: "{{ ansible_host }}"
    ca_path: /etc/pki/tls/certs/phones-ca.pem
    password: "{{ phone_admin_password }}"
    settings:
      voip/auto_answer/enabled: true
    wait_for_reboot: false
    backup: true
    backup_options:
      dir_path: /var/backups/phones
  delegate_to: localhost
'''

RETURN = r'''
changes:
  description: Per changed key, the value before and after (secrets as C(********); None where the phone showed no value).
  returned: always
  type: dict
  sample: {"voip/line/0/id": {"before": "1501", "after": "1502"}, "voip/line/0/auth_password": {"before": "********", "after": "********"}}
diff:
  description: Before and after as C(key=value) lines of the changed keys (in diff mode).
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The changed keys as they were.
      type: str
    after:
      description: The changed keys as they are written.
      type: str
    before_header:
      description: The phone and its configuration file.
      type: str
    after_header:
      description: The phone and its configuration file.
      type: str
rebooted:
  description:
    - V(true) when the phone restarted (by itself after the upload, or through C(reboot.htm)) and came back.
    - V(false) when it applied the change live, when nothing changed, or when it is restarting and
      O(wait_for_reboot=false) (then RV(reboot_pending=true)).
    - Before version 0.3.0 a restart the module did not wait for was V(pending) here.
  returned: always
  type: bool
  sample: false
reboot_pending:
  description:
    - V(true) when the phone is restarting to apply the change and O(wait_for_reboot=false) left it
      so; the change is not verified yet.
  returned: always
  type: bool
  sample: false
  version_added: 0.3.0
device:
  description: What the phone is.
  returned: always
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
backup_file:
  description: Path of the saved configuration.
  returned: when O(backup=true)
  type: str
  sample: /home/awx/.ansible/backups/telephony.genesys_audiocodes/192.0.2.12_20260101T120000000000_420HD_00908F123456.cfg
not_kept:
  description: Keys the phone did not keep after the upload (the task fails).
  returned: when verification fails
  type: list
  elements: str
  sample: ["voip/signalling/sip/redundant_proxy/mode"]
'''

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import core
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.module_support import (
    PhoneModule, phone_argument_spec, run,
)


def main():
    argument_spec = phone_argument_spec()
    module = PhoneModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module, core.run_phone, check_mode=module.check_mode, diff=module._diff)


if __name__ == '__main__':
    main()
