#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: genesys_agent_login
short_description: Manage Genesys Agent Logins and their annex options through GAX
version_added: 0.1.0
description:
  - Creates, updates and deletes Agent Logins on one switch of a Genesys Configuration Server,
    through Genesys Administrator Extension (GAX). An agent who logs in from an AudioCodes phone
    enters the login code as user name and the Agent Login's password.
  - One Agent Login with O(login_code), or many in one call with O(agent_logins); a call lists the
    switch's Agent Logins once and writes only those that differ, so a call that changes nothing
    makes three requests (log in, list switches, list Agent Logins).
  - Updates read the object again by its DBID right before writing it and send back that fresh copy
    with only this call's changes merged in (4 + c + 2u + d requests for c created, u updated and d
    deleted); an Agent Login another run created meanwhile is taken and updated, never made twice.
  - After writing, the Agent Logins are read back once; an option GAX did not keep fails the task,
    naming it.
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
      - Lists the switch's Agent Logins and reports what would change; writes nothing.
  diff_mode:
    support: partial
    details:
      - One diff per changed Agent Login; secrets masked.
      - GAX never returns the password, so when O(update_secrets) writes it the diff can only say it
        was written, not whether it differed.
  idempotent:
    support: partial
    details:
      - Idempotent with O(update_secrets=on_create) (the default) and O(update_secrets=on_change).
      - With O(update_secrets=always) the password is written, and the task reports a change, on
        every run, because GAX never returns it to compare.
options:
  switch:
    description:
      - Name of the switch (CfgSwitch) the Agent Logins belong to. An unknown name fails, listing
        the known ones.
    type: str
    required: true
  login_code:
    description:
      - Login code of the one Agent Login to manage. Unique within the switch, cannot change; no spaces.
      - Mutually exclusive with O(agent_logins).
    type: str
  login_password:
    description:
      - Password of the Agent Login (the agent enters it on the phone). Write-only, GAX never
        returns it. When it is written depends on O(update_secrets).
      - Named C(login_password) because O(password) is the password of the GAX user.
      - Never shown in results, diffs or messages.
    type: str
  update_secrets:
    description:
      - When O(login_password) is written (the same option, with the same choices, on every module
        of the collection that writes a secret it cannot always read back).
      - V(on_create) sets it only when the Agent Login is created.
      - V(on_change) writes it whenever the Agent Login is updated for another reason (an option or
        O(enabled) differs); GAX never returns the password, so it cannot be compared by itself.
      - V(always) writes it on every run (the task then always reports a change).
      - With O(agent_logins), the default for each entry that does not set its own.
      - The alias C(update_password) (the option's name before version 0.3.0) is deprecated and
        will be removed in version 1.0.0.
    type: str
    choices: [on_create, on_change, always]
    default: on_create
    aliases: [update_password]
    version_added: 0.3.0
  folder:
    description:
      - DBID of the folder (CfgFolder) a new Agent Login is created in; without it GAX uses the
        switch's default Agent Login folder. An existing Agent Login is not moved.
    type: str
  state:
    description:
      - V(present) creates or updates the Agent Login, V(absent) deletes it.
      - With O(agent_logins), the default for each entry that does not set its own.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description:
      - Whether the Agent Login is enabled. A new one is enabled unless this says V(false).
      - Not managed on an existing Agent Login when left out.
    type: bool
  options:
    description:
      - Annex options as C(section -> key -> value) (for example C(TServer) C(wrap-up-time) or
        C(gvm_mailbox)). Only the sections and keys given are managed.
      - A value is a string, a number or a boolean, written as text; null removes the key. Values
        compare after stripping surrounding spaces.
      - The value of a C(password) key is a secret, never shown; given as C(********) it keeps the
        current value.
    type: dict
  purge_options:
    description:
      - Also remove the keys of the sections named in O(options) that O(options) does not list.
    type: bool
    default: false
  agent_logins:
    description:
      - Many Agent Logins of the switch in one call, sharing one GAX session and one listing. Each
        entry takes the per-login options above; an option left out of an entry takes the value
        given at the top level of the task.
      - A login code listed twice fails the whole call before anything is written.
      - Mutually exclusive with O(login_code).
    type: list
    elements: dict
    suboptions:
      login_code:
        description: Login code, as O(login_code).
        type: str
        required: true
      login_password:
        description: As O(login_password).
        type: str
      update_secrets:
        description:
          - As O(update_secrets); defaults to the top-level O(update_secrets).
          - The alias C(update_password) is deprecated and will be removed in version 1.0.0.
        type: str
        choices: [on_create, on_change, always]
        aliases: [update_password]
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
notes:
  - Whether GAX keeps the password of an Agent Login when an update leaves it out is not documented;
    the module cannot send it back because GAX never returns it.
  - The password is sent but cannot be verified - GAX never returns it, and a server that does not
    know the field drops it without an error; the result lists such Agent Logins in
    RV(password_unverified) with a warning. Check one agent login by hand after a first deployment.
seealso:
  - module: telephony.genesys_audiocodes.genesys_agent_login_info
  - module: telephony.genesys_audiocodes.genesys_dn
'''

EXAMPLES = r'''
- name: The Agent Login an agent enters on the phone
  telephony.genesys_audiocodes.genesys_agent_login:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    login_code: "7001"
    login_password: "{{ agent_password }}"
    options:
      TServer:
        wrap-up-time: 0

- name: The same Agent Logins on both sites of a Business Continuity pair, password reset every run
  telephony.genesys_audiocodes.genesys_agent_login:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: "{{ item }}"
    update_secrets: always
    agent_logins:
      - login_code: "7001"
        login_password: "{{ agent_7001_password }}"
      - login_code: "7002"
        login_password: "{{ agent_7002_password }}"
  loop: [SIP_Switch_A, SIP_Switch_B]

- name: Delete an Agent Login
  telephony.genesys_audiocodes.genesys_agent_login:
    gax_url: https://192.0.2.3:8443
    username: svc_ansible
    password: "{{ gax_password }}"
    switch: SIP_Switch_A
    login_code: "7099"
    state: absent
'''

RETURN = r'''
switch:
  description: The switch the call was about.
  returned: success
  type: str
  sample: SIP_Switch_A
agent_logins:
  description: One entry per Agent Login asked for, in the order given.
  returned: success, and on a failure after some Agent Logins were written
  type: list
  elements: dict
  contains:
    login_code:
      description: The login code.
      type: str
      sample: "7001"
    action:
      description: What was done (in check mode, what would be done).
      type: str
      sample: created
      choices: [created, updated, deleted, none]
    changed:
      description: Whether this Agent Login changed (or would change).
      type: bool
      sample: true
    changes:
      description:
        - For each field (V(enabled), V(folder), V(login_password)) and annex option (named
          C(section/key)) that changed, its C(before) and C(after) value; null means absent.
        - Secrets read C(********).
      type: dict
      sample: {"TServer/wrap-up-time": {"before": null, "after": "0"}, "login_password": {"before": null, "after": "********"}}
    dbid:
      description: The Agent Login's DBID; absent for one not created yet (check mode).
      type: str
      sample: "102"
password_unverified:
  description:
    - The login codes whose password this run sent to GAX; GAX never returns a password, so whether
      it kept it cannot be verified (see the notes).
  returned: when a password was sent
  type: list
  elements: str
  sample: ["7001"]
diff:
  description: One before/after text per changed Agent Login (C(key=value) lines); secrets masked.
  returned: success, in diff mode
  type: list
  elements: dict
  sample: [{"before_header": "Agent Login 7001 on switch SIP_Switch_A", "after_header": "Agent Login 7001 on switch SIP_Switch_A",
            "before": "", "after": "TServer/wrap-up-time=0\nenabled=True\nlogin_password=********\n"}]
status:
  description: HTTP status of the GAX answer that failed the task.
  returned: on a failure answered by GAX
  type: int
  sample: 403
endpoint:
  description: The request that failed, as C(METHOD path).
  returned: on a failure talking to GAX
  type: str
  sample: PUT /gax/api/cfg/objects/CfgAgentLogin/102
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys.client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR,
)


def login_options(entry):
    """The per-login options; in an entry of ``agent_logins`` they have no defaults (the top level gives them)."""
    def default(value):
        return {} if entry else {'default': value}
    return dict(
        login_password=dict(type='str', no_log=True),
        update_secrets=dict(type='str', choices=list(core.UPDATE_SECRETS), no_log=False, aliases=['update_password'],
                            deprecated_aliases=[dict(name='update_password', version='1.0.0',
                                                     collection_name='telephony.genesys_audiocodes')],
                            **default('on_create')),
        folder=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], **default('present')),
        enabled=dict(type='bool'),
        options=dict(type='dict'),
        purge_options=dict(type='bool', **default(False)),
    )


SPEC_OPTIONS = dict(mutually_exclusive=[('login_code', 'agent_logins')], required_one_of=[('login_code', 'agent_logins')])


def argument_spec():
    """The module's options (its action plugin validates with the same spec, plugin_utils/gax_action.py)."""
    entry = dict(login_code=dict(type='str', required=True), **login_options(entry=True))
    spec = core.gax_argument_spec()
    spec.update(core.write_argument_spec())
    spec.update(
        switch=dict(type='str', required=True),
        login_code=dict(type='str'),
        agent_logins=dict(type='list', elements='dict', options=entry),
        **login_options(entry=False)
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True, **SPEC_OPTIONS)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    module.no_log_values.update(core.agent_login_secrets(module.params))
    try:
        result = core.run_agent_login(module.params, check_mode=module.check_mode)
    except OperatorError as exc:
        module.fail_json(**core.failure_result(exc))
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
