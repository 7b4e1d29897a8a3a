# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the field check puts around a client's HTTP session: a read-only guard and a recorder.

``ReadOnlyRecorder.attach(session, allowed_posts)`` wraps ``session.request``: any method other than
GET or HEAD is refused before it leaves the machine, except a POST to one of ``allowed_posts`` (the
login). Every exchange is recorded (method, path, query, status, headers without cookies or
authorization, body) with every secret masked, and ``bundle()`` gives the capture bundle
(docs/field-check.md, "Capture bundles"):

    {"format": "telephony.genesys_audiocodes.capture/1", "kind": "phone" | "gax", "subject": ...,
     "captured_at": ISO time, "exchanges": [{"seq", "method", "path", "query", "status",
     "headers": {name: value}, "body": text, "body_encoding": "utf-8" | "latin-1",
     "request_body": masked text or null}]}
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import json
import os
import re
import tempfile

try:
    from urllib.parse import urlencode, urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit
    from urllib import urlencode

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import MASK, OperatorError

FORMAT = 'telephony.genesys_audiocodes.capture/1'
BUNDLE_FILE = 'bundle.json'
# Headers worth keeping as evidence; cookies and authorization never are.
KEPT_HEADERS = ('content-type', 'location', 'www-authenticate', 'content-disposition', 'server',
                'x-csrf-header', 'x-csrf-token', 'x-total-count', 'refresh')
BODY_MAX = 2 * 1024 * 1024        # a capture keeps at most this much of one body

# Secret shapes found in any text, whoever's secret it is.
_URL_PASSWORD = re.compile(r'(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@"\'<>]+:)(?P<secret>[^@/\s"\'<>]+)(?=@)')
_MD5_CRYPT = re.compile(r'\$1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}')
_SECRET_WORDS = ('password', 'passwd', 'passphrase', 'secret', 'pin_code', 'psk', 'token', 'psw', 'pwd')
# key=value lines of a configuration file whose key names a secret.
_CFG_SECRET = re.compile(r'^(?P<head>[ \t]*(?P<key>[a-z][a-z0-9_/]*)[ \t]*=[ \t]*)(?P<value>[^\r\n]*?)(?P<tail>[ \t]*)$', re.M)
_ENCRYPTED = re.compile(r'^\{".*"\}$')
# <input ... type=password ... value="x"> and inputs whose name speaks of a secret.
_INPUT = re.compile(r'<input\b[^>]*>', re.I)
_VALUE_ATTR = re.compile(r'''(\bvalue\s*=\s*)(?:"[^"]*"|'[^']*'|[^\s>]+)''', re.I)
_NAME_ATTR = re.compile(r'''\bname\s*=\s*["']?([^"'\s>]+)''', re.I)
_TYPE_PASSWORD = re.compile(r'''\btype\s*=\s*["']?password''', re.I)
# "password": "x" in JSON (GAX objects) and {"key": "password", "value": "x"} annex entries.
_JSON_SECRET_FIELD = re.compile(r'("(?:[A-Za-z_]*password[A-Za-z_]*|token|secret)"\s*:\s*)"(?:[^"\\]|\\.)*"', re.I)


def _secret_name(name):
    name = (name or '').lower()
    return any(word in name.rsplit('/', 1)[-1] for word in _SECRET_WORDS)


def mask_config_text(text):
    """A configuration file with every secret key's value masked, keeping how the phone shows it:
    ``{"..."}`` stays encrypted-looking, a row of asterisks and an empty value stay as they are."""
    def replace(match):
        if not _secret_name(match.group('key')):
            return match.group(0)
        value = match.group('value')
        if not value or set(value) == {'*'}:
            shown = value
        elif _ENCRYPTED.match(value):
            shown = '{"%s"}' % MASK
        else:
            shown = MASK
        return match.group('head') + shown + match.group('tail')
    return _CFG_SECRET.sub(replace, text)


def mask_html_inputs(text):
    """Password inputs, and inputs named like a secret, keep their markup but not their value."""
    def replace(match):
        tag = match.group(0)
        name = _NAME_ATTR.search(tag)
        if _TYPE_PASSWORD.search(tag) or (name and _secret_name(name.group(1))):
            return _VALUE_ATTR.sub(lambda m: '%s"%s"' % (m.group(1), MASK) if m.group(0).split('=', 1)[1].strip('"\'') else m.group(0), tag)
        return tag
    return _INPUT.sub(replace, text)


def mask_json_text(text):
    """``"password": "..."`` fields, and annex entries whose key is a secret, masked."""
    text = _JSON_SECRET_FIELD.sub(lambda m: '%s"%s"' % (m.group(1), MASK), text)
    return re.sub(r'("key"\s*:\s*"(?:[^"]*password[^"]*)"\s*,\s*"value"\s*:\s*)"(?:[^"\\]|\\.)*"',
                  lambda m: '%s"%s"' % (m.group(1), MASK), text, flags=re.I)


def mask_common(text, masker=None):
    """Secrets in any text: known values (``masker``), URL passwords, MD5-crypt hashes."""
    if masker is not None:
        text = masker.text(text)
    text = _URL_PASSWORD.sub(lambda m: m.group('head') + MASK, text)
    return _MD5_CRYPT.sub(MASK, text)


def mask_body(text, masker=None):
    """Every secret of a body masked, whatever it is (configuration file, HTML, JSON, XML)."""
    text = mask_common(text, masker)
    text = mask_config_text(text)
    text = mask_html_inputs(text)
    return mask_json_text(text)


def mask_tree(data, masker=None):
    """A result (dicts, lists, strings) with every string through ``mask_common``."""
    if isinstance(data, dict):
        return dict((key, mask_tree(value, masker)) for key, value in data.items())
    if isinstance(data, list):
        return [mask_tree(value, masker) for value in data]
    return mask_common(data, masker) if isinstance(data, str) else data


def mask_form(data, masker=None):
    """A request body (form pairs, a dict or JSON) as text, its secret fields masked."""
    if data is None:
        return None
    if isinstance(data, (list, tuple)):
        pairs = list(data)
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        return mask_body(data.decode('utf-8', 'replace') if isinstance(data, bytes) else str(data), masker)
    shown = [(str(name), MASK if _secret_name(str(name)) else mask_common(str(value), masker)) for name, value in pairs]
    return urlencode(shown)


def kept_headers(headers):
    return dict((name, value) for name, value in (headers or {}).items() if name.lower() in KEPT_HEADERS)


class ReadOnlyViolation(OperatorError):
    """The field check was about to send a write: refused before it left the machine."""


class ReadOnlyRecorder(object):
    """Guards a ``requests.Session`` to reads (and the login) and records every exchange, masked."""

    def __init__(self, kind, subject, masker, allowed_posts=()):
        self.kind = kind
        self.subject = subject
        self.masker = masker
        self.allowed_posts = tuple(allowed_posts)
        self._raw = []
        self.refused = []

    def attach(self, session):
        original = session.request

        def request(method, url, *args, **kwargs):
            method = method.upper()
            path = urlsplit(url).path
            if method not in ('GET', 'HEAD') and not (method == 'POST' and path in self.allowed_posts):
                self.refused.append('%s %s' % (method, path))
                raise ReadOnlyViolation(self.subject, 'the field check was about to send %s %s, a write' % (method, path),
                                        'nothing was sent; report this as a bug of the field check')
            response = original(method, url, *args, **kwargs)
            self.record(method, url, kwargs, response)
            return response

        session.request = request
        return self

    def record(self, method, url, kwargs, response):
        # The clients read a streamed body after this returns (a size cap, a deadline): the exchange
        # is kept as it is and turned into its record only when asked for, once the body is read.
        self._raw.append((method, url, dict(kwargs), response))

    @property
    def exchanges(self):
        return [self._record(seq, *raw) for seq, raw in enumerate(self._raw, 1)]

    def _record(self, seq, method, url, kwargs, response):
        parts = urlsplit(url)           # what was asked (a redirect is an exchange of its own)
        query = parts.query
        params = kwargs.get('params')
        if params and not query:
            query = urlencode(sorted(params.items()) if isinstance(params, dict) else params)
        consumed = getattr(response, '_content_consumed', True)
        content = (response._content if consumed else b'') or b''   # pylint: disable=protected-access
        content = content[:BODY_MAX]
        try:
            body, encoding = content.decode('utf-8'), 'utf-8'
        except UnicodeDecodeError:
            body, encoding = content.decode('latin-1'), 'latin-1'
        request_body = kwargs.get('data')
        if request_body is None and kwargs.get('json') is not None:
            request_body = json.dumps(kwargs['json'], sort_keys=True)
        return {
            'seq': seq,
            'method': method,
            'path': parts.path or '/',
            'query': mask_common(query, self.masker) if query else '',
            'status': response.status_code,
            'headers': dict((name, mask_common(value, self.masker))
                            for name, value in kept_headers(response.headers).items()),
            'body': mask_body(body, self.masker),
            'body_encoding': encoding,
            'request_body': mask_form(request_body, self.masker),
            'cookie_set': bool(response.headers.get('Set-Cookie')),
        }

    def writes(self):
        """Exchanges other than reads and the login (always empty: the guard refuses them)."""
        return [e for e in self.exchanges if e['method'] not in ('GET', 'HEAD') and e['path'] not in self.allowed_posts]

    def bundle(self, extra=None):
        data = {
            'format': FORMAT,
            'kind': self.kind,
            'subject': self.subject,
            'captured_at': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'exchanges': [self.masker.mask(exchange) for exchange in self.exchanges],
        }
        data.update(extra or {})
        return data


def safe_name(text):
    return re.sub(r'[^A-Za-z0-9._-]+', '_', str(text)).strip('_') or 'unnamed'


def write_bundle(capture_dir, name, bundle):
    """``<capture_dir>/<name>/bundle.json``, the folders 0700 and the file 0600; returns its path."""
    folder = os.path.join(capture_dir, safe_name(name))
    for path in (capture_dir, folder):
        if not os.path.isdir(path):
            os.makedirs(path, 0o700)
        os.chmod(path, 0o700)
    target = os.path.join(folder, BUNDLE_FILE)
    handle, temporary = tempfile.mkstemp(prefix='.bundle-', dir=folder)
    try:
        with os.fdopen(handle, 'w') as stream:
            json.dump(bundle, stream, indent=1, sort_keys=True)
            stream.write('\n')
        os.chmod(temporary, 0o600)
        os.rename(temporary, target)
    except Exception:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return target


def read_bundle(path):
    """A bundle from its folder or its ``bundle.json``; ValueError when it is not one."""
    if os.path.isdir(path):
        path = os.path.join(path, BUNDLE_FILE)
    with open(path) as stream:
        data = json.load(stream)
    if not isinstance(data, dict) or data.get('format') != FORMAT or not isinstance(data.get('exchanges'), list):
        raise ValueError('%s is not a capture bundle (format %s)' % (path, FORMAT))
    return data
