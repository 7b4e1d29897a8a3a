# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What both remote clients share: errors, bounded backoff, secret masking, delta and diff.

Nothing here knows an AudioCodes key or a Genesys option by name.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import random
import time
import unicodedata

MASK = '********'
"""What a secret looks like in every result, diff and message."""


class OperatorError(Exception):
    """A failure worded for the operator: the object, the cause, the fix.

    ``subject`` names the object (``phone 127.0.1.12``, ``GAX https://gax.example:8080 DN 1502``),
    ``cause`` says what went wrong, ``fix`` what to do about it.
    """

    def __init__(self, subject, cause, fix=None):
        self.subject = subject
        self.cause = cause
        self.fix = fix
        super(OperatorError, self).__init__(self.message)

    @property
    def message(self):
        text = '%s: %s' % (self.subject, self.cause)
        if self.fix:
            text += '; %s' % self.fix
        return text

    def as_result(self):
        return {'msg': self.message}


class InputError(OperatorError):
    """Bad input, found before anything was written."""


class RemoteError(OperatorError):
    """A failure talking to a remote system.

    ``status`` and ``endpoint`` are kept for the result; ``transient`` marks failures that a
    retry may cure (connection reset, timeout, 5xx).
    """

    def __init__(self, subject, cause, fix=None, status=None, endpoint=None, transient=False):
        self.status = status
        self.endpoint = endpoint
        self.transient = transient
        super(RemoteError, self).__init__(subject, cause, fix)

    def as_result(self):
        result = {'msg': self.message}
        if self.status is not None:
            result['status'] = self.status
        if self.endpoint:
            result['endpoint'] = self.endpoint
        return result


class PartialResultError(RemoteError):
    """Something was done and then went wrong: the failed result still says what happened."""

    def __init__(self, subject, cause, fix, result):
        self.result = result
        super(PartialResultError, self).__init__(subject, cause, fix)

    def as_result(self):
        result = dict(self.result)
        result['msg'] = self.message
        return result


LINE_UNSAFE_CATEGORIES = ('Cc', 'Zl', 'Zp')
"""Unicode categories a key or value of a configuration file never holds: controls (NUL, TAB, VT, FF,
CR, LF, FS/GS/RS, NEL U+0085, ...), the line separator U+2028 and the paragraph separator U+2029.
A reader that splits lines on any of them (Python's ``str.splitlines`` does) would take what follows
for a key of its own."""


def unsafe_characters(text):
    """The characters of ``text`` a configuration line cannot carry, described: ``'U+2028 (LINE SEPARATOR),
    U+000B'``; empty when there is none. Pure: the modules, ``ConfigFile.set`` and the preflight share it."""
    if not isinstance(text, str):
        return ''
    found = sorted(set(char for char in text if unicodedata.category(char) in LINE_UNSAFE_CATEGORIES))
    described = []
    for char in found:
        name = unicodedata.name(char, '')
        described.append('U+%04X (%s)' % (ord(char), name) if name else 'U+%04X' % ord(char))
    return ', '.join(described)


def backoff_delays(attempts, base=0.5, cap=8.0, rng=None):
    """Yield ``attempts - 1`` sleep times: exponential, capped, with full jitter.

    Jitter keeps a thousand hosts that failed together from retrying together.
    """
    rng = rng or random.Random()
    for attempt in range(max(attempts - 1, 0)):
        yield rng.uniform(0, min(cap, base * (2 ** attempt)))


def call_with_retries(func, attempts=4, base=0.5, cap=8.0, sleep=time.sleep, on_retry=None):
    """Call ``func()``; retry a ``RemoteError`` marked transient, at most ``attempts`` times in all.

    The last error is raised unchanged so its message names the object and the cause.
    """
    delays = backoff_delays(attempts, base, cap)
    while True:
        try:
            return func()
        except RemoteError as exc:
            if not exc.transient:
                raise
            delay = next(delays, None)
            if delay is None:
                raise
            if on_retry is not None:
                on_retry(exc, delay)
            sleep(delay)


INSECURE_TLS_WARNING = (
    'validate_certs is false: the HTTPS certificates of the %s are not checked, so whoever sits between '
    'Ansible and them can read the password sent to them; set validate_certs: true and ca_path (or %s) '
    'to the CA bundle that signed them')
"""The warning of ``validate_certs: false``. It names no host: Ansible shows a warning text it has shown
once already no more (its Display keeps the texts of a run), so a fleet gets it once per run."""


def warn_insecure_tls(what, variable):
    """Warn that ``what`` (``phones``, ``GAX``) is reached over HTTPS without checking its certificate."""
    try:
        from ansible.module_utils.common.warnings import warn  # pylint: disable=import-outside-toplevel
    except ImportError:  # pragma: no cover - outside Ansible (a unit test without ansible-core)
        return
    warn(INSECURE_TLS_WARNING % (what, variable))


PLAIN_HTTP_WARNING = (
    'the %s are reached over plain HTTP (%s): their password and every secret written to them cross the network '
    'in clear, readable by whoever sits between Ansible and them; use %s')
"""The warning of a phone without HTTPS or an ``http://`` GAX URL; like ``INSECURE_TLS_WARNING`` it names no
host, so a run shows it once."""


def warn_plain_http(what, how, fix):
    """Warn that ``what`` (``phones``, ``GAX``) is reached over plain HTTP."""
    try:
        from ansible.module_utils.common.warnings import warn  # pylint: disable=import-outside-toplevel
    except ImportError:  # pragma: no cover - outside Ansible (a unit test without ansible-core)
        return
    warn(PLAIN_HTTP_WARNING % (what, how, fix))


# --- the transport policy both clients follow -------------------------------------------------------

MAX_ANSWER_BYTES = 32 * 1024 * 1024
"""The largest answer body either client reads (a phone's configuration file is tens of kB, GAX's list of
every DN of a large switch a few MB). Past it the request fails and nothing of the answer is used."""

ANSWER_CHUNK = 65536


class AnswerRefused(Exception):
    """An answer the clients will not read whole: too large, too slow, or broken off."""

    def __init__(self, cause, fix, transient=False):
        self.cause = cause
        self.fix = fix
        self.transient = transient
        super(AnswerRefused, self).__init__(cause)


def read_answer(response, deadline, limit=MAX_ANSWER_BYTES, clock=time.monotonic):
    """Read the body of a ``requests`` answer asked with ``stream=True``: whole, before ``deadline`` (a
    ``clock()`` time) and at most ``limit`` bytes, then ``response.content``, ``.text`` and ``.json()``
    work as usual. Each read returns what one receive brought, so a server dripping a byte at a time
    meets the deadline. Raises ``AnswerRefused`` (the connection is closed then)."""
    try:
        declared = int(response.headers.get('Content-Length') or -1)
    except ValueError:
        declared = -1
    if declared > limit:
        response.close()
        raise AnswerRefused('the answer announces %d bytes, more than the %d bytes this collection reads'
                            % (declared, limit), 'check that the address points at the right server')
    raw = response.raw
    read1 = getattr(raw, 'read1', None)     # urllib3 2: one receive at a time
    chunks, size = [], 0
    try:
        while True:
            if clock() > deadline:
                response.close()
                raise AnswerRefused('the answer was not complete within the timeout (%d bytes came)' % size,
                                    'check the server and the network, or raise timeout', transient=True)
            if read1 is not None:
                chunk = read1(ANSWER_CHUNK, decode_content=True)
            else:  # pragma: no cover - urllib3 1.26
                chunk = raw.read(1024, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                response.close()
                raise AnswerRefused('the answer is longer than the %d bytes this collection reads' % limit,
                                    'check that the address points at the right server')
            chunks.append(chunk)
    except AnswerRefused:
        raise
    except Exception as exc:  # urllib3's read errors (timeout, broken chunking, reset) and OSError
        response.close()
        raise AnswerRefused('the answer broke off after %d bytes (%s)' % (size, exc.__class__.__name__),
                            'check the server and the network', transient=True)
    response._content = b''.join(chunks)          # pylint: disable=protected-access
    response._content_consumed = True             # pylint: disable=protected-access
    raw.release_conn()
    return response


def session_proxies(session, url, use_proxy):
    """One proxy policy for both clients: nothing is taken from the environment (no netrc, no
    ``REQUESTS_CA_BUNDLE``: ``ca_path`` says which CA to trust); with ``use_proxy`` the proxy that
    ``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` give for ``url`` is used, else none."""
    session.trust_env = False
    session.proxies.clear()
    if use_proxy:
        try:
            from requests.utils import get_environ_proxies  # pylint: disable=import-outside-toplevel
        except ImportError:  # pragma: no cover - requests is checked by the caller
            return
        session.proxies.update(get_environ_proxies(url))


class SecretMasker:
    """Remembers secret values and replaces them with ``MASK`` wherever they appear.

    Modules also register each value with ``AnsibleModule.no_log_values``; this class covers the
    in-process path (action plugins) and data built before a module exists.
    """

    def __init__(self, secrets=None):
        self._secrets = set()
        self._ordered = None    # longest first, worked out once per set (a bulk GAX call holds thousands)
        for value in secrets or ():
            self.add(value)

    def add(self, value):
        if value is None:
            return
        text = str(value)
        # A one-character or empty "secret" would mask innocent text everywhere.
        if len(text) >= 2 and text not in self._secrets:
            self._secrets.add(text)
            self._ordered = None

    @property
    def values(self):
        return frozenset(self._secrets)

    def text(self, value):
        if not isinstance(value, str):
            return value
        ordered = self._ordered
        if ordered is None:
            ordered = self._ordered = sorted(self._secrets, key=len, reverse=True)
        if not ordered or len(value) < len(ordered[-1]):
            return value        # shorter than every secret: none can be in it
        # Longest first, so a secret that contains another is masked whole.
        for secret in ordered:
            if len(secret) <= len(value) and secret in value:
                value = value.replace(secret, MASK)
        return value

    def mask(self, data):
        """Return a copy of ``data`` (dicts, lists, strings) with every secret replaced."""
        if isinstance(data, dict):
            return dict((self.text(k), self.mask(v)) for k, v in data.items())
        if isinstance(data, (list, tuple)):
            return [self.mask(v) for v in data]
        return self.text(data)


def delta(want, have, equal=None):
    """The keys of ``want`` whose value differs from ``have`` (absent counts as different).

    ``equal(key, wanted, current)`` decides equality; by default plain ``==``. Only keys the
    user supplied are compared, so keys they did not name are never touched.
    """
    equal = equal or (lambda key, wanted, current: wanted == current)
    changed = {}
    for key, wanted in want.items():
        if key not in have or not equal(key, wanted, have[key]):
            changed[key] = wanted
    return changed


def changes_of(changed, have, secret_keys=(), masker=None):
    """``{key: {'before': ..., 'after': ...}}`` for the changed keys, secrets masked."""
    result = {}
    for key in sorted(changed):
        before, after = have.get(key), changed[key]
        if key in secret_keys:
            before = None if before is None else MASK
            after = None if after is None else MASK
        elif masker is not None:
            before, after = masker.text(before), masker.text(after)
        result[key] = {'before': before, 'after': after}
    return result


def diff_of(changes, header):
    """An Ansible ``diff`` dict (before/after text blocks) from ``changes_of`` output."""
    def render(side):
        lines = []
        for key in sorted(changes):
            value = changes[key][side]
            if value is not None:
                lines.append('%s=%s' % (key, value))
        return '\n'.join(lines) + ('\n' if lines else '')
    return {
        'before_header': header, 'after_header': header,
        'before': render('before'), 'after': render('after'),
    }
