"""`make chaos`: the long fault and concurrency runs of deploy_bc.yml, and a table of what happened.

One lab (phones on 127.82.x.y, GAX and admin APIs on 127.0.0.82, ports 18900-18904): the lab
inventory's 13 phones plus CHAOS_EXTRA generated ones (default 20). First two fault-free runs give
the reference states (primary-fallback and simultaneous). Then:

- per fault seed (CHAOS_SEEDS, default 1 2 3): a reset, the faults (5 % transient faults on every
  phone and on GAX: 2 % HTTP 500, 2 % resets, 1 % slow answers; phones also lose 1 % of their
  answers after doing the work and restart on their own at 1 % of requests; sessions expire every 4
  requests on phones and GAX; GAX loses the answer of the first create and of 5 % of the others),
  and ONE run of deploy_bc.yml;
- concurrent slices: a reset, then three runs at once over disjoint --limit slices (every slice sees
  the whole fleet's desired state), first creating everything, then switching every DN and phone to
  simultaneous registration; with the faults of the last seed on.

Each row is judged on the lab's own state (tests/chaos/scenario.py): the run's exit code, the final
state against the reference, duplicates in the GAX store and in its create history, partial phone
configurations in the phones' history, DN writes by a run that does not own the DN; the faults come
from the lab's counters. The table goes to stdout and to .lab/chaos/report.md (plus report.json).
Exit status 1 when a row failed.
"""

import json
import os
import shutil
import sys
import tempfile
import time

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from chaos.scenario import Block, Scenario, differences  # noqa: E402  pylint: disable=wrong-import-position
from labfixture import REPO_ROOT, Lab, deep_merge, load_profile  # noqa: E402  pylint: disable=wrong-import-position

BLOCK = Block(82, '127.0.0.82', 18900)
REPORT_DIR = os.path.join(REPO_ROOT, '.lab', 'chaos')
WHOLE_FLEET = json.dumps({'business_continuity_hosts': "{{ groups['phones'] }}"})
USERS = [('slice-%d' % (index + 1), 'slice-%d-Pw' % (index + 1)) for index in range(3)]
FAULTS = dict(phone_session_every=4, gax_session_every=4, lost_creates=1, lost_create_rate=0.05,
              reboot_rate=0.01, lost_reply_rate=0.01)


def hosts_of(inventory):
    import yaml  # pylint: disable=import-outside-toplevel
    with open(os.path.join(inventory, 'hosts.yml'), encoding='utf-8') as handle:
        children = yaml.safe_load(handle)['phones']['children']
    return dict((host, [str(line['dn']) for line in hostvars.get('lines') or []])
                for group in children.values() for host, hostvars in group['hosts'].items())


def faults_of(scenario, reference_requests):
    seen = scenario.counters()
    requests = seen['phone_requests'] + seen['gax_requests']
    return seen, requests - reference_requests


def judge(scenario, reference, marks, since, runs):
    final = scenario.state()
    return {
        'runs': len(runs), 'exit': ','.join(str(run.rc) for run in runs),
        'seconds': round(max(run.seconds for run in runs), 1),
        'differences': differences(reference, final),
        'duplicates': scenario.duplicates(final, since),
        'partial': scenario.partial_configs(marks, final),
        'configs': scenario.configs_recorded(marks),
        'failed_output': [run.output[-4000:] for run in runs if run.rc != 0],
    }


def wrong_writers(scenario, since, owner):
    users = dict((user, index) for index, (user, _password) in enumerate(USERS))
    wrong = []
    for entry in scenario.lab.get('gax', '/history?since=%d' % since):
        obj = entry.get('after') or entry.get('before') or {}
        if entry['type'] == 'CfgDN' and obj.get('number') in owner and users.get(entry['user']) != owner[obj['number']]:
            wrong.append('%s DN %s by %s' % (entry['action'], obj['number'], entry['user']))
    return wrong


def reference_runs(scenario, modes=('primary_fallback', 'simultaneous'), limit=None):
    """The fault-free runs (a fresh deployment, then an update of it): ``{mode: (state, requests, seconds)}``,
    or None when one failed (its output printed)."""
    references = {}
    scenario.reset()
    for mode in modes:
        scenario.clear_counters()
        run = scenario.play(limit=limit, extra=('gac_bc_mode=%s' % mode,))
        if run.rc != 0:
            print(run.explain())
            return None
        seen = scenario.counters()
        references[mode] = (scenario.state(), seen['phone_requests'] + seen['gax_requests'], run.seconds)
        print('chaos: fault-free reference (%s) in %.0f s' % (mode, run.seconds), flush=True)
    return references


def seed_row(scenario, seed, reference, phones, limit=None):
    """One fault seed: a reset, the faults, ONE run of deploy_bc.yml, judged against ``reference``."""
    scenario.reset()
    scenario.clear_counters()
    scenario.inject(seed=seed, **FAULTS)
    marks, since = scenario.marks(), scenario.history_seq()
    run = scenario.play(limit=limit)
    row = judge(scenario, reference[0], marks, since, [run])
    row['faults'], row['extra_requests'] = faults_of(scenario, reference[1])
    row.update(name='faults, seed %d: a fresh deployment, ONE run' % seed, phones=phones, wrong_writers=[])
    print('chaos: %s: exit %s in %s s' % (row['name'], row['exit'], row['seconds']), flush=True)
    return row


def main():
    extra = int(os.environ.get('CHAOS_EXTRA', '20'))
    seeds = [int(seed) for seed in os.environ.get('CHAOS_SEEDS', '1 2 3').split()]
    root = tempfile.mkdtemp(prefix='chaos-', dir=os.environ.get('LAB_TMP'))
    labs = []

    def start_lab(name, overrides):
        lab = Lab(os.path.join(root, name), deep_merge(load_profile(), overrides))
        labs.append(lab)
        return lab.up()

    rows = []
    started = time.monotonic()
    try:
        scenario = Scenario.start(start_lab, root, BLOCK, 'chaos', extra=extra, gax_users=USERS)
        phones = len(scenario.phones())
        print('chaos: %d phones, seeds %s' % (phones, ' '.join(map(str, seeds))), flush=True)
        references = reference_runs(scenario)
        if references is None:
            return 1
        for seed in seeds:
            rows.append(seed_row(scenario, seed, references['primary_fallback'], phones))

        # Concurrent slices, with the last seed's faults on.
        hosts = hosts_of(scenario.inventory)
        names = sorted(hosts)
        slices = [','.join(names[index::3]) for index in range(3)]
        owner = dict((dn, index) for index in range(3) for host in names[index::3] for dn in hosts[host])
        each = [('gax_username=%s' % user, 'gax_password=%s' % password) for user, password in USERS]
        scenario.reset()
        for round_, mode in enumerate(('primary_fallback', 'simultaneous')):
            scenario.clear_counters()
            faults = dict(FAULTS)
            faults['lost_creates'] = 3
            scenario.inject(seed=seeds[-1] + 100 + round_, **faults)
            marks, since = scenario.marks(), scenario.history_seq()
            runs = scenario.play_at_once(slices, extra=(WHOLE_FLEET, 'gac_bc_mode=%s' % mode), extra_each=each)
            row = judge(scenario, references[mode][0], marks, since, runs)
            row['faults'], row['extra_requests'] = faults_of(scenario, references[mode][1])
            what = 'a fresh deployment' if mode == 'primary_fallback' else 'then every DN and phone updated (simultaneous)'
            row.update(name='3 slices at once (faults on), %s' % what, phones=phones,
                       wrong_writers=wrong_writers(scenario, since, owner))
            gax = scenario.lab.get('gax', '/counters')['by_type'].get('CfgDN', {})
            row['dn_get_before_put'] = '%d / %d' % (gax.get('read', 0), gax.get('update', 0))
            rows.append(row)
            print('chaos: %s: exit %s in %s s' % (row['name'], row['exit'], row['seconds']), flush=True)
    finally:
        for lab in labs:
            lab.down()
        shutil.rmtree(root, ignore_errors=True)

    report = render(rows, time.monotonic() - started)
    os.makedirs(REPORT_DIR, exist_ok=True)
    with open(os.path.join(REPORT_DIR, 'report.md'), 'w', encoding='utf-8') as handle:
        handle.write(report)
    with open(os.path.join(REPORT_DIR, 'report.json'), 'w', encoding='utf-8') as handle:
        json.dump(rows, handle, indent=1, default=str)
    print(report)
    failed = [row for row in rows if not passed(row)]
    for row in failed:
        print('FAILED: %s\n  differences: %s\n  duplicates: %s\n  partial: %s\n  wrong writers: %s\n%s' % (
            row['name'], row['differences'][:10], row['duplicates'], row['partial'][:10], row['wrong_writers'][:10],
            '\n'.join(row['failed_output'])))
    return 1 if failed else 0


def passed(row):
    return (set(row['exit'].split(',')) == {'0'} and not row['differences'] and not row['duplicates']
            and not row['partial'] and not row['wrong_writers'])


def render(rows, seconds):
    head = ('| What was tried | Phones | Runs (exit) | Time s | Phone faults: 500 / reset / slow / lost reply / restart '
            '| Sessions lost (login page, 401): phone / GAX | GAX faults: 500 / reset / slow / lost create | Extra requests (retries, '
            're-logins, waits) vs fault-free | Final state = fault-free | Duplicates | Partial configs (of recorded) '
            '| DN writes by a non-owner | DN update requests: GET / PUT (retries included) | Result |')
    lines = [head, '|' + '---|' * 14]
    for row in rows:
        f = row['faults']
        cells = (
            row['name'], row['phones'], row['runs'], row['exit'], row['seconds'],
            f['fault_5xx'], f['fault_reset'], f['fault_slow'], f['fault_lost_reply'], f['fault_reboot'],
            f['phone_expired_sessions'], f['gax_expired_sessions'],
            f.get('gax_error', 0), f.get('gax_reset', 0), f.get('gax_slow', 0), f.get('gax_lost_create', 0),
            row['extra_requests'], 'yes' if not row['differences'] else 'NO (%d)' % len(row['differences']),
            len(row['duplicates']), len(row['partial']), row['configs'],
            len(row['wrong_writers']) if 'dn_get_before_put' in row else 'n/a', row.get('dn_get_before_put', 'n/a'),
            'pass' if passed(row) else 'FAIL')
        lines.append('| %s | %d | %d (%s) | %s | %d / %d / %d / %d / %d | %d / %d | %d / %d / %d / %d | %+d | %s | %d '
                     '| %d (of %d) | %s | %s | %s |' % cells)
    return '\n'.join(lines) + '\n\n(%d rows in %.0f s)\n' % (len(rows), seconds)


if __name__ == '__main__':
    sys.exit(main())
