#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: genesys_dn
short_description: Manage Genesys DNs and their annex options through GAX
version_added: 0.1.0
description:
  - Creates, updates and deletes DNs of type Extension or ACD Position on one switch of a Genesys
    Configuration Server, through Genesys Administrator Extension (GAX), and sets the options of
    their annex (the C(TServer) section holds the SIP Server options of a phone's DN).
  - One DN with O(number), or many in one call with O(dns); a call lists the switch's DNs once and
    writes only the DNs that differ, so a call that changes nothing makes three requests (log in,
    list switches, list DNs) however many DNs it names.
  - Updates read the DN again by its DBID right before writing it and send back that fresh copy with
    only this call's changes merged in, so fields and annex sections made by hand or by other tools,
    and changes another run made since the listing, survive. A call that changes something makes
    4 + c + 2u + d requests for c DNs created, u updated and d deleted (the extra one is the re-read
    after writing); a DN that another run created meanwhile is taken and updated, never made twice.
  - After writing, the DNs are read back once; an option GAX did not keep (or kept after its
    removal, as a GAX that merges the annex on update does) fails the task, naming it.
  - All input is checked before the first write; bad input changes nothing.
author:
  - telephony.genesys_audiocodes contributors (@telephony)
extends_documentation_fragment:
  - telephony.genesys_audiocodes.genesys
  - telephony.genesys_audiocodes.genesys.writes
  - telephony.genesys_audiocodes.attributes
  - telephony.genesys_audiocodes.attributes.gax
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Lists the switch's DNs and reports what would change; writes nothing.
  diff_mode:
    support: full
    details:
      - One diff per changed DN, options shown as C(section/key=value); secrets masked.
  idempotent:
    support: full
    details:
      - Values compare after stripping spaces; C(authenticate-requests) and C(sip-cti-control) compare
        as sets.
options:
  switch:
    description:
      - Name of the switch (CfgSwitch) the DNs belong to. An unknown name fails, listing the known ones.
    type: str
    required: true
  number:
    description:
      - Number of the one DN to manage. Unique within the switch; no spaces.
      - Mutually exclusive with O(dns).
    type: str
  type:
    description:
      - Type of the DN. Used when the DN is created (default V(extension)).
      - The type of an existing DN cannot change; asking for another one fails. To replace the DN,
        delete it explicitly (O(state=absent)), then create it again.
    type: str
    choices: [extension, acd_position]
  name:
    description:
      - Name of the DN. Unique within the tenant when set; in Business Continuity the same number
        exists on both switches, so leave it out or make it per site.
      - Not managed when left out.
    type: str
  folder:
    description:
      - DBID of the folder (CfgFolder) a new DN is created in; without it GAX uses the switch's
        default DN folder. An existing DN is not moved.
    type: str
  state:
    description:
      - V(present) creates or updates the DN, V(absent) deletes it.
      - With O(dns), the default for each entry that does not set its own.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description:
      - Whether the DN is enabled. A new DN is enabled unless this says V(false).
      - Not managed on an existing DN when left out.
    type: bool
  options:
    description:
      - Annex options as C(section -> key -> value). Only the sections and keys given are managed.
      - A value is a string, a number or a boolean, written as text (V(true)/V(false) in lower
        case, numbers in decimal); null removes the key.
      - Values compare after stripping surrounding spaces; C(authenticate-requests) and
        C(sip-cti-control) are sets (order and spaces ignored) and are written in a fixed order.
      - The value of a C(password) key is a secret, never shown. Given as C(********) (as
        M(telephony.genesys_audiocodes.genesys_dn_info) returns it), it keeps the DN's current value.
    type: dict
  purge_options:
    description:
      - Also remove the keys of the sections named in O(options) that O(options) does not list.
        Sections not named are never touched.
    type: bool
    default: false
  dns:
    description:
      - Many DNs of the switch in one call, sharing one GAX session and one listing of the
        switch's DNs. Each entry takes the per-DN options above; an option left out of an entry
        takes the value given at the top level of the task.
      - A number listed twice fails the whole call before anything is written.
      - Mutually exclusive with O(number).
    type: list
    elements: dict
    suboptions:
      number:
        description: Number of the DN, as O(number).
        type: str
        required: true
      type:
        description: As O(type).
        type: str
        choices: [extension, acd_position]
      name:
        description: As O(name).
        type: str
      folder:
        description: As O(folder).
        type: str
      state:
        description: As O(state); defaults to the top-level O(state).
        type: str
        choices: [present, absent]
      enabled:
        description: As O(enabled).
        type: bool
      options:
        description: As O(options); defaults to the top-level O(options).
        type: dict
      purge_options:
        description: As O(purge_options); defaults to the top-level O(purge_options).
        type: bool
seealso:
  - module: telephony.genesys_audiocodes.genesys_dn_info
  - module: telephony.genesys_audiocodes.genesys_agent_login
'''

EXAMPLES = r'''
- name: A phone's extension with SIP authentication and 3pcc answer/hold
  telephony.genesys_audiocodes.genesys_dn:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    number: "1502"
    options:
      TServer:
        contact: "*"
        authenticate-requests: register,invite
        password: "{{ sip_password }}"
        sip-cti-control: talk,hold
        refer-enabled: false
        make-call-rfc3725-flow: 1

- name: Every phone of the site in one call (one session, one listing); the connection comes from GAX_* variables
  telephony.genesys_audiocodes.genesys_dn:
    switch: SIP_Switch_A
    dns:
      - number: "1503"
        options: {TServer: {contact: "*", dr-forward: oos}}
      - number: "1504"
        options: {TServer: {contact: "*", dr-forward: oos}}
      - number: "1599"
        state: absent

- name: Remove every TServer option not listed, and one option by name
  telephony.genesys_audiocodes.genesys_dn:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    number: "1502"
    purge_options: true
    options:
      TServer:
        contact: "*"
        sip-alert-info: null

- name: Set the connection once for all Genesys modules
  module_defaults:
    group/telephony.genesys_audiocodes.genesys:
      gax_url: https://192.0.2.3:8443
      username: svc_ansible
      password: "{{ gax_password }}"
  block:
    - name: Disable a DN
      telephony.genesys_audiocodes.genesys_dn:
        switch: SIP_Switch_A
        number: "1502"
        enabled: false
'''

RETURN = r'''
switch:
  description: The switch the call was about.
  returned: success
  type: str
  sample: SIP_Switch_A
dns:
  description: One entry per DN asked for, in the order given.
  returned: success, and on a failure after some DNs were written
  type: list
  elements: dict
  contains:
    number:
      description: The DN's number.
      type: str
      sample: "1502"
    action:
      description: What was done (in check mode, what would be done).
      type: str
      sample: updated
      choices: [created, updated, deleted, none]
    changed:
      description: Whether this DN changed (or would change).
      type: bool
      sample: true
    changes:
      description:
        - For each field (V(type), V(name), V(enabled), V(folder)) and annex option (named
          C(section/key)) that changed, its C(before) and C(after) value; null means absent.
        - Secrets read C(********).
      type: dict
      sample: {"TServer/contact": {"before": null, "after": "*"}, "enabled": {"before": true, "after": false}}
    dbid:
      description: The DN's DBID in the Configuration Server; absent for a DN not created yet (check mode).
      type: str
      sample: "117"
diff:
  description: One before/after text per changed DN (C(key=value) lines); secrets masked.
  returned: success, in diff mode
  type: list
  elements: dict
  sample: [{"before_header": "DN 1502 on switch SIP_Switch_A", "after_header": "DN 1502 on switch SIP_Switch_A",
            "before": "", "after": "TServer/contact=*\nenabled=True\ntype=extension\n"}]
status:
  description: HTTP status of the GAX answer that failed the task.
  returned: on a failure answered by GAX
  type: int
  sample: 401
endpoint:
  description: The request that failed, as C(METHOD path).
  returned: on a failure talking to GAX
  type: str
  sample: POST /gax/api/session/login
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys.client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR,
)


def dn_options(entry):
    """The per-DN options; in an entry of ``dns`` they have no defaults (the top level gives them)."""
    def default(value):
        return {} if entry else {'default': value}
    return dict(
        type=dict(type='str', choices=['extension', 'acd_position']),
        name=dict(type='str'),
        folder=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], **default('present')),
        enabled=dict(type='bool'),
        options=dict(type='dict'),
        purge_options=dict(type='bool', **default(False)),
    )


class DnModule(AnsibleModule):
    """AnsibleModule that knows, before it logs its invocation, which annex options are secrets."""

    def _log_invocation(self):
        # TServer/password sits inside ``options``, which no_log cannot reach: register it before syslog/journald.
        self.no_log_values.update(core.dn_secrets(self.params))
        super(DnModule, self)._log_invocation()


SPEC_OPTIONS = dict(mutually_exclusive=[('number', 'dns')], required_one_of=[('number', 'dns')])


def argument_spec():
    """The module's options (its action plugin validates with the same spec, plugin_utils/gax_action.py)."""
    entry = dict(number=dict(type='str', required=True), **dn_options(entry=True))
    spec = core.gax_argument_spec()
    spec.update(core.write_argument_spec())
    spec.update(
        switch=dict(type='str', required=True),
        number=dict(type='str'),
        dns=dict(type='list', elements='dict', options=entry),
        **dn_options(entry=False)
    )
    return spec


def main():
    module = DnModule(argument_spec=argument_spec(), supports_check_mode=True, **SPEC_OPTIONS)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    module.no_log_values.update(core.dn_secrets(module.params))
    try:
        result = core.run_dn(module.params, check_mode=module.check_mode)
    except OperatorError as exc:
        module.fail_json(**core.failure_result(exc))
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
