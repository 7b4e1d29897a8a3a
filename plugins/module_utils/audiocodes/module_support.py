# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the three phone modules share around ``AnsibleModule``: connection options, no-log
registration of secrets, and turning the core's result or error into exit_json/fail_json."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError, SecretMasker
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import client, core, identity, scrape


def connection_argument_spec():
    """The options of doc fragment telephony.genesys_audiocodes.audiocodes."""
    return dict(
        host=dict(type='str', required=True),
        port=dict(type='int'),
        use_https=dict(type='bool', default=True),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path', fallback=(env_fallback, ['AUDIOCODES_CA_PATH'])),
        username=dict(type='str', default='admin', fallback=(env_fallback, ['AUDIOCODES_USERNAME'])),
        password=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['AUDIOCODES_PASSWORD'])),
        timeout=dict(type='int', default=30),
        use_proxy=dict(type='bool', default=False),
    )


def backup_options_spec():
    """backup_options, as netcommon's modules take it (dir_path, filename)."""
    return dict(type='dict', options=dict(
        dir_path=dict(type='path'),
        filename=dict(type='str'),
    ))


def phone_argument_spec():
    """The options of module audiocodes_phone (its action plugin validates with the same spec)."""
    spec = connection_argument_spec()
    spec.update(
        settings=dict(type='dict', default={}),
        update_secrets=dict(type='str', choices=list(core.UPDATE_SECRETS), default='on_change', no_log=False),
        wait_for_reboot=dict(type='bool', default=True),
        reboot_timeout=dict(type='int', default=300),
        verify=dict(type='bool', default=True),
        backup=dict(type='bool', default=False),
        backup_options=backup_options_spec(),
        backup_dir=dict(type='path', removed_in_version='1.0.0', removed_from_collection=core.COLLECTION_NAME),
        initial_password=dict(type='str', no_log=True),
    )
    spec.update(identity.argument_spec())
    return spec


def phone_info_argument_spec():
    """The options of module audiocodes_phone_info."""
    spec = connection_argument_spec()
    spec.update(
        gather=dict(type='list', elements='str', choices=list(core.GATHER_CHOICES), default=list(core.GATHER_CHOICES)),
    )
    return spec


def phone_reboot_argument_spec():
    """The options of module audiocodes_phone_reboot."""
    spec = connection_argument_spec()
    spec.update(
        wait_for_reboot=dict(type='bool', default=True),
        wait_for_registration=dict(type='bool', default=False),
        reboot_timeout=dict(type='int', default=300),
    )
    return spec


class PhoneModule(AnsibleModule):
    """AnsibleModule that knows, before it logs its invocation, which settings are secrets."""

    def _log_invocation(self):
        # Secret values inside ``settings`` must be no-log before the invocation reaches syslog.
        # Through SecretMasker, which drops empty and one-character values: an empty auth_password
        # (a line without SIP authentication) would otherwise mask every gap between characters.
        self.no_log_values.update(SecretMasker(core.secret_values(self.params)).values)
        super(PhoneModule, self)._log_invocation()


def outcome(function, params, **kwargs):
    """``(result, masker)``: what a core function returns for ``params``, or its ``OperatorError``
    as a result with ``failed=True``; every secret it learned is in ``masker``.

    The one place that turns a core call into a result, for the modules (``run``) and for their
    action plugins, which call it in the controller process (plugins/plugin_utils/phone_action.py).
    """
    masker = SecretMasker(core.secret_values(params))
    try:
        result = function(dict(params), masker=masker, **kwargs)
    except OperatorError as exc:
        result = masker.mask(exc.as_result())
        result['failed'] = True
    return result, masker


def run(module, function, **kwargs):
    """Call a core function with the module's parameters; exit or fail with its result."""
    if not client.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=str(client.REQUESTS_IMPORT_ERROR))
    if not scrape.HAS_LXML:
        module.fail_json(msg=missing_required_lib('lxml'), exception=str(scrape.LXML_IMPORT_ERROR))
    module.no_log_values.update(SecretMasker(core.secret_values(module.params)).values)
    result, masker = outcome(function, module.params, **kwargs)
    module.no_log_values.update(masker.values)
    _warn(module, result)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)


def _warn(module, result):
    for warning in result.pop('warnings', None) or []:
        module.warn(warning)
