# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugins of the phone modules: a phone's HTTP work in the controller process.

A phone is not a managed node: its tasks run on the controller (connection ``local``, or
``delegate_to: localhost``), where starting the module costs far more than the module's own work
(a Python interpreter, the AnsiballZ payload, its imports: docs/performance.md). When the task's
effective connection is local, the action plugin validates the task's arguments with the module's
own argument spec, calls the module's plain core function in the worker process and returns what
the module would have returned: the same keys, secrets masked the same way (the spec's no_log
options and every secret the core's ``SecretMasker`` learned), an ``invocation`` without them.
The task's ``environment`` applies as it would to the module. Any other connection, ``become``,
``async``, or the variable ``audiocodes_in_process: false`` runs the module as usual.

A phone module's action plugin is then a few lines (plugins/action/audiocodes_phone.py)::

    class ActionModule(PhoneAction):
        argument_spec = staticmethod(module_support.phone_argument_spec)
        core_function = staticmethod(core.run_phone)
        core_options = ('check_mode', 'diff')
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import SecretMasker
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import client, core, module_support, scrape
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils import fleet

display = Display()

IN_PROCESS_VAR = 'audiocodes_in_process'
"""A variable (inventory, play, task vars): false runs the module as a module even on a local connection."""

IN_PROCESS_MARK = 'in the controller process'
"""Said at -vvv when a task runs in-process (tests look for it, and for the absent AnsiballZ)."""


def pending_module_warnings():
    """The warnings core code recorded with ansible.module_utils.common.warnings.warn, taken out.

    In a module they ride with its result; in the controller process ansible-core 2.19 and later show
    them at once, but 2.17 and 2.18 only keep them in a list no one reads: take them (from any thread
    of the process) into the result, so the callback shows them as it shows a module's."""
    store = getattr(module_warnings, '_global_warnings', None)
    if not isinstance(store, list):
        return []
    taken = [str(warning) for warning in store]
    del store[:len(taken)]
    return taken


class PhoneAction(ActionBase):
    """Run a phone module's core function in-process when the connection is local, else the module."""

    _supports_check_mode = True
    _supports_async = True

    argument_spec = None
    """A callable returning the module's argument spec (the one the module itself uses)."""

    core_function = None
    """The plain core function the module's ``main()`` calls: ``function(params, masker=..., **options)``."""

    core_options = ()
    """Which of ``check_mode`` and ``diff`` the module hands to its core function."""

    spec_options = {}
    """The module's other argument-spec rules (``required_if``, ``mutually_exclusive``, ...), as given to it."""

    def run(self, tmp=None, task_vars=None):
        result = super(PhoneAction, self).run(tmp, task_vars)
        del tmp
        # The fleet path: a run-once audiocodes_phone_fleet task already worked this phone (plugin_utils/fleet.py).
        stored = fleet.stored_result(task_vars or {}, (task_vars or {}).get('inventory_hostname'), self._templar)
        if stored is not None:
            display.vvv('%s: the result of the fleet task (%s)' % (self._task.action, fleet.FLEET_REGISTER_VAR))
            if not self._task.diff:
                stored.pop('diff', None)
            result.update(stored)
            return result
        reason = self.module_needed(task_vars or {})
        if reason:
            display.vvv('%s: running the module (%s)' % (self._task.action, reason))
            wrap_async = self._task.async_val and not self._connection.has_native_async
            result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        display.vvv('%s: %s (connection local)' % (self._task.action, IN_PROCESS_MARK))
        # The task's environment, as the module would see it (fallbacks such as AUDIOCODES_PASSWORD,
        # proxies); the worker process ends with the task, and the old values come back anyway.
        environment = {}
        self._compute_environment_string(environment)
        saved = dict((name, os.environ.get(name)) for name in environment)
        try:
            os.environ.update(dict((str(name), str(value)) for name, value in environment.items()))
            result.update(self.run_in_process(dict(self._task.args)))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        return result

    def module_needed(self, task_vars):
        """Why the module must run as a module (a short reason), or None to run in-process."""
        wanted = task_vars.get(IN_PROCESS_VAR, True)
        if not boolean(self._templar.template(wanted) if isinstance(wanted, str) else wanted, strict=False):
            return '%s is false' % IN_PROCESS_VAR
        if getattr(self._connection, 'transport', None) != 'local':
            return 'connection %s' % getattr(self._connection, 'transport', '?')
        if self._task.async_val:
            return 'async'
        if self._play_context.become:
            return 'become'
        if not (client.HAS_REQUESTS and scrape.HAS_LXML):
            return 'requests or lxml missing on the controller'  # the module says which, and how to fix it
        return None

    def run_in_process(self, args, check_mode=None, diff=None):
        """The module's result for ``args``, computed here (the same keys and masking as the module).

        ``check_mode`` and ``diff`` default to the task's (the fleet path passes its own, plugin_utils/fleet.py).
        """
        name = self._task.action
        validation = ModuleArgumentSpecValidator(self.argument_spec(), **self.spec_options).validate(args)
        params = dict(args)
        params.update(validation.validated_parameters)
        no_log_values = set(validation._no_log_values)
        if validation.error_messages:
            msg = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                msg = 'Unsupported parameters for (%s) module: %s' % (name, msg)
            return self._returned(dict(failed=True, msg=msg), params, no_log_values, [])
        no_log_values.update(SecretMasker(core.secret_values(params)).values)
        options = {}
        if 'check_mode' in self.core_options:
            options['check_mode'] = bool(self._task.check_mode if check_mode is None else check_mode)
        if 'diff' in self.core_options:
            options['diff'] = bool(self._task.diff if diff is None else diff)
        result, masker = module_support.outcome(self.core_function, params, **options)
        no_log_values.update(masker.values)
        warnings = (result.pop('warnings', None) or []) + pending_module_warnings()
        # A deprecated option or alias, as AnsibleModule would report it (deprecated_aliases, removed_in_version).
        notices = [dict(notice) for notice in validation._deprecations]
        if notices:
            result['deprecations'] = notices
        return self._returned(result, params, no_log_values, warnings)

    @staticmethod
    def _returned(result, params, no_log_values, warnings):
        """As AnsibleModule.exit_json/fail_json shape it: invocation, warnings, no_log values removed."""
        result = dict(result)
        result.setdefault('invocation', {'module_args': params})
        if warnings:
            result['warnings'] = list(warnings)
        preserved = dict((key, value) for key, value in result.items() if value is None or isinstance(value, bool))
        result = remove_values(result, no_log_values)
        result.update(preserved)
        return result
