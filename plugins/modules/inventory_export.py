#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: inventory_export
short_description: Export running phones and switches into an inventory of this collection
version_added: 0.3.0
description:
  - Reads every phone of the play batch (C(ansible_play_batch), so C(--limit) applies) and the
    switch of every site of O(sites), and writes an inventory in the schema of the collection's
    docs/inventory.md that describes what they run now. Run it once (C(run_once=true)) on the
    controller; the phones are read O(concurrency) at a time by threads of the controller.
  - Per phone it reads the model, MAC and firmware and the configuration; per switch the Extension
    and ACD Position DNs with their annex, and the Agent Logins. Reading only; nothing is written
    to a phone or to GAX.
  - The feature flags come from the collection's feature table read in reverse; the inventory is
    then run through the forward function, and whatever a later deploy would change is listed as a
    conflict in the report, so a deploy of an export without conflicts changes nothing.
  - Writes O(export_dir)C(/hosts.yml), C(group_vars/all/main.yml), C(group_vars/all/vault.yml) (the
    DN SIP passwords, as C(vault_sip_passwords) by DN, referenced by the hosts file) and the report
    C(export-report.md) and C(export-report.json). Files are mode 0600 in folders of mode 0700.
  - The vault file is encrypted with the vault secret given to C(ansible-playbook)
    (C(--vault-password-file) or C(--vault-id)); without one it is written in clear (mode 0600) and
    the task warns. Nothing secret is returned or printed.
  - A phone or switch that cannot be read is named in RV(msg) and the task fails, after writing
    what it could read.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
extends_documentation_fragment:
  - telephony.genesys_audiocodes.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: partial
    details:
      - Reads everything and writes no file; RV(files) lists what would be written.
      - It reports no change in check mode, while a run that writes the files reports one.
  diff_mode:
    support: none
    details:
      - Writes local files only and shows no diff of them; nothing on a device changes.
  idempotent:
    support: none
    details:
      - Nothing on a phone or in GAX changes, but every run writes the files again and reports a
        change; a second run into the same O(export_dir) stops on the files of the first unless
        O(force=true).
  platform:
    support: full
    platforms: AudioCodes 400HD phones (firmware 2.2.x) and Genesys Administrator Extension, read only; the files are written on the controller
options:
  export_dir:
    description:
      - The folder to write the inventory into; created (mode 0700) when missing.
    type: path
    required: true
  force:
    description:
      - Overwrite files that already exist in O(export_dir). Without it, existing files stop the
        task before anything is read.
    type: bool
    default: false
  sites:
    description:
      - The seed's sites, in the inventory schema (C(gac_sites)), with their name, C(gax) (url and
        switch), and C(sip_server) or C(sip_proxy_pool) or both. They are copied into the export, with the Agent
        Logins read from each switch.
    type: list
    elements: dict
    required: true
  hosts:
    description:
      - The inventory hosts (phones) to read. Defaults to the play batch.
    type: list
    elements: str
  group:
    description:
      - The group of the exported hosts file that holds the phones.
    type: str
    default: phones
  concurrency:
    description:
      - How many phones are read at once.
    type: int
    default: 20
  gax_username:
    description:
      - GAX user name (the environment variable C(GAX_USERNAME) otherwise).
    type: str
  gax_password:
    description:
      - GAX password (the environment variable C(GAX_PASSWORD) otherwise).
    type: str
  gax_validate_certs:
    description:
      - Check the certificate of an C(https) GAX URL.
    type: bool
    default: true
  gax_ca_path:
    description:
      - CA bundle for the GAX certificate (the environment variable C(GAX_CA_PATH) otherwise).
    type: path
  gax_timeout:
    description:
      - Seconds to wait for one GAX answer.
    type: int
    default: 60
notes:
  - Each phone is reached with its own host variables, as the deployment roles reach it
    (C(address) or C(ansible_host), C(audiocodes_username), C(audiocodes_password),
    C(audiocodes_port), C(audiocodes_use_https), C(audiocodes_validate_certs),
    C(audiocodes_ca_path), C(audiocodes_timeout)), then the C(AUDIOCODES_*) environment variables.
  - Agent Login passwords cannot be read from GAX; the report lists them as to fill.
seealso:
  - module: telephony.genesys_audiocodes.audiocodes_phone_info
  - module: telephony.genesys_audiocodes.genesys_dn_info
'''

EXAMPLES = r'''
- name: Export the running site into an inventory
  hosts: phones
  gather_facts: false
  connection: local
  tasks:
    - name: Read the phones and switches, write inventories/exported
      telephony.genesys_audiocodes.inventory_export:
        export_dir: inventories/exported
        sites: "{{ gac_sites }}"
        gax_username: "{{ gax_username }}"
        gax_password: "{{ gax_password }}"
        gax_ca_path: /etc/pki/gax-ca.pem
      run_once: true
'''

RETURN = r'''
files:
  description: The files written (or, in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: ["inventories/exported/hosts.yml", "inventories/exported/group_vars/all/main.yml"]
summary:
  description: Counts of what was exported and of each section of the report.
  returned: always
  type: dict
  sample: {"phones": 13, "lines": 27, "secrets": 20, "conflicts": 0, "unexplained_phone_keys": 2}
deployment:
  description: The deployment inferred (C(gac_deployment), C(gac_bc_mode) and C(gac_bc_sites)).
  returned: always
  type: dict
  sample: {"gac_deployment": "business_continuity", "gac_bc_mode": "primary_fallback", "gac_bc_sites": ["A", "B"]}
vault_encrypted:
  description: Whether the vault file was encrypted.
  returned: always
  type: bool
unread:
  description: The phones and switches that could not be read, each with the reason.
  returned: always
  type: list
  elements: str
msg:
  description: A one-line summary.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule


def export_argument_spec():
    """The task's options (the action plugin validates with the same spec)."""
    return dict(
        export_dir=dict(type='path', required=True),
        force=dict(type='bool', default=False),
        sites=dict(type='list', elements='dict', required=True),
        hosts=dict(type='list', elements='str'),
        group=dict(type='str', default='phones'),
        concurrency=dict(type='int', default=20),
        gax_username=dict(type='str'),
        gax_password=dict(type='str', no_log=True),
        gax_validate_certs=dict(type='bool', default=True),
        gax_ca_path=dict(type='path'),
        gax_timeout=dict(type='int', default=60),
    )


def main():
    module = AnsibleModule(argument_spec=export_argument_spec(), supports_check_mode=True)
    module.fail_json(msg='inventory_export runs on the controller only, as an action plugin: run it with '
                         'connection local or delegate_to localhost and run_once')


if __name__ == '__main__':
    main()
