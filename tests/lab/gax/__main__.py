"""Start the emulated GAX instances of a profile's `gax:` section and serve until SIGTERM.

    cd tests/lab && python -m gax --profile profiles/default.yml --state-dir DIR

Every instance gets its own listener and SQLite database (`DIR/gax-<name>.sqlite3`); one admin
listener serves them all. `DIR/gax.ready` is written once everything listens.
"""

import argparse
import ipaddress
import json
import os
import signal
import ssl
import sys
import threading

import yaml

from gax.admin import AdminHandler
from gax.control import Knobs
from gax.rest import GaxApp, RestHandler
from gax.store import Store, load_seed
from gax.schema import GaxError
from gax.web import Server
from labcommon import certs

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEFAULT_CERT_DIR = os.path.join(REPO_ROOT, '.lab', 'certs')


def address(text, what):
    """``127.0.0.x:port`` -> (host, port); the lab never listens beyond loopback."""
    host, port = (str(text).rsplit(':', 1) + [''])[:2]
    if not port.isdigit() or not ipaddress.ip_address(host or '0.0.0.0').is_loopback:
        sys.exit('gax: %s must be 127.x.y.z:port, got %r' % (what, text))
    return host, int(port)


def load_profile(path):
    """The `gax:` section, with each instance's settings completed from the section's defaults."""
    with open(path, encoding='utf-8') as handle:
        profile = yaml.safe_load(handle) or {}
    section = profile.get('gax') or {}
    # Relative paths are relative to the profile's own folder, or to `profile_dir` when a copy of
    # the profile was written elsewhere (tests/labfixture.py does that).
    base = profile.get('profile_dir') or os.path.dirname(os.path.abspath(path))
    instances = []
    for raw in section.get('instances') or ():
        name = str(raw.get('name', 'gax'))
        if not name.replace('-', '').replace('_', '').isalnum():
            sys.exit('gax: instance name %r: use letters, digits, - and _' % name)
        instances.append({
            'name': name,
            'listen': address(raw.get('listen'), 'instance %s listen' % name),
            'scheme': raw.get('scheme', 'http'),
            'seed': os.path.join(base, raw.get('seed') or section.get('seed') or 'gax-seed.yml'),
            'switches': raw.get('switches') or [],
            'variants': dict(section.get('variants') or {}, **(raw.get('variants') or {})),
            'faults': dict(section.get('faults') or {}, **(raw.get('faults') or {})),
        })
    if not instances or len({i['name'] for i in instances}) != len(instances):
        sys.exit('gax: the profile needs gax.instances, each with its own name')
    return {'admin': address(section.get('admin'), 'gax.admin'), 'instances': instances,
            'cert_dir': os.path.join(base, section['cert_dir']) if section.get('cert_dir') else DEFAULT_CERT_DIR}


def tls_context(name, host, cert_dir):
    cert, key = certs.ensure_leaf(cert_dir, 'gax-' + name, ips=[host])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def build(settings, state_dir):
    """Open every store and bind every listener; return (apps, servers)."""
    apps, servers = [], []
    for inst in settings['instances']:
        if inst['scheme'] not in ('http', 'https'):
            sys.exit('gax: instance %s: scheme must be http or https' % inst['name'])
        users, objects = load_seed(inst['seed'], inst['switches'])
        host, port = inst['listen']
        tls = tls_context(inst['name'], host, settings['cert_dir']) if inst['scheme'] == 'https' else None
        app = GaxApp(inst['name'], Store(os.path.join(state_dir, 'gax-%s.sqlite3' % inst['name']), objects),
                     Knobs(inst['variants'], inst['faults']), users, '%s://%s:%d' % (inst['scheme'], host, port))
        apps.append(app)
        servers.append(Server((host, port), RestHandler, app, tls))
    servers.append(Server(settings['admin'], AdminHandler, apps))
    return apps, servers


def write_ready(state_dir, settings, apps):
    info = {'pid': os.getpid(), 'admin': 'http://%s:%d' % settings['admin'], 'url': apps[0].url,
            'instances': {a.name: {'url': a.url, 'db': os.path.join(state_dir, 'gax-%s.sqlite3' % a.name)}
                          for a in apps}}
    path = os.path.join(state_dir, 'gax.ready')
    with open(path + '.tmp', 'w', encoding='utf-8') as handle:
        json.dump(info, handle)
    os.replace(path + '.tmp', path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(prog='gax', description=__doc__.split('\n', 1)[0])
    parser.add_argument('--profile', required=True)
    parser.add_argument('--state-dir', required=True)
    args = parser.parse_args(argv)
    state_dir = os.path.abspath(args.state_dir)
    os.makedirs(state_dir, exist_ok=True)
    settings = load_profile(args.profile)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        apps, servers = build(settings, state_dir)
    except GaxError as exc:  # a bad variant or fault in the profile
        sys.exit('gax: profile %s: %s' % (args.profile, exc.message))
    for server in servers:
        threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True).start()
    ready = write_ready(state_dir, settings, apps)
    for app in apps:
        print('gax %s listening on %s (%d users)' % (app.name, app.url, len(app.users)), flush=True)
    print('gax admin on http://%s:%d' % settings['admin'], flush=True)
    while not stop.wait(0.5):
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    for app in apps:
        app.store.close()
    os.unlink(ready)
    print('gax stopped', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
