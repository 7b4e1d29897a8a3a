"""make matrix: sanity, unit tests and a smoke deployment on every ansible-core the collection supports.

For each version of VERSIONS: a venv under .venv-matrix/<version> (Python 3.12 from pyenv; its pip
installs logged to .venv-matrix/<version>/pip.log and done again only when the pins change), then
  sanity  ansible-test sanity --venv in the sanity tree (make sanity-tree), one version after another
  unit    pytest tests/unit
  smoke   one deployment run twice against its own lab (SMOKE, from tests/integration)
Prints one line per version and step with its time; exit 1 when any step failed (its output's tail
is shown). MATRIX_VERSIONS="2.17 2.20" runs some only; MATRIX_STEPS="unit smoke" some steps only.
The venvs are made at once, first; `matrix.py --prepare` (.ci/run, while `make test` runs) makes
only them.
"""

import glob
import hashlib
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION_TREE = os.path.join(ROOT, '.collections', 'ansible_collections', 'telephony', 'genesys_audiocodes')
# Its own sanity tree (make sanity-tree SANITY_TREE=...), so make sanity may run meanwhile.
SANITY_TREE = os.path.join(ROOT, '.collections', 'matrix-sanity', 'ansible_collections', 'telephony', 'genesys_audiocodes')
MATRIX_DIR = os.path.join(ROOT, '.venv-matrix')

# ansible-core releases, newest patch of each minor the collection supports (meta/runtime.yml).
VERSIONS = {
    '2.17': '2.17.14',
    '2.18': '2.18.19',
    '2.19': '2.19.14',
    '2.20': '2.20.10',
}
PYTHON_MINOR = '3.12'   # every version above runs on it (2.20 needs 3.12 or later)
# What the steps need besides ansible-core (pinned as in requirements-test.txt).
REQUIREMENTS = ['-r', os.path.join(ROOT, 'requirements.txt'), 'pytest==9.2.0', 'pytest-xdist==3.8.0',
                'cryptography==50.0.2']
SMOKE = 'tests/integration/test_deployments.py::test_deployment_converges_then_a_second_run_changes_nothing[bc_primary_fallback]'
STEPS = ('sanity', 'unit', 'smoke')


def python312():
    """The newest Python 3.12 under pyenv (pyenv root, else ~/.pyenv), or python3.12 on PATH."""
    try:
        root = subprocess.run(['pyenv', 'root'], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        root = os.path.expanduser('~/.pyenv')
    found = sorted(glob.glob(os.path.join(root, 'versions', PYTHON_MINOR + '.*', 'bin', 'python' + PYTHON_MINOR)),
                   key=lambda path: [int(part) for part in path.split('/versions/')[1].split('/')[0].split('.')])
    if found:
        return found[-1]
    for directory in os.environ.get('PATH', '').split(os.pathsep):
        candidate = os.path.join(directory, 'python' + PYTHON_MINOR)
        if os.access(candidate, os.X_OK):
            return candidate
    sys.exit('matrix: no Python %s (install it with pyenv: pyenv install %s)' % (PYTHON_MINOR, PYTHON_MINOR))


def venv(minor):
    """.venv-matrix/<minor> with ansible-core VERSIONS[minor]; installs only when the pins changed."""
    path = os.path.join(MATRIX_DIR, minor)
    python = os.path.join(path, 'bin', 'python')
    pins = ['ansible-core==%s' % VERSIONS[minor]] + REQUIREMENTS
    with open(os.path.join(ROOT, 'requirements.txt'), 'rb') as handle:
        stamp = hashlib.sha256((' '.join(pins)).encode() + handle.read()).hexdigest()
    stamp_file = os.path.join(path, '.installed')
    if os.path.exists(stamp_file) and open(stamp_file).read() == stamp and os.access(python, os.X_OK):
        return python
    log = os.path.join(path, 'pip.log')
    if not os.access(python, os.X_OK):
        subprocess.run([python312(), '-m', 'venv', path], check=True)
    with open(log, 'w') as stream:
        done = subprocess.run([python, '-m', 'pip', 'install', '--disable-pip-version-check'] + pins,
                              stdout=stream, stderr=subprocess.STDOUT, check=False)
    if done.returncode:
        sys.exit('matrix: pip install for ansible-core %s failed (log: %s):\n%s'
                 % (VERSIONS[minor], log, ''.join(open(log).readlines()[-20:])))
    with open(stamp_file, 'w') as handle:
        handle.write(stamp)
    return python


def environment(python):
    env = dict(os.environ)
    env['PATH'] = os.path.dirname(python) + os.pathsep + env.get('PATH', '')
    env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'), ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'),
               PIP_DISABLE_PIP_VERSION_CHECK='1')
    env.pop('VIRTUAL_ENV', None)
    return env


def command(step, python):
    """(argv, cwd) of one step."""
    bindir = os.path.dirname(python)
    if step == 'sanity':
        return ([os.path.join(bindir, 'ansible-test'), 'sanity', '--venv', '--python', PYTHON_MINOR, '--color', 'no'],
                SANITY_TREE)
    pytest = [python, '-m', 'pytest', '-p', 'no:cacheprovider', '-q']
    if step == 'unit':
        return pytest + ['tests/unit'], COLLECTION_TREE
    return pytest + [SMOKE], COLLECTION_TREE


def prepare(versions):
    """Every version's venv at once (pip mostly waits on the package registry): ``{minor: (python, seconds)}``."""
    from concurrent.futures import ThreadPoolExecutor

    def timed(minor):
        start = time.time()
        return venv(minor), time.time() - start

    with ThreadPoolExecutor(max_workers=len(versions) or 1) as pool:
        return dict(zip(versions, pool.map(timed, versions)))


def main():
    if sys.argv[1:] == ['--prepare']:
        # .ci/run: the venvs while `make test` runs; make matrix then finds them ready (their pins unchanged)
        os.makedirs(MATRIX_DIR, exist_ok=True)
        for minor, (_python, seconds) in sorted(prepare(list(VERSIONS)).items()):
            print('matrix: ansible-core %s: venv ready in %.0f s' % (VERSIONS[minor], seconds), flush=True)
        return 0
    versions = os.environ.get('MATRIX_VERSIONS', '').split() or list(VERSIONS)
    steps = os.environ.get('MATRIX_STEPS', '').split() or list(STEPS)
    unknown = [v for v in versions if v not in VERSIONS] + [s for s in steps if s not in STEPS]
    if unknown:
        sys.exit('matrix: unknown %s (versions: %s; steps: %s)' % (', '.join(unknown), ' '.join(VERSIONS), ' '.join(STEPS)))
    os.makedirs(MATRIX_DIR, exist_ok=True)
    failed = []
    ready = prepare(versions)
    for minor in versions:
        python, seconds = ready[minor]
        print('matrix: ansible-core %s: venv ready in %.0f s' % (VERSIONS[minor], seconds), flush=True)
        env = environment(python)
        for step in steps:
            if step == 'sanity':
                # ansible-test's pip bootstrap, offline (each ansible-test bootstraps its own pip version)
                subprocess.run([python, os.path.join(ROOT, 'tests', 'tools', 'ansible_test_offline.py')], env=env,
                               check=True, stdout=subprocess.DEVNULL)
                subprocess.run(['make', '--no-print-directory', 'sanity-tree', 'SANITY_TREE=%s' % SANITY_TREE], cwd=ROOT,
                               env=env, check=True)
            argv, cwd = command(step, python)
            start = time.time()
            done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
            seconds = time.time() - start
            log = os.path.join(MATRIX_DIR, minor, '%s.log' % step)
            with open(log, 'w') as stream:
                stream.write(done.stdout + done.stderr)
            if done.returncode:
                failed.append('%s %s' % (minor, step))
                problems = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith(('ERROR:', 'FAILED', 'E '))]
                print('matrix: ansible-core %s %s FAILED (exit %d, %.0f s; log: %s):\n%s'
                      % (VERSIONS[minor], step, done.returncode, seconds, log, '\n'.join(problems[:60])), flush=True)
            else:
                tail = [line for line in done.stdout.splitlines() if line.strip()][-1:] or ['']
                print('matrix: ansible-core %s %s passed in %.0f s %s' % (VERSIONS[minor], step, seconds,
                      ('(%s)' % tail[0].strip('= ')) if step != 'sanity' else ''), flush=True)
    if failed:
        print('matrix: FAILED: %s' % ', '.join(failed))
        return 1
    print('matrix: %s on ansible-core %s all passed' % (', '.join(steps), ', '.join(VERSIONS[v] for v in versions)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
