"""A minimal Debian base image for the execution environment, made from Debian's packages only.

No container registry is reachable from the machines this project is built on, but Debian's mirror
and PyPI are: debootstrap a minbase root with Python from packages, give it a virtualenv (Debian
disables ensurepip for its system Python, and ansible-builder's pip_install step would call it),
and `podman import` it with PATH and a UTF-8 locale set. Prints the image's name on stdout.

- The Debian mirror is the one apt already uses (the sources that serve the suite), or EE_DEBIAN_MIRROR.
- pip inside the build trusts and asks what the host's pip does: the index settings and the
  certificate file of `pip config list` and PIP_* are written into the root's /etc/pip.conf, read
  at build time (nothing host-specific is kept in the repository). Host-local sources (find-links,
  file:// indexes, constraints files) are left out: they do not exist in the image.
- Cached: the root under EE_CACHE_DIR (default /var/tmp/telephony-genesys-audiocodes-ee) and the
  image, named after a digest of everything that makes it, so a second run only checks that the
  image exists.

Usage: python tests/ee/base_image.py [--quiet]
"""

import glob
import hashlib
import os
import shutil
import subprocess
import sys

SUITE = 'bookworm'
# pip comes with the virtualenv (python3-venv's bundled wheel): no python3-pip and its dependencies.
PACKAGES = ['python3', 'python3-venv', 'ca-certificates']
VENV = '/opt/ee'
IMAGE = 'localhost/telephony-genesys-audiocodes-ee-base'
CACHE_DIR = os.environ.get('EE_CACHE_DIR', '/var/tmp/telephony-genesys-audiocodes-ee')
ENV_PATH = VENV + '/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
# pip settings that make sense inside the image; everything else of the host's config stays out.
PIP_KEYS = ('index-url', 'extra-index-url', 'trusted-host', 'cert', 'default-timeout', 'timeout', 'retries')
PIP_CERT_IN_IMAGE = '/etc/pip/host-ca.pem'
# Change it when the way the root or the image is made changes (the caches are keyed on it).
RECIPE = 'debootstrap minbase %s %s; venv %s; PATH=%s; LANG=C.UTF-8; v2' % (SUITE, ' '.join(PACKAGES), VENV, ENV_PATH)


def log(message):
    sys.stderr.write('ee-base: %s\n' % message)


def apt_sources():
    """(uri, suites) of every deb source apt reads, one-line and deb822 formats."""
    found = []
    for path in ['/etc/apt/sources.list'] + sorted(glob.glob('/etc/apt/sources.list.d/*.list')):
        if os.path.isfile(path):
            with open(path, encoding='utf-8') as handle:
                for line in handle:
                    words = line.split('#', 1)[0].split()
                    if words and words[0] == 'deb':
                        words = [word for word in words[1:] if not word.startswith('[')]
                        if len(words) >= 2:
                            found.append((words[0], [words[1]]))
    for path in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')):
        with open(path, encoding='utf-8') as handle:
            for stanza in handle.read().split('\n\n'):
                fields = {}
                for line in stanza.splitlines():
                    if ':' in line and not line.startswith(('#', ' ')):
                        key, value = line.split(':', 1)
                        fields[key.strip().lower()] = value.split()
                if 'deb' in fields.get('types', []) and fields.get('enabled', ['yes'])[0] != 'no':
                    for uri in fields.get('uris', []):
                        found.append((uri, fields.get('suites', [])))
    return found


def debian_mirror():
    if os.environ.get('EE_DEBIAN_MIRROR'):
        return os.environ['EE_DEBIAN_MIRROR']
    for uri, suites in apt_sources():
        if SUITE in suites:
            return uri
    raise SystemExit('ee-base: no apt source serves %s (read /etc/apt/sources.list*): set EE_DEBIAN_MIRROR' % SUITE)


def host_pip_settings(pip):
    """The host's pip settings of PIP_KEYS: {key: value}, environment over files (pip's order)."""
    listing = subprocess.run([pip, 'config', 'list'], capture_output=True, text=True, check=False).stdout
    ranked = {}
    for line in listing.splitlines():
        if '=' not in line:
            continue
        name, value = line.split('=', 1)
        section, _dot, key = name.rpartition('.')
        if key not in PIP_KEYS or section.lstrip(':') not in ('env:', 'env', 'global', 'install'):
            continue
        rank = 2 if section.startswith(':env') else 1 if section == 'install' else 0
        if rank >= ranked.get(key, (-1, ''))[0]:
            ranked[key] = (rank, value.strip().strip("'\""))
    settings = dict((key, value) for key, (_rank, value) in ranked.items())
    for key in ('index-url', 'extra-index-url'):
        if key in settings:
            # Only indexes the image can reach: a file:// index lies on the host's disk.
            kept = [url for url in settings[key].split() if url.startswith(('http://', 'https://'))]
            settings[key] = ' '.join(kept)
            if not kept:
                del settings[key]
    return settings


def pip_conf(settings):
    """The image's /etc/pip.conf, and the certificate file it names (bytes) or None."""
    cert = None
    lines = ['# Written by tests/ee/base_image.py from the build host\'s pip configuration.', '[global]']
    for key in sorted(settings):
        value = settings[key]
        if key == 'cert':
            if not os.path.isfile(value):
                log('the host\'s pip cert %s does not exist: left out' % value)
                continue
            with open(value, 'rb') as handle:
                cert = handle.read()
            value = PIP_CERT_IN_IMAGE
        lines.append('%s = %s' % (key, value))
    return '\n'.join(lines) + '\n', cert


def digest(*parts):
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part if isinstance(part, bytes) else part.encode('utf-8'))
        sha.update(b'\0')
    return sha.hexdigest()[:12]


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise SystemExit('ee-base: %s failed (exit %d):\n%s%s'
                         % (' '.join(command), result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    return result.stdout


def make_root(mirror, root):
    """debootstrap minbase + the virtualenv, into ``root`` (cached: built once per mirror and recipe)."""
    if os.path.isfile(os.path.join(root, '.ee-root-complete')):
        log('cached root %s' % root)
        return
    partial = root + '.partial'
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(os.path.dirname(root), exist_ok=True)
    log('debootstrap --variant=minbase %s from %s into %s (about a minute)' % (SUITE, mirror, root))
    run(['debootstrap', '--variant=minbase', '--include=' + ','.join(PACKAGES), SUITE, partial, mirror])
    run(['chroot', partial, '/usr/bin/python3', '-m', 'venv', VENV])
    # What the image does not need: downloaded packages and apt's binary caches.
    for pattern in ('var/cache/apt/archives/*.deb', 'var/cache/apt/*.bin'):
        for path in glob.glob(os.path.join(partial, pattern)):
            os.remove(path)
    open(os.path.join(partial, '.ee-root-complete'), 'w', encoding='utf-8').close()
    shutil.rmtree(root, ignore_errors=True)
    os.rename(partial, root)
    # Roots of an earlier recipe or mirror go.
    for old in glob.glob(os.path.join(os.path.dirname(root), '%s-root-*' % SUITE)):
        if old != root:
            shutil.rmtree(old, ignore_errors=True)


def main(argv):
    pip = os.path.join(os.path.dirname(sys.executable), 'pip')
    mirror = debian_mirror()
    conf, cert = pip_conf(host_pip_settings(pip if os.path.exists(pip) else 'pip'))
    root = os.path.join(CACHE_DIR, '%s-root-%s' % (SUITE, digest(RECIPE, mirror)))
    image = '%s:%s-%s' % (IMAGE, SUITE, digest(RECIPE, mirror, conf, cert or b''))
    if subprocess.run(['podman', 'image', 'exists', image], check=False).returncode == 0:
        if '--quiet' not in argv:
            log('cached image %s' % image)
        print(image)
        return 0
    make_root(mirror, root)
    os.makedirs(os.path.join(root, 'etc', 'pip'), exist_ok=True)
    with open(os.path.join(root, 'etc', 'pip.conf'), 'w', encoding='utf-8') as handle:
        handle.write(conf)
    cert_path = os.path.join(root, PIP_CERT_IN_IMAGE.lstrip('/'))
    if cert is not None:
        with open(cert_path, 'wb') as handle:
            handle.write(cert)
    elif os.path.exists(cert_path):
        os.remove(cert_path)
    log('podman import %s as %s' % (root, image))
    tar = subprocess.Popen(['tar', '-C', root, '--numeric-owner', '--exclude=./.ee-root-complete', '-cf', '-', '.'],
                           stdout=subprocess.PIPE)
    result = subprocess.run(['podman', 'import', '--change', 'ENV PATH=' + ENV_PATH, '--change', 'ENV LANG=C.UTF-8',
                             '--change', 'CMD ["bash"]', '-', image], stdin=tar.stdout, capture_output=True, text=True,
                            check=False)
    tar.stdout.close()
    if tar.wait() != 0 or result.returncode != 0:
        raise SystemExit('ee-base: podman import failed: %s' % result.stderr[-3000:])
    print(image)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
