# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The web client of one AudioCodes 400HD phone: session, retries, pages, upload, reboot wait.

One session per module run. Transient faults (connection refused or reset, timeouts, 5xx) are
retried with backoff; a session that expired (the phone answers with its login page) is renewed
once and the request repeated. The client never logs a request body and talks only to the
address it was given: links and redirects are followed on that address alone.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import contextlib
import os
import posixpath
import time
import warnings

try:
    from urllib.parse import urljoin, urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urljoin, urlsplit

try:
    import requests
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the modules
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import (
    AnswerRefused, InputError, OperatorError, RemoteError, call_with_retries, read_answer, session_proxies,
    warn_insecure_tls, warn_plain_http,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import keys, pages, scrape
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.cfgfile import ConfigFile

USER_AGENT = 'telephony.genesys_audiocodes'
RETRY_ATTEMPTS = 5      # tries per request (backoff 0.5, 1, 2, 4 s at most): at 5 % faults, 3 in 10 million fail
RESTARTS_WAITED = 2      # restarts of the phone one request waits out (each bounded by restart_wait)
RESTART_WAIT = 300       # seconds a restart may take when the module has no reboot_timeout
MAX_REDIRECTS = 5
UNREACHABLE = ('connection refused', 'no route to host', 'host unreachable')
PAGES_FIX = ("this firmware may differ from what the collection assumes: correct "
             "plugins/module_utils/audiocodes/pages.py from a capture of the phone's web interface")


class LoginRefused(RemoteError):
    """The phone refused the credentials (a wrong password, not a fault): the caller may try another one."""


class Snapshot(object):
    """What manu_config.htm showed and the configuration file it links to."""

    def __init__(self, url, data, form):
        self.url = url
        self.data = data
        self.form = form
        self.config = ConfigFile.from_bytes(data)

    @property
    def name(self):
        return posixpath.basename(urlsplit(self.url).path)

    @property
    def values(self):
        return self.config.values()


@contextlib.contextmanager
def _nothing():
    yield


def _reason(exc):
    """A short cause for a connection failure, without the library's wrapping."""
    text = str(exc).lower()
    for needle, reason in (('refused', 'connection refused'), ('reset', 'connection reset'),
                           ('timed out', 'timed out'), ('timeout', 'timed out'),
                           ('aborted', 'connection aborted'), ('remotedisconnected', 'connection closed'),
                           ('name or service', 'name not resolved'), ('no route', 'no route to host'),
                           ('unreachable', 'host unreachable')):
        if needle in text:
            return reason
    return exc.__class__.__name__


def _to_login(target):
    """Whether a URL or path is a page of the login chain (login.cgi, login_redirect.htm)."""
    path = urlsplit(target).path.lower()
    return any(path.endswith(login) for login in pages.LOGIN_REDIRECT_PATHS)


class PhoneClient(object):
    """HTTP(S) to one phone's web interface."""

    def __init__(self, host, port=None, use_https=True, validate_certs=True, ca_path=None,
                 username='admin', password='', timeout=30, sleep=time.sleep, clock=time.monotonic,
                 restart_wait=RESTART_WAIT, use_proxy=False):
        if not HAS_REQUESTS or not scrape.HAS_LXML:
            raise OperatorError('phone %s' % host, 'the Python libraries requests and lxml are needed',
                                'install them on the host that runs the module (pip install requests lxml)')
        self.host = host
        self.subject = 'phone %s' % host
        netloc = '[%s]' % host if ':' in host and not host.startswith('[') else host
        if port:
            netloc = '%s:%d' % (netloc, int(port))
        self.base = '%s://%s' % ('https' if use_https else 'http', netloc)
        self.username = username
        self._password = password or ''
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.http = requests.Session()
        session_proxies(self.http, self.base, use_proxy)   # common.py: the one proxy policy of both clients
        self.http.verify = (ca_path or True) if validate_certs else False
        if validate_certs and ca_path and not os.path.isfile(ca_path):
            raise InputError(self.subject, 'ca_path %s is not a file' % ca_path,
                             "give the path of the CA bundle (PEM) that signed the phone's certificate "
                             "(ca_path or AUDIOCODES_CA_PATH)")
        if use_https and not validate_certs:
            warn_insecure_tls('phones', 'AUDIOCODES_CA_PATH')
        if not use_https:
            warn_plain_http('phones', 'use_https: false', 'use_https: true (the default) with validate_certs and ca_path')
        self.http.headers['User-Agent'] = USER_AGENT
        self.auth = None                     # None until logged in, then cookie, basic or digest
        self._basic_guessed = False          # Basic chosen because login.cgi said nothing (_basic_asked)
        self.shown = set()                   # pages shown in this session: a POST needs one first
        self._forms = {}
        self._config_link = None             # the .cfg link of manu_config.htm, once read
        self.last_config = None              # the values of the last configuration read
        self.down_seen = False               # set when the phone refused a connection (restarting)
        self.answered = False                # it answered once: a refusal now means it is restarting
        self.refused = False                 # the last request found nothing listening
        self.restart_wait = restart_wait     # seconds a restart in the middle of a request is waited for
        self.restarts = 0                    # restarts waited out by _call
        self.refusals = 0                    # connections refused: each means a restart, which ends the session
        self._hold_restarts = 0              # >0: a refusal is the caller's to interpret (upload, reboot)

    @classmethod
    def from_params(cls, params, **kwargs):
        return cls(params['host'], port=params.get('port'), use_https=params.get('use_https', True),
                   validate_certs=params.get('validate_certs', True), ca_path=params.get('ca_path'),
                   username=params.get('username') or 'admin', password=params.get('password'),
                   timeout=params.get('timeout') or 30, use_proxy=bool(params.get('use_proxy')),
                   restart_wait=kwargs.pop('restart_wait', None) or params.get('reboot_timeout') or RESTART_WAIT, **kwargs)

    # --- transport ----------------------------------------------------------------------------
    def _local(self, target):
        """``target`` (path or URL) on this phone's address only."""
        parts = urlsplit(target)
        path = parts.path or '/'
        if not path.startswith('/'):
            path = '/' + path
        return self.base + path + ('?' + parts.query if parts.query else '')

    def _raw(self, method, url, data=None, files=None, timeout=None, referer=None):
        path = urlsplit(url).path
        # A browser names the page a form came from; some firmware ignores a POST without it.
        headers = {'Referer': self._local(referer or url)} if method == 'POST' else None
        self.refused = False
        started = time.monotonic()
        try:
            with warnings.catch_warnings():
                if self.http.verify is False:
                    warnings.simplefilter('ignore')
                response = self.http.request(method, url, data=data, files=files, headers=headers, allow_redirects=False,
                                             timeout=timeout or self.timeout, stream=True)
            self.answered = True
            # The whole answer within timeout (an upload's clock starts when its answer begins), capped in size.
            read_answer(response, (time.monotonic() if files else started) + (timeout or self.timeout))
            return response
        except AnswerRefused as exc:
            raise RemoteError(self.subject, '%s: %s' % (path, exc.cause), exc.fix, endpoint=path, transient=exc.transient)
        except requests.exceptions.SSLError as exc:
            cause = 'its HTTPS certificate is not trusted'
            if 'hostname' in str(exc).lower() or "doesn't match" in str(exc).lower():
                cause = 'its HTTPS certificate does not name %s' % self.host
            raise RemoteError(self.subject, cause,
                              "set ca_path to the CA that signed the phone's certificate, or validate_certs: false",
                              endpoint=path)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            if isinstance(exc, requests.exceptions.ConnectTimeout) or _reason(exc) in UNREACHABLE:
                self.down_seen = True       # nothing listens: restarting (a passing fault resets instead)
                self.refused = True
                self.refusals += 1
            raise RemoteError(self.subject, 'no answer on %s (%s)' % (path, _reason(exc)),
                              'check that the phone is on, reachable at %s, and that use_https/port match its '
                              'web server' % self.base, endpoint=path, transient=True)
        except requests.exceptions.RequestException as exc:
            raise RemoteError(self.subject, 'request to %s failed (%s)' % (path, exc.__class__.__name__),
                              endpoint=path)

    def _send(self, method, target, data=None, files=None, timeout=None, referer=None):
        """One request (following redirects on this address), 5xx raised as transient."""
        url = self._local(target)
        for dummy in range(MAX_REDIRECTS + 1):
            response = self._raw(method, url, data, files, timeout, referer)
            location = response.headers.get('Location')
            if response.status_code in (301, 302, 303, 307, 308) and location:
                if _to_login(location) and not _to_login(url):
                    break           # sent to the login chain: the session is lost (_lost), nothing to follow
                url = self._local(urljoin(url, location))
                if response.status_code in (301, 302, 303):
                    method, data, files = 'GET', None, None
                continue
            break
        if response.status_code >= 500:
            path = urlsplit(url).path
            raise RemoteError(self.subject, 'answered %s with HTTP %d' % (path, response.status_code),
                              'try again later; if it persists, restart the phone', status=response.status_code,
                              endpoint=path, transient=True)
        return response

    def _call(self, method, target, data=None, files=None, referer=None):
        """One request, transient faults retried with backoff; a restart in the middle is waited out.

        A phone that answered earlier and now refuses connections is restarting (power dip,
        watchdog, an operator): the request waits until it answers again (at most restart_wait
        seconds, RESTARTS_WAITED times), then is asked again; the session died with the restart,
        so the caller sees the login page and logs in again. Uploads and reboot.htm hold this
        (``holding_restarts``): there the refusal is the answer their caller interprets.
        """
        waited = 0
        while True:
            refusals = self.refusals
            try:
                return call_with_retries(lambda: self._send(method, target, data, files, referer=referer),
                                         attempts=RETRY_ATTEMPTS, sleep=self.sleep)
            except RemoteError as exc:
                # Refused on any try (the last may be a fault of the phone coming back up): restarting.
                restarting = self.refused or self.refusals != refusals
                if not (exc.transient and restarting and self.answered and self.restart_wait) \
                        or self._hold_restarts or waited >= RESTARTS_WAITED:
                    raise
            waited += 1
            self.restarts += 1
            auth = self.auth
            self.wait_until_back(self.clock() + self.restart_wait,
                                 'a restart in the middle of %s %s' % (method, urlsplit(target).path))
            # Ask again with the dead session, so the caller sees the login page and starts a new one.
            self.auth = auth

    @contextlib.contextmanager
    def holding_restarts(self):
        """``with client.holding_restarts():`` a refused connection raises at once (down_seen set),
        for requests whose caller reads a restart as their outcome (an upload, reboot.htm)."""
        self._hold_restarts += 1
        try:
            yield
        finally:
            self._hold_restarts -= 1

    def _lost(self, response):
        """Whether the phone answered with its login page, in any form (pages.LOGIN_PAGE_PATTERNS,
        a redirect to the login chain, a 401): the session has expired."""
        if self.auth != 'cookie':
            return False
        if response.status_code == 401:
            return True
        if response.status_code in (301, 302, 303, 307, 308):
            return _to_login(response.headers.get('Location') or '')
        content_type = response.headers.get('Content-Type', '').lower()
        if content_type and 'html' not in content_type and 'text' not in content_type:
            return False
        return scrape.looks_like_login_page(response.text)

    def _check(self, response, target):
        path = urlsplit(target).path
        status = response.status_code
        if self._basic_guessed and (status == 401 or scrape.looks_like_login_page(response.text)):
            error = LoginRefused if status == 401 else RemoteError
            raise error(self.subject, 'answered the login on %s with neither "%s" nor "%s", and %s refused HTTP Basic '
                        'authentication (HTTP %d)' % (pages.LOGIN_PATH, pages.LOGIN_OK_MARKER, pages.LOGIN_FAILED_MARKER,
                                                      path, status),
                        'check username and password; if this firmware logs in another way, correct the login entries '
                        'of plugins/module_utils/audiocodes/pages.py from a capture of its web interface',
                        status=status, endpoint=path)
        if status == 401 and self.auth in ('basic', 'digest'):
            raise LoginRefused(self.subject, 'wrong credentials: the phone refused HTTP %s authentication for user %s'
                               % (self.auth.capitalize(), self.username),
                               'check username and password (options username/password, or AUDIOCODES_USERNAME/'
                               'AUDIOCODES_PASSWORD)', status=status, endpoint=path)
        if status in (401, 403):
            raise RemoteError(self.subject, 'refused %s to user %s (HTTP %d)' % (path, self.username, status),
                              'check username and password; the account needs the administrator role',
                              status=status, endpoint=path)
        if status == 404:
            raise RemoteError(self.subject, 'has no page %s (HTTP 404)' % path, PAGES_FIX, status=status, endpoint=path)
        if status >= 400:
            raise RemoteError(self.subject, 'answered %s with HTTP %d' % (path, status),
                              'check the phone and its firmware', status=status, endpoint=path)
        return response

    # --- session ------------------------------------------------------------------------------
    def login(self):
        """Open a session: the login.cgi cookie, or HTTP Basic/Digest when the phone asks for it."""
        self.auth = None
        self._basic_guessed = False
        self.shown.clear()
        self._forms.clear()
        self.http.cookies.clear()
        self.http.auth = None
        password = base64.b64encode(self._password.encode('utf-8')).decode('ascii')
        response = self._call('POST', pages.LOGIN_PATH,
                              data={pages.LOGIN_USER_FIELD: self.username, pages.LOGIN_PASSWORD_FIELD: password})
        if response.status_code in (401, 404):
            # Older builds: no login.cgi, HTTP authentication on every request.
            challenge = response.headers.get('WWW-Authenticate', '')
            if challenge.lower().startswith('digest'):
                self.http.auth, self.auth = HTTPDigestAuth(self.username, self._password), 'digest'
            else:
                self.http.auth, self.auth = HTTPBasicAuth(self.username, self._password), 'basic'
            return
        text = response.text
        if pages.LOGIN_FAILED_MARKER.lower() in text.lower():
            raise LoginRefused(self.subject, 'wrong credentials: the phone answered "Login failed" for user %s' % self.username,
                               'check username and password (options username/password, or AUDIOCODES_USERNAME/'
                               'AUDIOCODES_PASSWORD)', endpoint=pages.LOGIN_PATH)
        if response.status_code == 200 and (self.http.cookies.get(pages.SESSION_COOKIE) or (
                pages.LOGIN_OK_MARKER in text and self.http.cookies)):
            self.auth = 'cookie'    # the session cookie is the sign of success (upgrade_ipp_image.py), whatever the body
            return
        # No cookie (a page that names mainframe.htm without one, or says nothing): a Basic build.
        if response.status_code == 200 and self._basic_asked():
            return
        raise RemoteError(self.subject, 'answered the login on %s with HTTP %d and no sign of success or failure'
                          % (pages.LOGIN_PATH, response.status_code),
                          'check that host, port and use_https point at the web interface of an AudioCodes phone',
                          status=response.status_code, endpoint=pages.LOGIN_PATH)

    def _basic_asked(self):
        """Firmware that answers login.cgi with a page saying nothing and uses HTTP Basic on every
        request (upgrade_ipp_image.py: "nonLync" builds): send Basic from now on, and let the next
        page prove it (``_check``: a 401 or a login page then fails naming this assumption). No
        extra request, so a no-op run keeps its budget."""
        self.http.auth, self.auth = HTTPBasicAuth(self.username, self._password), 'basic'
        self._basic_guessed = True
        return True

    def check_login(self):
        """Log in and prove it (HTTP Basic/Digest builds are asked for info.htm); LoginRefused when refused."""
        self.login()
        if self.auth in ('basic', 'digest'):
            self.show(pages.INFO_PAGE)

    def switch_password(self, password):
        """Log in with ``password`` from the next login on (the admin password was just changed); a cookie
        session that is still open stays in use, HTTP Basic/Digest sends the new one at once."""
        self._password = password or ''
        if self.auth == 'digest':
            self.http.auth = HTTPDigestAuth(self.username, self._password)
        elif self.auth == 'basic':
            self.http.auth = HTTPBasicAuth(self.username, self._password)

    def forget_session(self):
        """After a restart the phone has forgotten the session cookie: log in at the next request."""
        if self.auth == 'cookie':
            self.auth = None

    def _relogin_allowed(self, attempt, refusals):
        """After the login page: a new session once, and again when the phone restarted in the
        middle (it refused a connection: the session died with the restart), a bounded number of times."""
        return attempt == 1 or (self.refusals != refusals and attempt <= 2 + RESTARTS_WAITED)

    def request(self, method, target, data=None):
        """An authenticated request; an expired session is renewed (once, and again after a restart
        of the phone in the middle) and the request repeated."""
        attempt = 0
        while True:
            attempt += 1
            if self.auth is None:
                self.login()
            refusals = self.refusals
            response = self._call(method, target, data)
            if not self._lost(response):
                return self._check(response, target)
            if not self._relogin_allowed(attempt, refusals):
                raise RemoteError(self.subject, 'answers %s with its login page even right after a login'
                                  % urlsplit(target).path,
                                  'check that user %s has the administrator role' % self.username)
            self.login()

    def show(self, name):
        """GET a page (``/mainform.cgi/<name>``) and remember it was shown in this session."""
        path = pages.page_path(name)
        response = self.request('GET', path)
        self.shown.add(path)
        return response

    def submit(self, name, choose_form, overrides, files=None, hold_restarts=False):
        """POST a page's form back whole, changing only ``overrides`` (``files(form)`` adds file parts).

        The form comes from a GET of the page in this session (the firmware ignores a POST
        otherwise); after a session renewal the page is shown again and its form re-read.
        Returns the answer, or None when the page has no such form. ``hold_restarts``: a restart
        during the POST itself raises (its caller reads it as the outcome), see ``holding_restarts``.
        """
        path = pages.page_path(name)
        attempt = 0
        while True:
            attempt += 1
            if self.auth is None:
                self.login()
            refusals = self.refusals
            if path not in self.shown or path not in self._forms:
                response = self.show(name)
                self._forms[path] = choose_form(response.text, response.url)
            form = self._forms[path]
            if form is None:
                return None
            with self.holding_restarts() if hold_restarts else _nothing():
                response = self._call('POST', form.action, data=form.data(overrides),
                                      files=files(form) if files else None, referer=path)
            if self._lost(response) and self._relogin_allowed(attempt, refusals):
                self.login()
                continue
            if self._lost(response):
                raise RemoteError(self.subject, 'answers the form of %s with its login page even right after a login'
                                  % name, 'check that user %s has the administrator role' % self.username)
            return self._check(response, form.action)

    def post_form(self, form, overrides=None, files=None, referer=None):
        """POST a form found in an answer rather than on a page of its own (the second step of
        a two-step page, e.g. the firmware upload that Manu_Firmware_Upgrade.htm shows once armed).

        Returns the answer, or None when the session was lost on the way (the caller starts its
        steps again: the first step's effect died with the session). Used by firmware.py.
        """
        if self.auth is None:
            self.login()
        with self.holding_restarts():
            response = self._call('POST', form.action, data=form.data(overrides), files=files, referer=referer)
        if self._lost(response):
            self.login()
            return None
        return self._check(response, form.action)

    # --- reads --------------------------------------------------------------------------------
    def read_config(self, again=False):
        """manu_config.htm, then the full configuration file it links to.

        ``again``: a read-back after a write; the link and the form are already known, so only the
        file is fetched (one request instead of two).
        """
        if again and self._config_link:
            return self._fetch_config(self._config_link, self._forms.get(pages.page_path(pages.CONFIG_PAGE)))
        response = self.show(pages.CONFIG_PAGE)
        control = scrape.find_listing_control(response.text, response.url)
        if control is not None:
            # A download of modified keys only, with a control that lists every parameter: use it.
            self._forms[pages.page_path(pages.CONFIG_PAGE)] = control
            response = self.submit(pages.CONFIG_PAGE, lambda text, url: control,
                                   {pages.FULL_LISTING_FIELD: pages.FULL_LISTING_VALUE})
        link = scrape.find_config_link(response.text, response.url)
        if not link:
            raise RemoteError(self.subject, '%s shows no link to the configuration file (.cfg)' % pages.CONFIG_PAGE,
                              PAGES_FIX, endpoint=pages.page_path(pages.CONFIG_PAGE))
        form = scrape.find_upload_form(response.text, response.url)
        self._forms[pages.page_path(pages.CONFIG_PAGE)] = form
        self._config_link = link
        return self._fetch_config(link, form)

    def _fetch_config(self, link, form):
        config = self.request('GET', link)
        if scrape.looks_like_html(config.text):
            raise RemoteError(self.subject, 'the configuration link %s returned a web page, not a configuration file'
                              % urlsplit(link).path, PAGES_FIX, endpoint=urlsplit(link).path)
        snapshot = Snapshot(self._local(link), config.content, form)
        self.last_config = snapshot.values      # status() matches lines by their user id against it
        other = snapshot.config.other_lines()
        if other or not snapshot.values:
            # Nothing is written from a file that cannot be read whole: its keys would look unknown.
            raise RemoteError(self.subject, 'the configuration file %s is malformed: %s' % (
                snapshot.name, '%d line(s) are not key=value (first: %r)' % (len(other), other[0][:80]) if other
                else 'it holds no key=value line'),
                'nothing was written; download it from the phone (manu_config.htm) to look at it, restart the phone '
                'and run again', endpoint=urlsplit(link).path)
        return snapshot

    def device(self, snapshot=None, need_firmware=True):
        """Model, firmware and MAC: info.htm, the configuration (system/type, file name),
        /configuration/user_agent.txt when those leave the model (or, with ``need_firmware``, the
        firmware) unknown (info.htm without a label the collection knows), and network_status.htm
        only when nothing shows the MAC."""
        try:
            info = scrape.device_from_info(scrape.page_text(self.show(pages.INFO_PAGE)))
        except RemoteError as exc:
            if exc.status != 404:
                raise
            info = {'model': None, 'firmware': None, 'mac': None}   # no info page: firmware unknown
        name_model, name_mac = scrape.config_name_parts(snapshot.url if snapshot else None)
        system_type = snapshot.values.get('system/type') if snapshot else None
        device = {
            'model': system_type or info['model'] or name_model,
            'firmware': info['firmware'],
            'mac': name_mac or info['mac'],
        }
        if not device['model'] or (need_firmware and not device['firmware']):
            agent = self._user_agent()
            if agent is not None:
                found = scrape.device_from_user_agent(agent)
                device['model'] = device['model'] or keys.model_of(agent)
                device['firmware'] = device['firmware'] or found['firmware']
                device['mac'] = device['mac'] or found['mac']
        if not device['mac']:
            device['mac'] = scrape.find_mac(self.show(pages.NETWORK_STATUS_PAGE).text)
        return device

    def _user_agent(self):
        """The text of /configuration/user_agent.txt, or None when the phone has none."""
        try:
            response = self.request('GET', pages.USER_AGENT_PATH)
        except RemoteError as exc:
            if exc.status != 404:
                raise
            return None
        return None if scrape.looks_like_html(response.text) else response.text

    def status(self):
        """Registration per line, from voip_status.cgi."""
        response = self.request('GET', pages.STATUS_PATH)
        lines = scrape.parse_status(response.text)
        if lines is None:
            raise RemoteError(self.subject, '%s did not answer with XML' % pages.STATUS_PATH, PAGES_FIX,
                              endpoint=pages.STATUS_PATH)
        return scrape.match_lines(lines, self.last_config)   # by user id against voip/line/N/id when known

    # --- writes -------------------------------------------------------------------------------
    def upload(self, snapshot, data):
        """Upload one complete configuration file through the form of manu_config.htm."""
        if snapshot.form is None:
            raise RemoteError(self.subject, '%s offers no form to upload a configuration file' % pages.CONFIG_PAGE,
                              'configure this phone through its provisioning server instead (Auto_Provision.htm: the '
                              'audiocodes_provisioning module, issue "zero-touch"), or, if this firmware uploads '
                              'elsewhere, correct pages.py', endpoint=pages.page_path(pages.CONFIG_PAGE))
        filename = snapshot.name or 'configuration.cfg'

        def files(form):
            return {form.file_field: (filename, data, pages.UPLOAD_CONTENT_TYPE)}

        response = self.submit(pages.CONFIG_PAGE, scrape.find_upload_form, {}, files, hold_restarts=True)
        if response is None:
            raise RemoteError(self.subject, 'the form to upload a configuration file is gone from %s' % pages.CONFIG_PAGE,
                              PAGES_FIX, endpoint=pages.page_path(pages.CONFIG_PAGE))
        return response

    def reboot(self):
        """POST reboot.htm REBOOT=2. True when the phone answered, False when it went away at once."""
        def choose(text, url):
            found = scrape.forms(text, url)
            with_field = [form for form in found if pages.REBOOT_FIELD in form.field_names()]
            if with_field:
                return with_field[0]
            return scrape.Form(url, 'POST', [])

        try:
            self.submit(pages.REBOOT_PAGE, choose, {pages.REBOOT_FIELD: pages.REBOOT_VALUE}, hold_restarts=True)
        except RemoteError as exc:
            if not exc.transient:
                raise
            return False
        return True

    def reboot_unless_restarting(self, seconds):
        """After an upload the phone did not (all) apply: it may still go down by itself, seconds
        later. Poll (bounded, no session) for ``seconds``; only a phone still up then gets reboot.htm.
        Never two restarts. Returns what ``reboot`` does (True: answered), or False when it went down."""
        deadline = self.clock() + seconds
        while self.clock() < deadline:
            if not self.answers():
                return False
            self.sleep(pages.POLL_SECONDS)
        return self.reboot()

    # --- waiting ------------------------------------------------------------------------------
    def answers(self):
        """Whether the web server answers right now (``GET /``, no session): False only when
        nothing listens, since a passing fault says nothing about a restart."""
        self.down_seen = False
        for dummy in range(RETRY_ATTEMPTS):
            try:
                self._send('GET', pages.ROOT_PATH, timeout=pages.POLL_TIMEOUT)
                return True
            except RemoteError as exc:
                if not exc.transient:
                    raise
                if self.down_seen:
                    return False
            self.sleep(pages.POLL_SECONDS)
        return True

    def wait_until_back(self, deadline, reason='the restart'):
        """Poll (without a session) until the phone's web server answers again."""
        while True:
            try:
                self._send('GET', pages.ROOT_PATH, timeout=pages.POLL_TIMEOUT)
            except RemoteError as exc:
                if not exc.transient:
                    raise
            else:
                self.forget_session()
                return
            if self.clock() >= deadline:
                raise RemoteError(self.subject, 'did not answer again after %s within the time allowed' % reason,
                                  'raise reboot_timeout, or check the phone (power, network)')
            self.sleep(pages.POLL_SECONDS)

    def watch_reboot(self, deadline):
        """After reboot.htm: wait until the phone has gone down and come back (or lost our session)."""
        started = self.clock()
        failures = 0
        while True:
            try:
                response = self._send('GET', pages.STATUS_PATH, timeout=pages.POLL_TIMEOUT)
            except RemoteError as exc:
                if not exc.transient:
                    raise
                failures += 1
                if failures >= pages.REBOOT_DOWN_CONFIRM:
                    break
            else:
                failures = 0
                if self._lost(response):
                    self.forget_session()   # it restarted already and forgot us
                    return
            now = self.clock()
            if now >= deadline:
                raise RemoteError(self.subject, 'did not restart within the time allowed',
                                  'raise reboot_timeout, or check the phone')
            if now - started >= pages.REBOOT_START_SECONDS:
                raise RemoteError(self.subject, 'kept running for %d s after %s without restarting'
                                  % (pages.REBOOT_START_SECONDS, pages.REBOOT_PAGE),
                                  'restart it by hand, or correct REBOOT_* in pages.py for this firmware')
            self.sleep(pages.POLL_SECONDS)
        self.wait_until_back(deadline)

    def wait_registered(self, lines, deadline):
        """Poll voip_status.cgi until every line index in ``lines`` is registered."""
        last = []
        while True:
            try:
                last = self.status()
            except RemoteError as exc:
                if not exc.transient:
                    raise
            else:
                registered = set(line['line'] for line in last if line['registered'])
                if set(lines) <= registered:
                    return last
            if self.clock() >= deadline:
                waiting = sorted(set(lines) - set(line['line'] for line in last if line['registered']))
                states = dict((line['line'], line['state']) for line in last)
                raise RemoteError(self.subject, 'line(s) %s not registered in time (last state: %s)'
                                  % (', '.join(str(i) for i in waiting),
                                     ', '.join('%s=%s' % (i, states.get(i) or 'not listed') for i in waiting)),
                                  'check the SIP server, the lines\' credentials and the proxy settings, or raise '
                                  'reboot_timeout')
            self.sleep(pages.REGISTRATION_POLL_SECONDS)
