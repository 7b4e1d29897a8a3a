# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""audiocodes_phone_fleet: the phones of the play batch at once, in threads of the controller (plugin_utils/fleet.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import gc

from collections.abc import Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import client, core, module_support, scrape
from ansible_collections.telephony.genesys_audiocodes.plugins.modules.audiocodes_phone_fleet import fleet_argument_spec
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils import fleet
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.phone_action import IN_PROCESS_VAR, PhoneAction, display

FLEET_OWN = ('phones', 'hosts', 'concurrency', 'processes', 'verify_delay', 'wait_for_reboot')


class ActionModule(PhoneAction):
    argument_spec = staticmethod(module_support.phone_argument_spec)
    core_function = staticmethod(core.run_phone)
    core_options = ('check_mode', 'diff')

    def module_needed(self, task_vars):
        # The phones are reached from the controller whatever the task's connection: always in-process.
        self._fleet_off = not boolean(self._templar.template(task_vars.get(IN_PROCESS_VAR, True)), strict=False)
        self._batch = list(task_vars.get('ansible_play_batch') or [])
        if not (client.HAS_REQUESTS and scrape.HAS_LXML):
            return 'requests or lxml missing on the controller'
        return None

    def run_in_process(self, args, check_mode=None, diff=None):
        # The validator deep-copies what it checks: the phones (every phone's settings, a second or more at a
        # thousand phones) are checked as a mapping here, and each phone's options by the module's spec.
        phones = args.get('phones')
        given = dict(args, phones={}) if isinstance(phones, Mapping) else args
        validation = ArgumentSpecValidator(fleet_argument_spec()).validate(given)
        no_log = set(validation._no_log_values)
        if validation.error_messages:
            return remove_values({'failed': True, 'msg': 'audiocodes_phone_fleet: %s' % validation.errors.msg}, no_log)
        params = validation.validated_parameters
        if given is not args:
            params['phones'] = phones
        if self._fleet_off:
            return {'changed': False, 'results': {}, 'failed_hosts': [],
                    'msg': '%s is false: the per-host tasks work the phones' % IN_PROCESS_VAR}
        common = dict((key, value) for key, value in params.items() if key not in FLEET_OWN and value is not None)
        common['wait_for_reboot'] = False      # the fleet waits for the restarts itself, all at once
        spec = self.argument_spec()
        hosts = params['hosts'] if params['hosts'] is not None else self._batch
        jobs = dict((host, fleet.phone_args(common, params['phones'][host], spec))
                    for host in hosts if hasattr(params['phones'].get(host), 'items'))
        processes = fleet.process_count(params['processes'], len(jobs), params['concurrency'])
        display.vv('audiocodes_phone_fleet: %d phone(s), %d at a time, in %d process(es)'
                   % (len(jobs), params['concurrency'], processes))
        worker = fleet.Fleet(self._phone, concurrency=params['concurrency'], processes=processes)
        # The worker process holds a copy of Ansible's whole heap (a fork of the main process), which the
        # phones' allocations would have the garbage collector walk again and again (and copy, page by page):
        # set aside for this task (measured at 1000 phones: 0.7 s and 20 MB less).
        gc.freeze()
        try:
            results = worker.run(jobs, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
                                 wait=params['wait_for_reboot'], verify_delay=params['verify_delay'])
        finally:
            gc.unfreeze()
        display.vv('audiocodes_phone_fleet: worked in %d process(es)' % worker.used)
        for index, timings in enumerate(worker.shares):
            display.vv('audiocodes_phone_fleet: process %d: %s' % (index + 1, fleet.timing_text(timings)))
        for result in results.values():
            result.pop('invocation', None)
        msg, failed = fleet.summary(results)
        # The task itself changes nothing on its host: each phone's own task reports its change.
        return remove_values({'changed': False, 'results': results, 'failed_hosts': failed, 'msg': msg}, no_log)

    def _phone(self, args, check_mode, diff):
        return PhoneAction.run_in_process(self, args, check_mode=check_mode, diff=diff)
