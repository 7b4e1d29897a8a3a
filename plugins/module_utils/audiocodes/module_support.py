# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the three phone modules share around ``AnsibleModule``: connection options, no-log
registration of secrets, and turning the core's result or error into exit_json/fail_json."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError, SecretMasker
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import client, core, scrape


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
    )


class PhoneModule(AnsibleModule):
    """AnsibleModule that knows, before it logs its invocation, which settings are secrets."""

    def _log_invocation(self):
        # Secret values inside ``settings`` must be no-log before the invocation reaches syslog.
        # Through SecretMasker, which drops empty and one-character values: an empty auth_password
        # (a line without SIP authentication) would otherwise mask every gap between characters.
        self.no_log_values.update(SecretMasker(core.secret_values(self.params)).values)
        super(PhoneModule, self)._log_invocation()


def run(module, function, **kwargs):
    """Call a core function with the module's parameters; exit or fail with its result."""
    if not client.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=str(client.REQUESTS_IMPORT_ERROR))
    if not scrape.HAS_LXML:
        module.fail_json(msg=missing_required_lib('lxml'), exception=str(scrape.LXML_IMPORT_ERROR))
    masker = SecretMasker(core.secret_values(module.params))
    module.no_log_values.update(masker.values)
    try:
        result = function(dict(module.params), masker=masker, **kwargs)
    except OperatorError as exc:
        module.no_log_values.update(masker.values)
        failed = masker.mask(exc.as_result())
        _warn(module, failed)
        module.fail_json(**failed)
    module.no_log_values.update(masker.values)
    _warn(module, result)
    module.exit_json(**result)


def _warn(module, result):
    for warning in result.pop('warnings', None) or []:
        module.warn(warning)
