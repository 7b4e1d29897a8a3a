"""`make bench`: what a fleet run costs the controller, against a lab of N phones on two sites.

    .venv/bin/python tests/perf/bench.py [--count 200] [--forks 20] [--reboot-seconds 5] [--out docs/perf]

One lab (tests/perf/fleet.py), one inventory and the same forks for every measurement, in order:
  (a)  ping         ansible.builtin.ping on every phone host: the module floor
  (a') debug        ansible.builtin.debug on every phone host: the task floor
  (b)  deploy       playbooks/deploy_bc.yml on a blank lab (the lab reset first)
  (c)  redeploy     playbooks/deploy_bc.yml again: nothing changes
  (d)  drift        playbooks/drift.yml (check mode with diff)
  (e)  uri          the ansible.builtin.uri baseline (tests/perf/playbooks/uri_baseline.yml), N <= 200 only
For each: wall time; controller CPU (user + system of ansible-playbook and every fork it waited
for: RUSAGE_CHILDREN of this process, which waits for ansible-playbook); peak memory (the largest
sum, over ansible-playbook and its live forks, of each process's PSS, sampled every 0.2 s: pages
the forks share with their parent count once, split between them; the largest single RSS is kept
too); HTTP requests per phone and per switch from the lab's own counters (phone lab `requests`,
GAX `total`; one GAX serves both switches, so per switch is its total / 2); the lab's own CPU.
Writes <out>/bench-<N>.json and <out>/bench-<N>.png, prints the table; stops the lab by its PIDs
(labctl down) whatever happens. docs/performance.md is rewritten from the JSON by tests/perf/report.py.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import subprocess
import sys
import threading
import time

PERF_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, PERF_DIR)

import fleet  # noqa: E402
import pngplot  # noqa: E402

REPO_ROOT = fleet.REPO_ROOT
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, 'ansible-playbook')
SWITCHES = 2
RECAP_RE = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)', re.M)

# name, label, playbook, what the lab must be before it
STEPS = (
    ('ping', '(a) ping', 'tests/perf/playbooks/ping.yml'),
    ('debug', "(a') debug", 'tests/perf/playbooks/debug.yml'),
    ('deploy', '(b) deploy_bc blank', 'playbooks/deploy_bc.yml'),
    ('redeploy', '(c) deploy_bc again', 'playbooks/deploy_bc.yml'),
    ('drift', '(d) drift.yml', 'playbooks/drift.yml'),
    ('uri', '(e) uri baseline', 'tests/perf/playbooks/uri_baseline.yml'),
)


class MemorySampler(threading.Thread):
    """Peak of the summed PSS (and the largest single RSS) of a process and its descendants."""

    def __init__(self, pid, interval=0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_pss_kb = self.peak_rss_kb = self.peak_processes = 0
        self.done = threading.Event()

    def tree(self):
        children = {}
        for name in os.listdir('/proc'):
            if not name.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % name, encoding='utf-8') as handle:
                    ppid = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(name))
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, ()))
        return found

    @staticmethod
    def memory(pid):
        pss = rss = 0
        try:
            with open('/proc/%d/smaps_rollup' % pid, encoding='utf-8') as handle:
                for line in handle:
                    if line.startswith('Pss:'):
                        pss = int(line.split()[1])
                    elif line.startswith('Rss:'):
                        rss = int(line.split()[1])
        except OSError:
            pass
        return pss, rss

    def run(self):
        while not self.done.is_set():
            pids = self.tree()
            sizes = [self.memory(pid) for pid in pids]
            self.peak_pss_kb = max(self.peak_pss_kb, sum(size[0] for size in sizes))
            self.peak_rss_kb = max([self.peak_rss_kb] + [size[1] for size in sizes])
            self.peak_processes = max(self.peak_processes, len(pids))
            self.done.wait(self.interval)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_playbook(playbook, inventory, forks, log_path, extra=()):
    """One ansible-playbook run, measured (wall, controller CPU, peak PSS, the PLAY RECAP)."""
    command = [ANSIBLE_PLAYBOOK, os.path.join(REPO_ROOT, playbook), '-i', inventory, '-f', str(forks),
               '-e', 'audiocodes_phone_verify_delay=1'] + list(extra)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, '.collections'))
    cpu_before = children_cpu()
    started = time.monotonic()
    with open(log_path, 'w', encoding='utf-8') as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = MemorySampler(process.pid)
        sampler.start()
        rc = process.wait()
    wall = time.monotonic() - started
    sampler.done.set()
    sampler.join()
    with open(log_path, encoding='utf-8') as log:
        text = log.read()
    recap = RECAP_RE.findall(text)
    return {
        'rc': rc, 'wall_seconds': round(wall, 2), 'cpu_seconds': round(children_cpu() - cpu_before, 2),
        'peak_pss_mb': round(sampler.peak_pss_kb / 1024.0, 1), 'peak_rss_mb': round(sampler.peak_rss_kb / 1024.0, 1),
        'peak_processes': sampler.peak_processes,
        'hosts': len(recap),
        'changed_hosts': sum(1 for row in recap if int(row[2])),
        'failed_hosts': sum(1 for row in recap if int(row[4]) or int(row[3])),
        'task_results': sum(int(row[1]) + int(row[5]) for row in recap),
        'log': os.path.relpath(log_path, REPO_ROOT),
    }


def lab_cpu(lab):
    return lab.get('phone', '/counters')['cpu_seconds']['total']


def measure(lab, step, playbook, inventory, forks, count, out_dir, extra=()):
    lab.post('phone', '/counters/reset')
    lab.post('gax', '/counters/reset')
    cpu = lab_cpu(lab)
    result = run_playbook(playbook, inventory, forks, os.path.join(out_dir, 'bench-%d-%s.log' % (count, step)), extra)
    phone = lab.get('phone', '/counters')
    gax = lab.get('gax', '/counters')
    totals = phone['totals']
    result.update({
        'phone_requests': totals.get('requests', 0),
        'phone_requests_per_phone': round(totals.get('requests', 0) / float(count), 2),
        'phone_uploads': totals.get('upload', 0),
        'phone_restarts': totals.get('restarts', 0),
        'gax_requests': gax.get('total', 0),
        'gax_requests_per_switch': round(gax.get('total', 0) / float(SWITCHES), 1),
        'gax_writes': (gax.get('writes') or {}).get('requests', 0),
        'lab_cpu_seconds': round(phone['cpu_seconds']['total'] - cpu, 2),
    })
    return result


def ratios(results):
    floor, task_floor = results['ping']['wall_seconds'], results['debug']['wall_seconds']
    for name, result in results.items():
        result['x_ping'] = round(result['wall_seconds'] / floor, 3) if floor else None
        result['x_debug'] = round(result['wall_seconds'] / task_floor, 3) if task_floor else None


def targets(data):
    """The issue's targets, each with the figures that decide it."""
    results, reboot = data['results'], data['reboot_seconds']
    ping, debug = results['ping']['wall_seconds'], results['debug']['wall_seconds']
    checks = []
    for name in ('redeploy', 'drift'):
        wall = results[name]['wall_seconds']
        checks.append({'target': '%s <= 0.25 x ping' % name, 'value': wall, 'limit': round(0.25 * ping, 2),
                       'met': wall <= 0.25 * ping})
        checks.append({'target': '%s <= 3 x debug' % name, 'value': wall, 'limit': round(3 * debug, 2),
                       'met': wall <= 3 * debug})
    wall = results['deploy']['wall_seconds']
    checks.append({'target': 'deploy <= 0.5 x ping + reboot time', 'value': wall, 'limit': round(0.5 * ping + reboot, 2),
                   'met': wall <= 0.5 * ping + reboot})
    if 'uri' in results:
        wall = results['redeploy']['wall_seconds']
        checks.append({'target': 'redeploy >= 10 x faster than uri', 'value': wall,
                       'limit': round(results['uri']['wall_seconds'] / 10.0, 2),
                       'met': wall * 10 <= results['uri']['wall_seconds']})
    # The collection's runs; (a) and (e) hold 20 module interpreters at once, they are in the table.
    peak = max(results[name]['peak_pss_mb'] for name in ('deploy', 'redeploy', 'drift'))
    checks.append({'target': 'controller peak memory of (b), (c), (d) < 500 MB', 'value': peak, 'limit': 500,
                   'met': peak < 500})
    return checks


def table(data):
    header = ('run (N=%d, forks %d)' % (data['count'], data['forks']), 'wall s', 'x ping', 'x debug', 'cpu s',
              'peak MB', 'req/phone', 'gax/switch', 'lab cpu', 'rc')
    rows = ['%-22s %8s %7s %7s %8s %8s %9s %9s %8s %6s' % header]
    for name, label, _playbook in STEPS:
        if name not in data['results']:
            continue
        r = data['results'][name]
        rows.append('%-22s %8.1f %7.2f %7.2f %8.1f %8.0f %9.2f %9.1f %8.1f %6d' % (
            label, r['wall_seconds'], r['x_ping'], r['x_debug'], r['cpu_seconds'], r['peak_pss_mb'],
            r['phone_requests_per_phone'], r['gax_requests_per_switch'], r['lab_cpu_seconds'], r['rc']))
    for check in data['targets']:
        rows.append('%-4s %s: %s (limit %s)' % ('MET' if check['met'] else 'NOT', check['target'], check['value'], check['limit']))
    return '\n'.join(rows)


def plot(data, path):
    bars = []
    for name, label, _playbook in STEPS:
        if name in data['results']:
            bars.append((label, data['results'][name]['wall_seconds']))
    pngplot.bar_chart(path, bars, title='N=%d' % data['count'])


def load_average():
    try:
        with open('/proc/loadavg', encoding='utf-8') as handle:
            return [float(x) for x in handle.read().split()[:3]]
    except OSError:
        return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--count', type=int, default=200, help='phones in the fleet (default 200)')
    parser.add_argument('--forks', type=int, default=20, help='ansible forks for every run (default 20, ansible.cfg)')
    parser.add_argument('--reboot-seconds', type=float, default=5.0, help="the lab phones' reboot time (default 5)")
    parser.add_argument('--out', default=os.path.join(REPO_ROOT, 'docs', 'perf'), help='where the JSON and PNG go')
    parser.add_argument('--work', default=os.path.join(REPO_ROOT, 'tests', 'output', 'bench'),
                        help='inventory, lab state and logs')
    parser.add_argument('--uri', choices=('auto', 'yes', 'no'), default='auto', help='(e): auto runs it for N <= 200')
    parser.add_argument('--only', help='comma-separated steps to run (ping,debug,deploy,redeploy,drift,uri)')
    parser.add_argument('--serial', default='100%',
                        help="deploy_serial of (b) and (c) (default 100%%: one wave, as the issue's targets were set; "
                             "the playbook's own default is waves of 50)")
    args = parser.parse_args(argv)
    work = os.path.join(args.work, str(args.count))
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    inventory = fleet.write_inventory(os.path.join(work, 'inventory'), args.count)
    phones_file = fleet.phones_file_from(inventory, os.path.join(work, 'phones.yml'))
    run_uri = args.uri == 'yes' or (args.uri == 'auto' and args.count <= 200)
    only = set(args.only.split(',')) if args.only else None
    started = time.monotonic()
    lab = fleet.start_lab(os.path.join(work, 'lab'), phones_file, args.reboot_seconds)
    data = {'count': args.count, 'forks': args.forks, 'reboot_seconds': args.reboot_seconds, 'deploy_serial': args.serial,
            'lab_startup_seconds': lab.ready('phone').get('startup_seconds'),
            'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'machine': {'cpus': os.cpu_count(), 'python': platform.python_version(),
                        'load_before': load_average()},
            'results': {}}
    try:
        import ansible
        data['machine']['ansible_core'] = ansible.__version__
        for name, label, playbook in STEPS:
            if name == 'uri' and not run_uri or only and name not in only:
                continue
            if name == 'deploy':
                lab.post('phone', '/reset')
                lab.post('gax', '/reset')
            print('bench: %s ...' % label, flush=True)
            extra = ['-e', 'deploy_serial=%s' % args.serial] if name in ('deploy', 'redeploy') else []
            result = measure(lab, name, playbook, inventory, args.forks, args.count, work, extra)
            data['results'][name] = result
            print('bench: %s: %.1f s, rc %d, %d host(s) changed, %d failed' % (
                label, result['wall_seconds'], result['rc'], result['changed_hosts'], result['failed_hosts']), flush=True)
    finally:
        lab.down()
    data['machine']['load_after'] = load_average()
    data['total_seconds'] = round(time.monotonic() - started, 1)
    if 'ping' in data['results'] and 'debug' in data['results']:
        ratios(data['results'])
        if all(name in data['results'] for name in ('deploy', 'redeploy', 'drift')):
            data['targets'] = targets(data)
    data.setdefault('targets', [])
    path = os.path.join(args.out, 'bench-%d.json' % args.count)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write('\n')
    if data['results'].get('ping') and data['results'].get('debug'):
        print(table(data))
        plot(data, os.path.join(args.out, 'bench-%d.png' % args.count))
    print('bench: results in %s' % os.path.relpath(path, REPO_ROOT))
    failed = [name for name, result in data['results'].items() if result['rc'] != 0]
    if failed:
        print('bench: these runs failed: %s (logs under %s)' % (', '.join(failed), os.path.relpath(work, REPO_ROOT)))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
