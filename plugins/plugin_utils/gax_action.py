# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugins of the GAX modules: their work in the controller process, as the phone modules'.

A GAX task runs on the controller (``delegate_to: localhost``, run once per switch); starting the
module costs more than its three to six requests (docs/performance.md). When the task's effective
connection is local, the plugin validates the arguments with the module's own argument spec
(``argument_spec()`` and ``SPEC_OPTIONS`` of the module file), calls the module's core function in
the worker process and returns what the module returns, secrets masked the same way (the spec's
no_log values and the annex secrets the module registers). Otherwise, and with
``audiocodes_in_process: false``, ``become`` or ``async``, the module runs as a module
(plugins/plugin_utils/phone_action.py says how).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import client, core
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.phone_action import PhoneAction


class GaxAction(PhoneAction):
    """Run a GAX module's core function in-process when the connection is local, else the module."""

    module = None
    """The module file (plugins/modules/genesys_*.py): its ``argument_spec()`` and ``SPEC_OPTIONS``."""

    secrets = None
    """A callable: the secrets inside the parameters that no_log cannot reach (annex passwords), or None."""

    def module_needed(self, task_vars):
        reason = super(GaxAction, self).module_needed(task_vars)
        if reason and reason.startswith('requests or lxml'):
            reason = None if client.HAS_REQUESTS else 'requests missing on the controller'
        if not reason and (self._task.args.get('query') and not core.HAS_JMESPATH):
            reason = 'jmespath missing on the controller'   # the module says so, and how to fix it
        return reason

    def run_in_process(self, args, check_mode=None, diff=None):
        name = self._task.action
        validation = ModuleArgumentSpecValidator(self.module.argument_spec(), **self.module.SPEC_OPTIONS).validate(args)
        params = dict(args)
        params.update(validation.validated_parameters)
        no_log_values = set(validation._no_log_values)
        if validation.error_messages:
            msg = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                msg = 'Unsupported parameters for (%s) module: %s' % (name, msg)
            return self._returned(dict(failed=True, msg=msg), params, no_log_values, [])
        if self.secrets is not None:
            no_log_values.update(self.secrets(params))
        options = {}
        if 'check_mode' in self.core_options:
            options['check_mode'] = bool(self._task.check_mode if check_mode is None else check_mode)
        try:
            result = self.core_function(params, **options)
        except OperatorError as exc:
            result = core.failure_result(exc)
            result['failed'] = True
        if not (self._task.diff if diff is None else diff):
            result.pop('diff', None)
        warnings = result.pop('warnings', None) or []
        notices = [dict(notice) for notice in validation._deprecations]
        if notices:
            result['deprecations'] = notices
        return self._returned(result, params, no_log_values, warnings)
