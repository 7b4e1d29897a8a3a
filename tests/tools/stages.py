"""Run the stages of `make test` in order: print each one's name and duration, stop at the first
failure, and end with one summary line.

Usage: python tests/tools/stages.py NAME=COMMAND [NAME=COMMAND ...]
A COMMAND runs through the shell from the repository root.
"""

import subprocess
import sys
import time


def run_stage(name, command):
    sys.stdout.write('\n==> stage %s: %s\n' % (name, command))
    sys.stdout.flush()
    started = time.monotonic()
    code = subprocess.call(command, shell=True)  # noqa: S602 - our own Makefile's commands
    return code, time.monotonic() - started


def main(argv):
    results = []
    total_start = time.monotonic()
    for spec in argv:
        name, command = spec.split('=', 1)
        code, seconds = run_stage(name, command)
        results.append((name, code, seconds))
        sys.stdout.write('<== stage %s: %s in %.1f s\n' % (name, 'passed' if code == 0 else 'FAILED (exit %d)' % code, seconds))
        if code != 0:
            break
    sys.stdout.write('\nstage durations:\n')
    for name, code, seconds in results:
        sys.stdout.write('  %-12s %-7s %7.1f s\n' % (name, 'ok' if code == 0 else 'FAILED', seconds))
    failed = [result[0] for result in results if result[1] != 0]
    skipped = len(argv) - len(results)
    total = time.monotonic() - total_start
    if failed:
        sys.stdout.write('make test: FAILED at stage %s (%d of %d stages run, %d not run) in %.1f s\n'
                         % (failed[0], len(results), len(argv), skipped, total))
        return 1
    sys.stdout.write('make test: all %d stages passed in %.1f s\n' % (len(results), total))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
