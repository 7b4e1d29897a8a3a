"""Lay the stand-in for ansible-test's pip bootstrap script, so `ansible-test --venv` works offline.

ansible-test downloads ``get-pip-<version>.py`` from a host this machine cannot reach, unless
``~/.ansible/test/cache/get_pip_<version>.py`` already exists. The stand-in does what get-pip does
with the arguments ansible-test passes: bootstrap pip with ``ensurepip``, then ``pip install``
the requested packages (PyPI is reachable).
"""

import os
import re
import sys

STANDIN = '''"""Stand-in for get-pip.py (written by telephony.genesys_audiocodes tests/tools)."""
import subprocess
import sys

# get-pip's own switches; pip install does not know them.
GET_PIP_ONLY = ('--no-setuptools', '--no-wheel')
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet'] + args)
'''


def pip_version():
    import ansible_test  # pylint: disable=import-outside-toplevel
    path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(path, encoding='utf-8') as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit('cannot find the pip version ansible-test bootstraps in %s' % path)
    return match.group(1)


def main():
    version = pip_version()
    path = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % version.replace('.', '_'))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    current = None
    if os.path.exists(path):
        with open(path, encoding='utf-8') as handle:
            current = handle.read()
    if current != STANDIN:
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(STANDIN)
    sys.stdout.write('ansible-test pip bootstrap stand-in: %s\n' % path)


if __name__ == '__main__':
    main()
