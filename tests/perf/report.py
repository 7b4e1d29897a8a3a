"""Rewrite the figures of docs/performance.md from the benchmark's JSON (docs/perf/bench-N.json).

    .venv/bin/python tests/perf/report.py [--doc docs/performance.md] [--perf docs/perf]

Everything between the markers ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` is replaced by
one section per fleet size found (a table with each run's ratio to (a) and (a'), the budgets, within or
over, the machine and its load, the plot); the rest of the document is left as written.
"""

import argparse
import glob
import json
import os
import re
import sys

PERF_DIR = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(PERF_DIR))
sys.path.insert(0, PERF_DIR)

from bench import targets  # noqa: E402  (the targets as bench.py decides them, recomputed from the figures)
BEGIN, END = '<!-- bench:begin -->', '<!-- bench:end -->'
LABELS = (('ping', '(a) `ansible.builtin.ping`'), ('debug', "(a') `ansible.builtin.debug`"),
          ('deploy', '(b) `deploy_bc.yml`, blank lab'), ('redeploy', '(c) `deploy_bc.yml` again'),
          ('drift', '(d) `drift.yml`'), ('uri', '(e) `ansible.builtin.uri` baseline'))


def section(data, doc_dir, perf_dir):
    machine = data.get('machine', {})
    lines = ['### N = %d phones' % data['count'], '',
             'forks %d, lab reboot time %g s, deploy_serial %s for (b) and (c), ansible-core %s, Python %s, %s CPUs; '
             'load average %s before, %s after; run %s, %.0f s in all (lab start %s s).' % (
                 data['forks'], data['reboot_seconds'], data.get('deploy_serial', 'the playbook default'),
                 machine.get('ansible_core', '?'), machine.get('python', '?'),
                 machine.get('cpus', '?'), fmt_load(machine.get('load_before')), fmt_load(machine.get('load_after')),
                 data.get('date', '?'), data.get('total_seconds', 0), data.get('lab_startup_seconds', '?')), '',
             '| run | wall s | × (a) | × (a\') | controller CPU s | peak MB | requests per phone | GAX requests per switch '
             '| hosts changed / failed | task results |',
             '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for name, label in LABELS:
        result = data['results'].get(name)
        if not result:
            continue
        lines.append('| %s | %.1f | %s | %s | %.1f | %.0f | %.2f | %.1f | %d / %d | %d |' % (
            label, result['wall_seconds'], fmt_ratio(result.get('x_ping')), fmt_ratio(result.get('x_debug')),
            result['cpu_seconds'], result['peak_pss_mb'], result['phone_requests_per_phone'],
            result['gax_requests_per_switch'], result['changed_hosts'], result['failed_hosts'], result['task_results']))
    checks = targets(data) if all(n in data['results'] for n in ('ping', 'debug', 'deploy', 'redeploy', 'drift')) else []
    if checks:
        lines += ['', 'The fleet budgets at this size (tests/perf/FINDINGS.md reads them):', '']
        for check in checks:
            verdict = '**within**' if check['met'] else '**over**'
            lines.append('- %s %s: %s (limit %s)' % (verdict, check['target'], check['value'], check['limit']))
    png = os.path.join(perf_dir, 'bench-%d.png' % data['count'])
    if os.path.exists(png):
        lines += ['', '![wall seconds of each run, N=%d](%s)' % (data['count'], os.path.relpath(png, doc_dir))]
    return '\n'.join(lines)


def fmt_ratio(value):
    return '%.2f' % value if value is not None else '-'


def fmt_load(load):
    return '/'.join('%.1f' % x for x in load) if load else '?'


def render(perf_dir, doc_dir):
    sections, loaded = [], []
    for path in sorted(glob.glob(os.path.join(perf_dir, 'bench-*.json')),
                       key=lambda p: int(re.search(r'bench-(\d+)', p).group(1))):
        with open(path, encoding='utf-8') as handle:
            loaded.append(json.load(handle))
        sections.append(section(loaded[-1], doc_dir, perf_dir))
    body = '\n\n'.join(sections) if sections else '(no results yet: run `make bench`)'
    if len(loaded) > 1:
        gax = ['N=%d: %s' % (data['count'], data['results']['redeploy']['gax_requests_per_switch'])
               for data in loaded if 'redeploy' in data['results']]
        body += '\n\nGAX requests per switch of (c), by fleet size: %s.' % ', '.join(gax)
    return '%s\n<!-- written by tests/perf/report.py from %s/bench-*.json: edit them by running make bench -->\n\n%s\n\n%s' % (
        BEGIN, os.path.relpath(perf_dir, REPO_ROOT), body, END)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--doc', default=os.path.join(REPO_ROOT, 'docs', 'performance.md'))
    parser.add_argument('--perf', default=os.path.join(REPO_ROOT, 'docs', 'perf'))
    args = parser.parse_args(argv)
    with open(args.doc, encoding='utf-8') as handle:
        text = handle.read()
    if BEGIN not in text or END not in text:
        sys.stderr.write('report: %s has no %s ... %s markers\n' % (args.doc, BEGIN, END))
        return 1
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    text = text[:start] + render(os.path.abspath(args.perf), os.path.dirname(os.path.abspath(args.doc))) + text[stop:]
    with open(args.doc, 'w', encoding='utf-8') as handle:
        handle.write(text)
    print('report: %s rewritten from %s' % (os.path.relpath(args.doc, REPO_ROOT), os.path.relpath(args.perf, REPO_ROOT)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
