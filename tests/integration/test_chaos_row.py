"""One row of `make chaos` in `make test`: tests/chaos/run.py's own code, one fault seed, a small fleet.

`make chaos` (33 phones, three seeds, concurrent slices) is too long for every run, and it broke once
without anyone noticing (run.py imported a name scenario.py no longer defined). This runs the same
functions on four phones: the fault-free reference, then ONE faulty run of deploy_bc.yml (seed 1, the
faults of every chaos row), judged on the lab's own state, and the row rendered as the report does.

Lab: phones on 127.90.x.y, GAX and admin APIs on 127.0.0.90 (ports from 19000, per xdist worker).
"""

import os
import time

from chaos import run as chaos_run
from chaos.scenario import Block, Scenario

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
BLOCK = Block(90, '127.0.0.90', 19000 + 10 * WORKER)
BLOCK.site_a, BLOCK.site_b = '127.90.%d.' % (8 * WORKER + 1), '127.90.%d.' % (8 * WORKER + 2)

# Four phones, SCA pairs kept together (as tests/integration/test_faults.py).
LIMIT = 'phone-a01,phone-a02,phone-b02,phone-b03'


def test_one_chaos_row_passes_on_a_small_fleet(lab_factory, tmp_path):
    started = time.monotonic()
    scenario = Scenario.start(lab_factory, str(tmp_path), BLOCK, 'chaos-row')
    references = chaos_run.reference_runs(scenario, modes=('primary_fallback',), limit=LIMIT)
    assert references is not None, 'the fault-free reference run failed (its output is printed above)'

    row = chaos_run.seed_row(scenario, 1, references['primary_fallback'], 4, limit=LIMIT)

    # the faults happened (the lab's own counters): sessions expire every 4 requests on both sides
    assert row['faults']['phone_expired_sessions'] > 0 and row['faults']['gax_expired_sessions'] > 0, row['faults']
    assert row['exit'] == '0', '\n'.join(row['failed_output'])
    assert row['differences'] == [] and row['duplicates'] == [] and row['partial'] == [], row
    assert chaos_run.passed(row)
    table = chaos_run.render([row], time.monotonic() - started)
    assert '| faults, seed 1: a fresh deployment, ONE run | 4 | 1 (0) |' in table and '| pass |' in table, table
    assert time.monotonic() - started < 90, 'the chaos row took %.0f s (bound: 90 s)' % (time.monotonic() - started)
