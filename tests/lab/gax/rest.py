"""The GAX REST interface (`/gax/api/...`) as public clients use it: INTERFACES.md section 2."""

import hashlib
import html
import re
import secrets
import sqlite3
import threading
import time
from urllib.parse import parse_qs, urlsplit

from gax import web
from gax.control import WRITES
from gax.schema import (KNOWN_TYPES, WRITABLE_TYPES, GaxError, brief_view, check_required, parse_body,
                        public_view)

COOKIE = 'JSESSIONID'  # assumed (the research never saw the name); clients must not depend on it
LOGIN_PAGE = '/gax/login.html'
OBJECT_PATH = re.compile(r'^/gax/api/cfg/objects/([A-Za-z]+)/([^/]+)$')
ROUTES = [  # (method, path pattern, request kind, handler method, needs a session)
    ('POST', re.compile(r'^/gax/api/session/login$'), 'login', 'login', False),
    ('GET', re.compile(r'^/gax/api/user/info$'), 'user_info', 'user_info', True),
    ('GET', re.compile(r'^/gax/api/cfg/objects$'), 'list', 'list_objects', True),
    ('POST', re.compile(r'^/gax/api/cfg/objects$'), 'create', 'create', True),
    ('GET', OBJECT_PATH, 'read', 'read', True),
    ('PUT', OBJECT_PATH, 'update', 'update', True),
    ('DELETE', OBJECT_PATH, 'delete', 'delete', True),
    ('GET', re.compile(r'^/gax/login\.html$'), 'login_page', 'login_page', False),
]
LOGIN_HTML = ('<!DOCTYPE html><html><head><title>Genesys Administrator Extension</title></head><body>'
              '<form id="login" method="post" action="/gax/api/session/login"><input name="username">'
              '<input name="password" type="password"></form></body></html>')
ERROR_HTML = ('<!doctype html><html><head><title>HTTP Status %d</title></head><body><h1>HTTP Status %d</h1>'
              '<p><b>Message</b> %s</p><hr><h3>Apache Tomcat</h3></body></html>')


def _drop_password(cfg_type, fields, variants):
    """Variant agent_login_password: drop: a server that ignores the field without a word."""
    if cfg_type == 'CfgAgentLogin' and variants['agent_login_password'] == 'drop':
        fields.pop('password', None)


class Session:  # pylint: disable=too-few-public-methods
    def __init__(self, label, user):
        self.label, self.user, self.uses, self.last_used, self.live = label, user, 0, time.monotonic(), True


class Sessions:
    """Server-side HTTP sessions in memory: a restart logs every client out, as Tomcat does.

    Ended sessions stay listed (not live) so tests can tell which session wrote what.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.known = {}

    def open(self, user):
        with self.lock:
            cookie = secrets.token_hex(16).upper()
            self.known[cookie] = Session('S%d' % (len(self.known) + 1), user)
            return cookie

    def check(self, cookie, variants):
        """The live session of ``cookie``, counting this request; ``False`` if it just timed out, else ``None``."""
        with self.lock:
            session = self.known.get(cookie)
            if session is None or not session.live:
                return None
            every = variants['session_expire_every']
            if time.monotonic() - session.last_used > variants['session_idle_timeout'] \
                    or (every and session.uses >= every):
                session.live = False
                return False
            session.uses += 1
            session.last_used = time.monotonic()
            return session

    def expire_all(self):
        with self.lock:
            live = [s for s in self.known.values() if s.live]
            for session in live:
                session.live = False
            return len(live)

    def snapshot(self):
        with self.lock:
            return [{'session': s.label, 'user': s.user, 'cookie': cookie, 'live': s.live, 'requests': s.uses,
                     'idle_seconds': round(time.monotonic() - s.last_used, 3)} for cookie, s in self.known.items()]


class GaxApp:
    """One emulated GAX: its Configuration Server store, its users, sessions and knobs."""

    def __init__(self, name, store, knobs, users, url):
        self.name, self.store, self.knobs, self.users, self.url = name, store, knobs, users, url
        self.sessions = Sessions()


class RestHandler(web.Handler):
    server_version = 'Apache-Coyote/1.1'

    @property
    def app(self):
        return self.server.app

    def dispatch(self):
        url = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        raw = self.read_body()  # always read it, so the next request on the connection parses
        try:
            self.json, self.bad_json = web.parse_json(raw), None
        except ValueError as exc:
            self.json, self.bad_json = None, str(exc)
        self.session = None
        route, match = self._route(url.path)
        self.kind = route[2] if route else 'other'
        self.cfg_type = self._type_of(match)
        knobs = self.app.knobs
        knobs.counters.request(self.kind, self.cfg_type)
        if knobs.fires('slow', self.kind):
            time.sleep(knobs.faults['slow_seconds'])
        # how web.reply sends the answer (faults drip and oversize)
        self.drip = knobs.faults['drip_seconds'] if knobs.fires('drip', self.kind) else 0
        self.oversize = knobs.faults['oversize_bytes'] if knobs.fires('oversize', self.kind) else 0
        if knobs.fires('reset', self.kind):
            knobs.counters.bump('status', 'reset')
            self.drop_connection()
        elif knobs.fires('error', self.kind):
            self.fail(GaxError(knobs.faults['error_status'], 'InternalError', 'Internal server error'))
        else:
            self._serve(url.path, route, match)

    do_GET = do_POST = do_PUT = do_DELETE = dispatch

    def _serve(self, path, route, match):
        counters = self.app.knobs.counters
        try:
            if route is None:
                raise self._no_route(path)
            if route[4] and not self._authenticate():
                return
            if self.kind in WRITES and self.app.knobs.variants['csrf'] == 'required':
                token = hashlib.sha256(('csrf:' + self.session.label).encode()).hexdigest()[:32]
                if self.headers.get('X-CSRF-TOKEN') != token:
                    counters.bump('status', '403')
                    if self.kind in WRITES:
                        counters.write_done(self.kind, self.cfg_type, False)
                    self.reply(403, web.encode({'status': 403, 'errorCode': 'CSRFTokenInvalid',
                                                'message': 'Invalid or missing CSRF token (X-CSRF-TOKEN)'}),
                               headers=[('X-CSRF-TOKEN', token)])
                    return
            getattr(self, route[3])(*match.groups())
            if self.kind in WRITES:
                counters.write_done(self.kind, self.cfg_type, True)
        except GaxError as exc:
            if self.kind in WRITES:
                counters.write_done(self.kind, self.cfg_type, False)
            self.fail(exc)
        except sqlite3.IntegrityError as exc:  # the database caught what a rule check missed
            self.fail(GaxError(500, 'CFGInternal', 'Database constraint: %s' % exc))

    def _route(self, path):
        for method, pattern, *rest in ROUTES:
            match = pattern.match(path)
            if match and method == self.command:
                return (method, pattern, *rest), match
        return None, None

    def _type_of(self, match):
        """The object type a request is about, for the counters."""
        if self.kind == 'list':
            return self.query.get('type')
        if self.kind == 'create':
            found = self.json.get('type') if isinstance(self.json, dict) else None
            return found if isinstance(found, str) else None
        return match.group(1) if self.kind in ('read', 'update', 'delete') else None

    def _no_route(self, path):
        if any(route[1].match(path) for route in ROUTES):
            return GaxError(405, 'MethodNotAllowed', 'Method %s is not allowed on %s' % (self.command, path))
        return GaxError(404, 'NotFound', 'No resource at %s' % path)

    # ----- answers
    def answer(self, status, value=None, headers=()):
        self.app.knobs.counters.bump('status', str(status))
        if isinstance(value, str):
            self.reply(status, value.encode('utf-8'), 'text/html;charset=utf-8', headers)
        else:
            self.reply(status, b'' if value is None else web.encode(value), headers=headers)

    def fail(self, exc):
        """An error in the variant's body format: JSON, an HTML error page, or nothing."""
        style = self.app.knobs.variants['error_body']
        body = {'status': exc.status, 'errorCode': exc.code, 'message': exc.message} if style == 'json' else None
        if style == 'html':
            body = ERROR_HTML % (exc.status, exc.status, html.escape(exc.message))
        self.answer(exc.status, body)

    def _authenticate(self):
        cookie = self._cookie()
        session = self.app.sessions.check(cookie, self.app.knobs.variants) if cookie else None
        if session:
            self.session = session
            return True
        self.app.knobs.counters.bump('sessions', 'expired' if session is False else 'no_session')
        if self.app.knobs.variants['expired_session'] == 302:
            host = self.headers.get('Host') or '%s:%d' % self.server.server_address[:2]
            scheme = 'https' if self.server.tls else 'http'
            self.answer(302, headers=[('Location', '%s://%s%s' % (scheme, host, LOGIN_PAGE))])
        else:
            self.fail(GaxError(401, 'SessionExpired', 'The session has expired or is not authenticated'))
        return False

    def _cookie(self):
        for part in (self.headers.get('Cookie') or '').split(';'):
            name, value = (part.strip().split('=', 1) + [''])[:2]
            if name == COOKIE:
                return value
        return None

    def _body(self):
        if not (self.headers.get('Content-Type') or '').lower().startswith('application/json'):
            raise GaxError(415, 'UnsupportedMediaType', 'Content-Type must be application/json')
        if self.bad_json:
            raise GaxError(400, 'BadRequest', self.bad_json)
        return self.json

    def _actor(self):
        return {'session': self.session.label, 'user': self.session.user,
                'client': '%s:%d' % self.client_address[:2], 'user_agent': self.headers.get('User-Agent')}

    # ----- routes
    def login(self):
        body = self._body()
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ('username', 'password')):
            raise GaxError(400, 'BadRequest', 'Login needs "username" and "password" strings')
        known = self.app.users.get(body['username'])
        # The UI's password obfuscation is not emulated: an "encrypted" password never matches.
        if known is None or body.get('isPasswordEncrypted') not in (False, None) or known != body['password']:
            self.app.knobs.counters.bump('sessions', 'login_failures')
            raise GaxError(401, 'LoginFailed', 'Login failed: wrong user name or password')
        cookie = self.app.sessions.open(body['username'])
        self.app.knobs.counters.bump('sessions', 'logins')
        secure = '; Secure' if self.server.tls else ''
        self.answer(204, headers=[('Set-Cookie', '%s=%s; Path=/gax; HttpOnly%s' % (COOKIE, cookie, secure))])

    def user_info(self):
        user = self.session.user
        # Field names from the research (GOGEN LoginResponse); the userType value is assumed.
        self.answer(200, {'username': user, 'userType': 'CONFIG', 'isDefaultUser': user == 'default',
                          'sessionTimeout': self.app.knobs.variants['session_idle_timeout'], 'writeDefault': True})

    def login_page(self):
        self.answer(200, LOGIN_HTML)

    def list_objects(self):
        cfg_type = self._known_type(self.query.get('type'))
        brief = self.query.get('brief', str(self.app.knobs.variants['brief_default'])).lower() == 'true'
        filters = {k: v for k, v in self.query.items() if k not in ('type', 'brief')}
        if self.app.knobs.variants['list_filters'] == 'name':
            filters = {k: v for k, v in filters.items() if k == 'name'}  # the rest is silently ignored
        visible = [public_view(cfg_type, o) for o in self.app.store.list(cfg_type)]
        found = [o for o in visible if all(o.get(k) == v for k, v in filters.items())]
        cap, headers = self.app.knobs.variants['list_cap'], []
        if cap and len(found) > cap:  # a server that cuts long lists, saying how many there were
            headers = [('X-Total-Count', str(len(found)))]
            found = found[:cap]
        self.answer(200, [brief_view(o) for o in found] if brief else found, headers)

    def read(self, cfg_type, dbid):
        self._known_type(cfg_type)
        self.answer(200, public_view(cfg_type, self.app.store.existing(cfg_type, dbid)))

    def create(self):
        body = self._body()
        cfg_type = self._writable_type(body.get('type') if isinstance(body, dict) else None)
        fields = parse_body(cfg_type, body, self.app.knobs.variants)
        check_required(cfg_type, fields)
        knobs = self.app.knobs
        if knobs.variants['create_folder'] == 'required' and fields.get('folderid', '') in ('', '0'):
            raise GaxError(400, 'CFGValueOutOfRange', 'folderid is required to create %s' % cfg_type)
        _drop_password(cfg_type, fields, knobs.variants)
        obj, lost = self.app.store.create(cfg_type, fields, knobs.variants, self._actor(),
                                          lambda: knobs.fires('lost_create', 'create'))
        if lost:  # committed, but the client never hears of it
            knobs.counters.bump('status', 'reset')
            self.drop_connection()
            return
        status = knobs.variants['create_status']
        headers = [('Location', '/gax/api/cfg/objects/%s/%s' % (cfg_type, obj['dbid']))] if status == 201 else []
        body = public_view(cfg_type, obj) if knobs.variants['create_body'] == 'object' else None
        self.answer(status, body, headers)

    def update(self, cfg_type, dbid):
        self._writable_type(cfg_type)
        body = self._body()
        if isinstance(body, dict):
            for key, expected in (('type', cfg_type), ('dbid', dbid)):
                if key in body and body[key] != expected:
                    raise GaxError(400, 'CFGValueOutOfRange', "Body %s '%s' does not match the URL (%s)"
                                   % (key, body[key], expected))
        fields = parse_body(cfg_type, body, self.app.knobs.variants)
        _drop_password(cfg_type, fields, self.app.knobs.variants)
        obj = self.app.store.update(cfg_type, dbid, fields, self.app.knobs.variants, self._actor())
        status = self.app.knobs.variants['update_status']
        self.answer(status, public_view(cfg_type, obj) if status == 200 else None)

    def delete(self, cfg_type, dbid):
        self._writable_type(cfg_type)
        self.app.store.delete(cfg_type, dbid, self._actor())
        self.answer(self.app.knobs.variants['delete_status'])

    @staticmethod
    def _known_type(cfg_type):
        if not cfg_type:
            raise GaxError(400, 'BadRequest', 'Parameter "type" is required')
        if cfg_type not in KNOWN_TYPES:
            raise GaxError(400, 'BadRequest', "Unknown object type '%s'" % cfg_type)
        return cfg_type

    def _writable_type(self, cfg_type):
        if self._known_type(cfg_type) not in WRITABLE_TYPES:
            raise GaxError(403, 'CFGNoPermission', 'User %s has no permission to change %s objects'
                           % (self.session.user, cfg_type))
        return cfg_type
