# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GAX (Genesys Administrator Extension) REST client: one session, retries, no duplicates.

Everything that talks HTTP to GAX lives here. What it tolerates (INTERFACES.md section 3): any 2xx
on a write, with or without a body; error bodies in JSON, HTML or nothing; a session that expires
between two requests (401, a redirect, or a login page where JSON was expected); transient faults
(connection reset, timeout, 5xx), retried with backoff; a create whose answer was lost, which is
looked for before it is tried again.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import re
import threading
import time
import traceback

from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import (
    AnswerRefused, InputError, OperatorError, RemoteError, SecretMasker, call_with_retries, read_answer,
    session_proxies, warn_insecure_tls, warn_plain_http,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import objects

try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

API = '/gax/api'
LOGIN_PATH = API + '/session/login'
OBJECTS_PATH = API + '/cfg/objects'

ATTEMPTS = 6
"""Tries per request (5 retries): at a 10 % fault rate, 1 request in a million still fails."""

DETAIL_MAX = 300


class NotFound(RemoteError):
    """GAX answered 404."""


class _Expired(Exception):
    """GAX answered as if the session were gone: 401, a redirect, or an HTML page."""

    def __init__(self, how):
        self.how = how
        super(_Expired, self).__init__(how)


class _TextOfHtml(HTMLParser):
    """The visible text of an HTML error page."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.parts = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ('script', 'style'):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ('script', 'style') and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def html_text(markup):
    parser = _TextOfHtml()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # pylint: disable=broad-except
        # A page too broken to parse still says something: fall back to stripping the tags.
        return re.sub(r'<[^>]*>', ' ', markup)
    return ' '.join(parser.parts)


def _decode(content):
    try:
        return content.decode('utf-8')
    except UnicodeDecodeError:
        # Some GAX installations answer in the server's ANSI code page.
        return content.decode('latin-1')


def _json_message(data):
    """The human part of a JSON error body, whatever its shape."""
    if isinstance(data, dict):
        for key in ('message', 'errorMessage', 'error_message', 'statusMessage', 'error', 'detail',
                    'description', 'reason', 'status'):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, dict):
                inner = _json_message(value)
                if inner:
                    return inner
    return json.dumps(data, sort_keys=True, separators=(',', ':'))


def _is_html(response):
    if 'html' in response.headers.get('Content-Type', '').lower():
        return True
    return response.content.lstrip()[:1] == b'<'


def _shorten(text):
    text = ' '.join(text.split())
    return text if len(text) <= DETAIL_MAX else text[:DETAIL_MAX - 3] + '...'


def _connection_reason(exc):
    """A short reason for a requests connection error (its str() nests three exceptions)."""
    text = str(exc)
    for marker in ('connection refused', 'connection reset', 'remote end closed connection without response',
                   'connection aborted', 'read timed out', 'timed out', 'no route to host',
                   'certificate verify failed', 'wrong version number', 'incompleteread'):
        if marker in text.lower():
            return marker
    return _shorten(text)


RELOGINS_PER_REQUEST = 10
"""How many times one request may meet an expired session (and log in again) while other requests of the
same session get answers: parallel writes share a session, and a GAX that expires it by count or time
expires it under several of them at once."""


class GaxClient:
    """A logged-in GAX session for one module run.

    ``masker`` holds every secret of the run; each message this client builds goes through it.

    Safe to share between the threads of one run (core.py writes in parallel): the login, a re-login
    after the session expired and the CSRF token are each done once, under one lock, whichever thread
    meets them, once the requests under way have their answers (no request is under way while the
    session's cookie changes); a request that went out on the old session is sent again on the new one. The first
    write of each session goes alone, so a GAX that asks for a CSRF token refuses one write, not one per
    thread: the requests are those of the same run one after another.
    """

    def __init__(self, url, username, password, validate_certs=True, ca_path=None, timeout=30,
                 masker=None, attempts=ATTEMPTS, sleep=time.sleep, use_proxy=False):
        if not HAS_REQUESTS:
            raise OperatorError('GAX client', 'the Python library requests is not installed',
                                'install requests on the host that runs the module')
        self.url = self._base_url(url)
        self.subject = 'GAX %s' % self.url
        self.username = username
        self._password = password
        self.timeout = timeout
        self.attempts = attempts
        self.sleep = sleep
        self.masker = masker if masker is not None else SecretMasker()
        self.masker.add(password)
        if ca_path and not os.path.exists(ca_path):
            raise InputError(self.subject, 'ca_path %s does not exist' % ca_path,
                             'give the path of the CA bundle (PEM) that signed GAX\'s certificate')
        if not validate_certs:
            self.verify = False
            self._quiet_insecure_warning()
            if self.url.startswith('https:'):
                warn_insecure_tls('GAX', 'GAX_CA_PATH')
        else:
            self.verify = ca_path or True
        self.http = requests.Session()
        session_proxies(self.http, self.url, use_proxy)   # common.py: the one proxy policy of both clients
        if self.url.startswith('http:'):
            warn_plain_http('GAX', 'an http:// gax_url', 'an https:// gax_url with validate_certs and ca_path')
        self.http.headers.update({'Accept': 'application/json'})
        self._lock = threading.Condition(threading.RLock())   # the session's state below, and the write gate
        self._logged_in = False
        self._session_confirmed = False
        self._generation = 0         # +1 at each login: which session a request went out on
        self._served = 0             # answers of the current session that were not "expired"
        self._sent = 0               # requests sent in the current session
        self._under_way = 0          # requests of the session sent and not yet answered
        self._logging_in = False     # a login waits for them, and no request starts meanwhile
        self._csrf_token = None      # echoed in objects.CSRF_HEADER once a GAX asked for it
        self._write_probe = False    # a write is out alone, the first of its session (see _write_turn)
        self._writes_settled = None  # the session whose first write was answered without a CSRF refusal
        self._local = threading.local()   # last_response: each thread's own
        self.cut_lists = {}          # cfg type -> why its last listing looks cut (checked before a create)
        self._folders = None         # CfgFolder objects, read once per run before the first create
        self._folders_lock = threading.Lock()

    @property
    def last_response(self):
        """The last answer this thread received (``list`` reads its headers)."""
        return getattr(self._local, 'response', None)

    @last_response.setter
    def last_response(self, response):
        self._local.response = response

    def parallel(self, count):
        """Keep up to ``count`` connections open, one per thread writing (requests keeps 10 by default)."""
        if count > requests.adapters.DEFAULT_POOLSIZE:
            for prefix in ('http://', 'https://'):
                self.http.mount(prefix, requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=count))

    @classmethod
    def from_params(cls, params, masker=None, **kwargs):
        """A client from the modules' connection options (see the genesys doc fragment)."""
        return cls(params.get('gax_url'), params.get('username'), params.get('password'),
                   validate_certs=params.get('validate_certs', True) is not False,
                   ca_path=params.get('ca_path'), timeout=params.get('timeout') or 30,
                   use_proxy=bool(params.get('use_proxy')), masker=masker, **kwargs)

    @staticmethod
    def _base_url(url):
        text = (url or '').strip().rstrip('/')
        parts = urlsplit(text)
        if parts.scheme not in ('http', 'https') or not parts.netloc:
            raise InputError('GAX %s' % (url or '(no gax_url)'), 'gax_url is not an http(s) URL',
                             'give the GAX address as http(s)://host:port, for example http://127.0.0.3:8080')
        # Accept the API root as well as the server's address.
        if text.endswith(API):
            text = text[:-len(API)]
        return text

    @staticmethod
    def _quiet_insecure_warning():
        try:
            from urllib3.exceptions import InsecureRequestWarning  # pylint: disable=import-outside-toplevel
            import urllib3  # pylint: disable=import-outside-toplevel
            urllib3.disable_warnings(InsecureRequestWarning)
        except ImportError:  # pragma: no cover - urllib3 comes with requests
            pass

    # --- one exchange -----------------------------------------------------------------------------

    def _error(self, cause, fix=None, status=None, endpoint=None, transient=False, cls=RemoteError):
        return cls(self.subject, self.masker.text(cause), fix, status=status, endpoint=endpoint, transient=transient)

    def detail(self, response):
        """The server's words in an answer: a JSON message, the text of an HTML page, or 'empty body'."""
        text = _decode(response.content).strip()
        if not text:
            return 'empty body'
        if text[:1] in '{[':
            try:
                text = _json_message(json.loads(text))
            except ValueError:
                pass
        elif _is_html(response):
            text = html_text(text) or 'an HTML page without text'
        return _shorten(self.masker.text(text))

    def _status(self, response):
        return 'HTTP %d %s: %s' % (response.status_code, response.reason or '', self.detail(response))

    def _send(self, method, path, body=None, params=None, timeout=None, token=None):
        endpoint = '%s %s' % (method, path)
        started = time.monotonic()
        timeout = timeout or self.timeout
        # The token goes with each request, not in the shared session's headers another thread may be reading.
        headers = {objects.CSRF_HEADER: token} if token else None
        try:
            response = self.http.request(method, self.url + path, json=body, params=params, timeout=timeout,
                                         verify=self.verify, allow_redirects=False, stream=True, headers=headers)
            return read_answer(response, started + timeout)   # the whole answer within timeout, capped
        except AnswerRefused as exc:
            raise self._error(exc.cause, exc.fix, endpoint=endpoint, transient=exc.transient)
        except requests.exceptions.SSLError as exc:
            raise self._error(
                'TLS handshake failed (%s)' % _connection_reason(exc),
                'check that gax_url says https only for a TLS port; if the certificate is not trusted, set ca_path '
                '(or GAX_CA_PATH) to the CA bundle that signed it, or validate_certs: false to skip the check in a lab',
                endpoint=endpoint)
        except requests.exceptions.Timeout:
            raise self._error('no answer within %s s' % timeout,
                              'check that GAX is up, or raise timeout', endpoint=endpoint, transient=True)
        except requests.exceptions.ConnectionError as exc:
            raise self._error('cannot talk to GAX (%s)' % _connection_reason(exc),
                              'check gax_url and that GAX is running and reachable', endpoint=endpoint, transient=True)
        except requests.exceptions.RequestException as exc:
            raise self._error('request failed (%s)' % _shorten(str(exc)), 'check gax_url', endpoint=endpoint)

    def login(self):
        """Open the session (``POST session/login``; GAX answers 204 and sets a cookie)."""
        with self._lock:
            self._wait_login()
            self._login()

    def _wait_login(self):
        """With the lock held: until another thread's login is done (it waits for requests under way
        with the lock released, so another thread could otherwise start a second one)."""
        while self._logging_in:
            self._lock.wait()

    def _login(self):
        """The login, with the lock held: once no request is under way (the cookie jar is not shared
        with a request being prepared), and none starts until it is done."""
        self._logging_in = True
        try:
            while self._under_way:
                self._lock.wait()
            self._login_alone()
        finally:
            self._logging_in = False
            self._lock.notify_all()

    def _login_alone(self):
        endpoint = 'POST %s' % LOGIN_PATH
        self.http.cookies.clear()
        self._logged_in = False
        self._session_confirmed = False
        response = self._send('POST', LOGIN_PATH, {
            'username': self.username, 'password': self._password, 'isPasswordEncrypted': False})
        status = response.status_code
        if 200 <= status < 300:
            self._logged_in = True
            self._generation += 1
            self._served = self._sent = 0
            return
        if status in (401, 403):
            raise self._error("login as '%s' refused (%s)" % (self.username, self._status(response)),
                              'check username and password (or GAX_USERNAME and GAX_PASSWORD)',
                              status=status, endpoint=endpoint)
        if status in (404, 405) or (200 <= status < 300 and _is_html(response)):
            # Another web server (a portal, a phone, a wrong port) answers there, not GAX's REST API.
            raise self._error('no GAX REST login at %s (%s)' % (LOGIN_PATH, self._status(response)),
                              'check that gax_url points at GAX itself: its scheme, host and port',
                              status=status, endpoint=endpoint)
        if 300 <= status < 400:
            raise self._error('the login was redirected to %s' % response.headers.get('Location', '(nowhere)'),
                              'check gax_url: the scheme, host and port of GAX itself', status=status, endpoint=endpoint)
        raise self._error('login failed (%s)' % self._status(response),
                          'check gax_url, and that GAX is connected to its Configuration Server',
                          status=status, endpoint=endpoint, transient=status >= 500)

    @staticmethod
    def _expired(response):
        status = response.status_code
        if status == 401:
            return 'HTTP 401'
        if 300 <= status < 400:
            return 'a redirect to %s' % response.headers.get('Location', '(nowhere)')
        if 200 <= status < 300 and _is_html(response):
            return 'an HTML page where JSON was expected'
        return None

    def _session(self):
        """The current session (logged in first if none is open): its generation."""
        with self._lock:
            self._wait_login()
            if not self._logged_in:
                self._login()
            return self._generation

    def _send_in_session(self, method, path, body, params, timeout, token):
        """``(answer, first)``: ``_send``, counted as under way (a login waits for it, and it waits for a
        login); ``first`` when no other request went out in the session before it."""
        with self._lock:
            self._wait_login()
            self._under_way += 1
            self._sent += 1
            first = self._sent == 1
        try:
            return self._send(method, path, body, params, timeout, token), first
        finally:
            with self._lock:
                self._under_way -= 1
                self._lock.notify_all()

    def _relogin(self, generation):
        """Log in again unless another thread already did since a request went out on ``generation``."""
        with self._lock:
            self._wait_login()
            if not self._logged_in or self._generation == generation:
                self._login()

    def _write_turn(self):
        """Before a write goes out: whether it is the first of its session, which goes alone (True), or
        may go at once (False): the first one answered (not refused for a CSRF token) opens the gate."""
        with self._lock:
            while self._writes_settled != self._generation:
                if not self._write_probe:
                    self._write_probe = True
                    return True
                self._lock.wait()
            return False

    def _write_answered(self, generation, settled):
        with self._lock:
            self._write_probe = False
            if settled and generation == self._generation:
                self._writes_settled = generation
            self._lock.notify_all()

    def _exchange(self, method, path, body=None, params=None, timeout=None):
        """One request in the session; logs in first, and once more if the session has expired.
        A 403 that asks for a CSRF token is answered once with the token echoed."""
        endpoint = '%s %s' % (method, path)
        write = method not in ('GET', 'HEAD')
        expiries, echoed = 0, None
        while True:
            generation = self._session()
            probe = write and self._write_turn()
            settled = False
            try:
                token = self._csrf_token
                response, first = self._send_in_session(method, path, body, params, timeout, token)
                how = self._expired(response)
                if how:
                    expiries += 1
                    with self._lock:
                        # The first request of the session this went out on, nothing answered on it, and none
                        # newer: GAX refuses even a fresh session (a portal in front of it?), which no new login
                        # mends. A request that went out after others of its session may have met a session the
                        # others used up (a GAX that expires sessions by count or time): a new login, again -
                        # bounded, since every round some request of the session was sent before it.
                        fresh = self._generation == generation and not self._served and first
                    if expiries > 1 and (fresh or expiries > max(self.attempts, RELOGINS_PER_REQUEST)):
                        raise self._error(
                            ('GAX answered %s right after a fresh login (%s)' if fresh else
                             'GAX answered %s to this request after each of ' + str(expiries - 1) + ' new logins (%s)')
                            % (how, self._status(response)),
                            'check that gax_url points at GAX itself (not a portal in front of it) and that the user may '
                            'use its API', status=response.status_code, endpoint=endpoint)
                    self._relogin(generation)
                    continue
                with self._lock:
                    if self._generation == generation:
                        self._served += 1
                if self._csrf_asked(response):
                    asked = response.headers.get(objects.CSRF_HEADER)
                    if asked and asked != token and echoed != generation:
                        with self._lock:
                            self._csrf_token = asked
                        echoed = generation
                        continue
                    raise self._error('GAX refused the request for want of a CSRF token (%s)' % self._status(response),
                                      'this GAX protects writes with a CSRF token the collection %s; capture the login '
                                      'and one write of GAX Administrator and correct CSRF_HEADER in '
                                      'plugins/module_utils/genesys/objects.py' % (
                                          'echoed in %s and it still refused' % objects.CSRF_HEADER if asked
                                          else 'could not find in the answer'),
                                      status=response.status_code, endpoint=endpoint)
                settled = response.status_code < 500
                break
            finally:
                if probe:
                    self._write_answered(generation, settled)
        self.last_response = response
        answer = self._answer(method, path, response)
        if method == 'GET' and answer is not None:
            self._session_confirmed = True     # a read in this session answered: the login holds
        return answer

    @staticmethod
    def _csrf_asked(response):
        """A 403 that carries a CSRF token header or speaks of CSRF."""
        if response.status_code != 403:
            return False
        return bool(response.headers.get(objects.CSRF_HEADER)) or 'csrf' in _decode(response.content).lower()

    def confirm_session(self):
        """Before the first write: prove the session with a read, once: any read of this session that
        answered JSON counts (the module's listings do), else ``GET user/info``."""
        if not self._session_confirmed:
            self.request('GET', API + objects.SESSION_CHECK_PATH)
            self._session_confirmed = True

    def _answer(self, method, path, response):
        endpoint = '%s %s' % (method, path)
        status = response.status_code
        if 200 <= status < 300:
            if not response.content.strip():
                return None
            try:
                return json.loads(_decode(response.content))
            except ValueError:
                if method == 'GET':
                    raise self._error('the answer is not JSON (%s)' % self._status(response),
                                      'check that gax_url points at GAX', status=status, endpoint=endpoint)
                return None  # a write answered with something else than the object: it is re-read anyway
        if status == 404:
            raise self._error('not found (%s)' % self._status(response), None, status=status, endpoint=endpoint,
                              cls=NotFound)
        return self._failure(response, endpoint)

    def _failure(self, response, endpoint):
        status = response.status_code
        if status >= 500:
            raise self._error('GAX failed (%s)' % self._status(response),
                              'retry later; if it persists, check GAX and its Configuration Server logs',
                              status=status, endpoint=endpoint, transient=True)
        if status == 403:
            fix = 'give the GAX user write permission on these objects (access group, folder permissions)'
        else:
            fix = 'correct what the server\'s words (quoted) point at, in the task\'s input or in GAX Administrator'
        raise self._error('GAX refused the request (%s)' % self._status(response), fix, status=status, endpoint=endpoint)

    def request(self, method, path, body=None, params=None, timeout=None):
        """An idempotent request, retried with backoff on transient faults."""
        return call_with_retries(lambda: self._exchange(method, path, body, params, timeout),
                                 attempts=self.attempts, sleep=self.sleep)

    # --- objects ----------------------------------------------------------------------------------

    def list(self, cfg_type, switch_dbid=None):
        """Every object of a type (``GET cfg/objects?type=...&brief=false``), as a list; with
        ``switch_dbid`` the server is asked to filter by switch (the caller filters again). A longer
        timeout than single calls; a listing that looks cut is noted in ``cut_lists``."""
        params = {'type': cfg_type, 'brief': 'false'}
        if switch_dbid:
            params['switchdbid'] = str(switch_dbid)
        data = self.request('GET', OBJECTS_PATH, params=params, timeout=self.timeout * objects.LIST_TIMEOUT_FACTOR)
        self.cut_lists.pop(cfg_type, None)
        if isinstance(data, list):
            hint = next((self.last_response.headers.get(name) for name in objects.LIST_SIZE_HEADERS
                         if self.last_response is not None and self.last_response.headers.get(name)), None)
            if hint and hint.strip().isdigit() and int(hint) > len(data):
                self.cut_lists[cfg_type] = 'it answered %d objects but said there are %s (%s)' % (
                    len(data), hint.strip(), ', '.join(objects.LIST_SIZE_HEADERS))
            elif data and len(data) % objects.LIST_ROUND_COUNT == 0:
                self.cut_lists[cfg_type] = 'it answered exactly %d objects, a round number that looks like a cap' % len(data)
        if data is None:
            return []
        if not isinstance(data, list):
            raise self._error('the list of %s objects is not a JSON array (%s)' % (cfg_type, type(data).__name__),
                              'check that gax_url points at GAX', endpoint='GET %s?type=%s' % (OBJECTS_PATH, cfg_type))
        return [obj for obj in data if isinstance(obj, dict)]

    def default_folder(self, cfg_type, switch_dbid):
        """The switch's default folder for ``cfg_type`` (its DBID), or None; CfgFolder read once per run."""
        with self._folders_lock:   # one listing, whichever thread asks first
            if self._folders is None:
                self._folders = self.list(objects.FOLDER_TYPE)
        for folder in self._folders:
            if (str(folder.get('subtype')), str(folder.get(objects.FOLDER_OWNER_FIELD)), str(folder.get('folderclass'))) \
                    == (objects.FOLDER_SUBTYPES.get(cfg_type), str(switch_dbid), objects.FOLDER_DEFAULT_CLASS):
                return str(folder.get('dbid'))
        return None

    def create(self, body, find):
        """Create an object; returns what GAX answered (the object, or None for an empty answer).

        ``find()`` returns the object if it exists already. A create that failed transiently may have
        been done all the same (its answer lost), so ``find()`` is asked before each new try.
        """
        tried = []

        def attempt():
            if tried:
                found = find()
                if found is not None:
                    return found
            tried.append(True)
            data = self._exchange('POST', OBJECTS_PATH, body)
            return data if isinstance(data, dict) else None
        return call_with_retries(attempt, attempts=self.attempts, sleep=self.sleep)

    def _object_path(self, cfg_type, dbid):
        return '%s/%s/%s' % (OBJECTS_PATH, cfg_type, quote(str(dbid), safe=''))

    def read(self, cfg_type, dbid):
        """One object as GAX holds it now (``GET cfg/objects/<type>/<dbid>``); ``NotFound`` when gone."""
        data = self.request('GET', self._object_path(cfg_type, dbid))
        if not isinstance(data, dict):
            raise self._error('%s %s is not a JSON object (%s)' % (cfg_type, dbid, type(data).__name__),
                              'check that gax_url points at GAX', endpoint='GET %s' % self._object_path(cfg_type, dbid))
        return data

    def update(self, cfg_type, dbid, body):
        """Replace the whole object (``PUT``); ``body`` is the object as read, with the changes made."""
        self.request('PUT', self._object_path(cfg_type, dbid), body)

    def delete(self, cfg_type, dbid):
        """Delete an object; one already gone (a retry after a lost answer) is fine."""
        try:
            self.request('DELETE', self._object_path(cfg_type, dbid))
        except NotFound:
            pass
