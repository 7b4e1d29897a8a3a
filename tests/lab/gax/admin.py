"""Admin API (tests only): the lab's own view of its state, its knobs and its records.

One listener serves every instance of the process. `?instance=NAME` picks one; without it an
endpoint acts on all of them, and with several instances the answer is `{name: answer}`.
"""

import os
import re
from urllib.parse import parse_qs, urlsplit

from gax import web
from gax.schema import KNOWN_TYPES, WRITABLE_TYPES, GaxError, check_required, parse_body

OBJECT_PATH = re.compile(r'^/objects/([A-Za-z]+)/([^/]+)$')


def health(app, *_):
    return {'status': 'ok', 'pid': os.getpid(), 'instance': app.name, 'url': app.url,
            'objects': {t: len(app.store.list(t)) for t in ('CfgSwitch', 'CfgDN', 'CfgAgentLogin')}}


def reset(app, *_):
    """Back to the seed: objects, history, sessions, counters, and the profile's variants and faults."""
    app.store.reset()
    app.sessions.expire_all()
    app.knobs.restore()
    app.knobs.counters.clear()
    return {'reset': True}


def counters_reset(app, *_):
    app.knobs.counters.clear()
    return app.knobs.counters.snapshot()


def list_objects(app, query, _body):
    """Whole stored objects, write-only fields included; any other parameter filters by field."""
    cfg_type = query.get('type')
    if cfg_type not in KNOWN_TYPES:
        raise GaxError(400, 'LabBadRequest', 'name a type: ?type=CfgDN (known: %s)' % ', '.join(KNOWN_TYPES))
    filters = {k: v for k, v in query.items() if k not in ('type', 'instance')}
    return [o for o in app.store.list(cfg_type) if all(o.get(k) == v for k, v in filters.items())]


def create_object(app, _query, body):
    """Plant an object as an operator would in the GAX UI: the server's rules apply."""
    body = _mapping(body)
    cfg_type = body.get('type')
    if cfg_type not in WRITABLE_TYPES:
        raise GaxError(400, 'LabBadRequest', 'type must be one of %s' % ', '.join(WRITABLE_TYPES))
    fields = parse_body(cfg_type, body, app.knobs.variants)
    check_required(cfg_type, fields)
    return app.store.create(cfg_type, fields, app.knobs.variants, {'session': 'admin', 'user': 'lab-admin'})[0]


def read_object(app, _query, _body, cfg_type, dbid):
    return app.store.existing(cfg_type, dbid)


def history(app, query, _body):
    since = query.get('since', '0')
    if not since.isdigit():
        raise GaxError(400, 'LabBadRequest', 'since must be a history sequence number')
    return app.store.history(int(since), query.get('type'), query.get('action'))


ROUTES = {  # (method, path): handler(app, query, body) -> JSON answer
    ('GET', '/health'): health,
    ('POST', '/reset'): reset,
    ('GET', '/counters'): lambda app, *_: app.knobs.counters.snapshot(),
    ('POST', '/counters/reset'): counters_reset,
    ('GET', '/faults'): lambda app, *_: dict(app.knobs.faults),
    ('PUT', '/faults'): lambda app, _query, body: app.knobs.set_faults(_mapping(body)),
    ('GET', '/variants'): lambda app, *_: dict(app.knobs.variants),
    ('PUT', '/variants'): lambda app, _query, body: app.knobs.set_variants(_mapping(body)),
    ('GET', '/objects'): list_objects,
    ('POST', '/objects'): create_object,
    ('GET', '/history'): history,
    ('GET', '/duplicates'): lambda app, *_: app.store.duplicates(),
    ('GET', '/sessions'): lambda app, *_: app.sessions.snapshot(),
    ('POST', '/sessions/expire'): lambda app, *_: {'expired': app.sessions.expire_all()},
}


def _mapping(body):
    if not isinstance(body, dict):
        raise GaxError(400, 'LabBadRequest', 'the body must be a JSON object')
    return body


class AdminHandler(web.Handler):
    server_version = 'gax-lab-admin'

    def dispatch(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            body = web.parse_json(self.read_body())
            handler, args = self._route(url.path)
            apps = self._select(query.get('instance'))
            answers = {app.name: handler(app, query, body, *args) for app in apps}
            self.reply_json(200, answers[apps[0].name] if len(apps) == 1 else answers)
        except ValueError as exc:
            self.reply_json(400, {'error': str(exc)})
        except GaxError as exc:
            self.reply_json(exc.status, {'error': exc.message, 'code': exc.code})

    do_GET = do_POST = do_PUT = dispatch

    def _route(self, path):
        match = OBJECT_PATH.match(path)
        if match and self.command == 'GET':
            return read_object, match.groups()
        handler = ROUTES.get((self.command, path.rstrip('/') or '/'))
        if handler is None:
            raise GaxError(404, 'LabNotFound', 'no admin endpoint %s %s' % (self.command, path))
        return handler, ()

    def _select(self, name):
        apps = self.server.app
        if name is None:
            return apps
        chosen = [app for app in apps if app.name == name]
        if not chosen:
            raise GaxError(404, 'LabNotFound', 'no instance %r (have: %s)' % (name, ', '.join(a.name for a in apps)))
        return chosen
