#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: audiocodes_phone_fleet
short_description: Configure the phones of a play at once, from one task on the controller
version_added: 0.3.0
description:
  - The fleet path of M(telephony.genesys_audiocodes.audiocodes_phone) for a large play. Run once
    (C(run_once=true)), it brings every phone of the play batch (C(ansible_play_batch), so C(--limit)
    and C(serial) waves apply) to its settings, O(concurrency) phones at a time, with threads of
    the controller process - the work is HTTP, each thread waits on its phone. Each phone is worked
    exactly as M(telephony.genesys_audiocodes.audiocodes_phone) works it (the same code, checks,
    masking and request budget).
  - All uploads first, so the restarts of the fleet overlap; then, with O(wait_for_reboot=true),
    the phones that restart are looked at in rounds (every O(verify_delay) seconds, bounded by
    O(reboot_timeout)) until each is back with its settings, as the role's verify pass does.
  - A phone that fails does not stop the others. The task itself reports no change and fails only
    on bad options of its own; RV(msg) names every phone that failed.
  - It stores each phone's result in RV(results), keyed by inventory host. Registered on a
    run-once task, the variable is set on every host of the batch. Each phone then reports its own
    result through a per-host M(telephony.genesys_audiocodes.audiocodes_phone) task with the task
    variable C(audiocodes_fleet_register) set to the name of that registered variable - that task
    returns the stored result of its host (changed, failed, diff) at about the cost of a
    C(ansible.builtin.debug) task, without working the phone again, so the PLAY RECAP, AWX host
    events, diff mode, C(max_fail_percentage) and retry files see one result per phone.
  - The role M(telephony.genesys_audiocodes.audiocodes_phone) does this with
    C(audiocodes_phone_fleet=true) (its default). Runs only on the controller, as an action; the
    results hold no secret (masked as the module masks them).
author:
  - telephony.genesys_audiocodes contributors (@telephony)
extends_documentation_fragment:
  - telephony.genesys_audiocodes.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Each phone is read and its would-be changes are stored; nothing is written.
  diff_mode:
    support: partial
    details:
      - Each phone's diff is stored in its result and shown by its per-host task, as
        M(telephony.genesys_audiocodes.audiocodes_phone) shows it - secrets as C(********), and a
        secret the phone hides with no before value. The run-once task itself shows none.
  idempotent:
    support: partial
    details:
      - Per phone, as M(telephony.genesys_audiocodes.audiocodes_phone) - idempotent for ordinary
        keys and for secrets the phone shows in clear; with
        O(telephony.genesys_audiocodes.audiocodes_phone#module:update_secrets=always) every run
        writes each named secret and reports a change. The run-once task itself always reports no
        change.
  platform:
    support: full
    platforms: AudioCodes 400HD phones (firmware 2.2.x)
options:
  phones:
    description:
      - The phones, as C(inventory host -> options of audiocodes_phone for that phone) (at least
        O(telephony.genesys_audiocodes.audiocodes_phone#module:host) and
        O(telephony.genesys_audiocodes.audiocodes_phone#module:settings)); an entry of the
        desired state (C(address), C(settings), C(mac), C(model)) is taken as it is.
      - Only the hosts of O(hosts) are worked; other entries are left alone.
    type: dict
    required: true
  hosts:
    description:
      - The inventory hosts to work. Defaults to C(ansible_play_batch), the hosts of the current
        C(serial) wave within C(--limit) that have not failed.
    type: list
    elements: str
  concurrency:
    description:
      - How many phones are worked at the same time (threads of the controller, in all its
        O(processes) together).
      - A phone that takes an upload holds its thread for about a second (it is given time to go down
        if it restarts by itself), so a deploy to a blank fleet uploads about this many phones per
        second; a drift check or a redeploy that changes nothing is bound by the controller's CPU.
    type: int
    default: 40
  processes:
    description:
      - How many processes of the controller share the phones, each with its share of the
        O(concurrency) threads, its own reboot wave and its results handed back to the task. Python
        runs one thread of a process at a time, so reading and comparing the configuration files of a
        large fleet (about 10 ms of CPU per phone) uses several cores this way.
      - V(0) (the default) takes one per CPU core the controller lets Ansible use, at most one per
        50 phones (a smaller run is not worth a process); V(1) works every phone in the task's own
        process.
      - The processes are forks of the task's worker process, made only while it runs a single
        thread; one that ends without handing back its results (killed, out of memory) fails each of
        its phones by name, saying whether it was changed is unknown - a second run finds out.
    type: int
    default: 0
  verify_delay:
    description:
      - Seconds between two looks at the restarting phones.
    type: int
    default: 5
  username:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:username), for every phone.
    type: str
  password:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:password), for every phone.
    type: str
  initial_password:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:initial_password).
    type: str
  use_https:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:use_https).
    type: bool
  port:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:port).
    type: int
  validate_certs:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:validate_certs).
    type: bool
  ca_path:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:ca_path).
    type: path
  timeout:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:timeout).
    type: int
  update_secrets:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:update_secrets).
    type: str
    choices: [on_create, on_change, always]
  wait_for_reboot:
    description:
      - Wait for the phones that restart to apply their change, then verify them (the reboot wave).
      - With V(false) their results say RV(telephony.genesys_audiocodes.audiocodes_phone#module:reboot_pending=true).
    type: bool
    default: true
  reboot_timeout:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:reboot_timeout); bounds the reboot wave.
    type: int
  verify:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:verify).
    type: bool
  backup:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:backup).
    type: bool
  backup_options:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:backup_options).
    type: dict
    suboptions:
      dir_path:
        description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:backup_options.dir_path).
        type: path
      filename:
        description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:backup_options.filename).
        type: str
  backup_dir:
    description: As O(telephony.genesys_audiocodes.audiocodes_phone#module:backup_dir) (deprecated there).
    type: path
notes:
  - For a handful of phones, for a phone reached through another connection than C(local), or
    with C(audiocodes_in_process=false), use M(telephony.genesys_audiocodes.audiocodes_phone)
    per host; with C(audiocodes_in_process=false) this task works no phone (RV(results) is
    empty) and the per-host tasks work them.
seealso:
  - module: telephony.genesys_audiocodes.audiocodes_phone
'''

EXAMPLES = r'''
- name: Work every phone of the batch at once
  telephony.genesys_audiocodes.audiocodes_phone_fleet:
    password: "{{ phone_admin_password }}"
    validate_certs: false
    phones: "{{ desired_state.phones }}"
    concurrency: 20
  run_once: true
  register: phones_fleet

- name: Each phone reports its own result (changed, failed, diff)
  telephony.genesys_audiocodes.audiocodes_phone:
    host: "{{ desired_state.phones[inventory_hostname].address }}"
    password: "{{ phone_admin_password }}"
    validate_certs: false
    settings: "{{ desired_state.phones[inventory_hostname].settings }}"
  vars:
    audiocodes_fleet_register: phones_fleet
  delegate_to: localhost
'''

RETURN = r'''
results:
  description:
    - Per inventory host, what M(telephony.genesys_audiocodes.audiocodes_phone) returns for that
      phone (C(changed), C(failed) and C(msg), C(changes), C(diff) in diff mode, C(rebooted),
      C(reboot_pending), C(device)), without its C(invocation).
  returned: always
  type: dict
  sample: {"phone-1501": {"changed": false, "changes": {}, "rebooted": false, "reboot_pending": false}}
failed_hosts:
  description: The inventory hosts whose phone failed.
  returned: always
  type: list
  elements: str
  sample: ["phone-1507"]
msg:
  description: How many phones changed, stayed or failed, and each failure with its host and message.
  returned: always
  type: str
  sample: "200 phone(s): 3 changed, 196 unchanged, 1 failed: phone-1507: ..."
'''

from ansible.module_utils.basic import AnsibleModule


def fleet_argument_spec():
    """The task's own options (the per-phone ones are the audiocodes_phone module's, checked per phone)."""
    return dict(
        phones=dict(type='dict', required=True),
        hosts=dict(type='list', elements='str'),
        concurrency=dict(type='int', default=40),
        processes=dict(type='int', default=0),
        verify_delay=dict(type='int', default=5),
        username=dict(type='str'),
        password=dict(type='str', no_log=True),
        initial_password=dict(type='str', no_log=True),
        use_https=dict(type='bool'),
        port=dict(type='int'),
        validate_certs=dict(type='bool'),
        ca_path=dict(type='path'),
        timeout=dict(type='int'),
        update_secrets=dict(type='str', choices=['on_create', 'on_change', 'always'], no_log=False),
        wait_for_reboot=dict(type='bool', default=True),
        reboot_timeout=dict(type='int'),
        verify=dict(type='bool'),
        backup=dict(type='bool'),
        backup_options=dict(type='dict', options=dict(dir_path=dict(type='path'), filename=dict(type='str'))),
        backup_dir=dict(type='path'),
    )


def main():
    module = AnsibleModule(argument_spec=fleet_argument_spec(), supports_check_mode=True)
    module.fail_json(msg='audiocodes_phone_fleet runs on the controller only, as an action plugin: '
                         'run it with connection local or delegate_to localhost (the phones are reached from there)')


if __name__ == '__main__':
    main()
