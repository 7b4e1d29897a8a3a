# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the inventory: the schema of docs/inventory.md, checked strictly, and its messages.

Every problem becomes a ``Finding`` that names the host, line or site, the rule, the cause and the
fix; identical findings are merged. Nothing here knows a configuration key or annex option: the
feature flags and their parameters come from the table. No message contains a secret.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import ipaddress
import re
from collections import namedtuple
from urllib.parse import urlsplit

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover - Python 2 is not a target, this keeps the import quiet
    Mapping = dict

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import InputError, unsafe_characters
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.table import (
    BC_MODES, DEPLOYMENT_NAMES, FEATURE_BY_NAME, FROM_DN, MODELS, REQUIRED, VALID_FLAGS,
)


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------

ERROR = 'error'
WARNING = 'warning'
DEPRECATED = 'deprecated'


class Finding(namedtuple('Finding', 'severity rule subjects cause fix')):
    """One problem: what it is about (hosts, lines, sites), the rule, the cause and the fix."""
    __slots__ = ()

    def __str__(self):
        shown = ', '.join(self.subjects[:5])
        if len(self.subjects) > 5:
            shown += ' and %d more' % (len(self.subjects) - 5)
        text = '%s: %s' % (shown, self.cause)
        if self.fix:
            text += '; %s' % self.fix
        return '%s [%s]' % (text, self.rule)


class InventoryError(InputError):
    """The inventory breaks the schema or a known limitation; nothing may be written."""

    def __init__(self, findings):
        self.findings = list(findings)
        errors = [f for f in self.findings if f.severity == ERROR]
        cause = '%d problem%s found before any change:\n%s' % (
            len(errors), '' if len(errors) == 1 else 's', '\n'.join('- %s' % (f,) for f in errors))
        super(InventoryError, self).__init__('inventory', cause)


class Report(object):
    """Collects findings; identical ones (same rule, cause and fix) are merged, subjects listed."""

    def __init__(self):
        self._order = []
        self._subjects = {}
        self._seen = set()

    def add(self, severity, rule, subject, cause, fix=None):
        ident = (severity, rule, cause, fix)
        if ident not in self._subjects:
            self._order.append(ident)
            self._subjects[ident] = []
        if (ident, subject) not in self._seen:
            self._seen.add((ident, subject))
            self._subjects[ident].append(subject)

    def error(self, rule, subject, cause, fix=None):
        # Every error says what to do: a schema error without its own fix points at the schema.
        if fix is None and rule == 'schema':
            fix = 'correct it in the inventory (docs/inventory.md describes every field)'
        self.add(ERROR, rule, subject, cause, fix)

    def warning(self, rule, subject, cause, fix=None):
        self.add(WARNING, rule, subject, cause, fix)

    def findings(self):
        return [Finding(s, r, tuple(self._subjects[(s, r, c, f)]), c, f) for (s, r, c, f) in self._order]

    @property
    def has_errors(self):
        return any(ident[0] == ERROR for ident in self._order)


# ---------------------------------------------------------------------------------------------
# Reading the inventory (strict)
# ---------------------------------------------------------------------------------------------

PHONE_FIELDS = ('address', 'model', 'mac', 'firmware', 'allow_unvalidated_firmware', 'site', 'lines')
LINE_FIELDS = ('dn', 'display_name', 'sip_password', 'state', 'dn_type', 'dn_name', 'contact', 'features')
SITE_FIELDS = ('name', 'sip_server', 'sip_proxy_pool', 'gax', 'sip_server_version', 'sip_server_application',
               'agent_logins')
AGENT_LOGIN_FIELDS = ('login_code', 'password', 'options', 'state')
DN_TYPES = ('extension', 'acd_position')
STATES = ('present', 'absent')

# Inventory variables that other inventory sources also set (NetBox's plugin sets site and sites on
# every host, which overrides group_vars) carry this prefix. The bare names still work until
# PREFIX_REMOVED_IN, with a deprecation; the prefixed name wins when both are set.
PREFIX = 'gac_'
PREFIXED_HOST_VARS = ('model', 'firmware', 'site', 'lines')
PREFIXED_GROUP_VARS = ('sites', 'deployment', 'bc_mode', 'bc_sites')
PREFIX_REMOVED_IN = '0.4.0'
HOST_VARIABLES = tuple(PREFIX + name if name in PREFIXED_HOST_VARS else name for name in PHONE_FIELDS)
"""The host variables the reader takes, by their current names."""


def deprecated_name_text(name):
    """The deprecation of a bare schema variable, worded once for the reader and the roles."""
    return ('the inventory variable %s is deprecated (removed in %s): rename it %s%s (the prefixed name wins '
            'when both are set)' % (name, PREFIX_REMOVED_IN, PREFIX, name))


def host_var(report, host, raw, name):
    """``(the name the inventory used, its value)`` of a prefixed host variable; a bare name is deprecated."""
    new = PREFIX + name
    if raw.get(new) is not None:
        return new, raw[new]
    if raw.get(name) is not None:
        report.add(DEPRECATED, 'deprecated_name', host, deprecated_name_text(name))
        return name, raw[name]
    return new, None


# A line's DN is its SIP user ID on the phone and a number dialled on the switch: digits (and + * #).
_DN_RE = re.compile(r'^[0-9+*#]{1,30}$')
_MAC_RE = re.compile(r'^[0-9a-f]{12}$')
_VERSION_RE = re.compile(r'^\D*?(\d+(?:\.\d+)*)')
_LABEL_RE = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')


def _host_ok(text):
    """Whether ``text`` is an IPv4 or IPv6 address or a host name (RFC 1123 labels); never resolved."""
    if not text or len(text) > 253:
        return False
    bare = text[1:-1] if text.startswith('[') and text.endswith(']') else text
    if ':' in bare:
        try:
            return ipaddress.ip_address(bare).version == 6
        except ValueError:
            return False
    labels = (bare[:-1] if bare.endswith('.') else bare).split('.')
    if all(label.isdigit() for label in labels):
        try:
            ipaddress.IPv4Address(bare)
        except ValueError:
            return False
        return True
    return all(_LABEL_RE.match(label) for label in labels)


def is_ipv6(text):
    """Whether ``text`` (an address as the inventory gives it, maybe in brackets) is an IPv6 address."""
    bare = (text or '').strip('[]')
    try:
        return ipaddress.ip_address(bare).version == 6
    except ValueError:
        return False


def _url_problem(url):
    """What is wrong with an http(s) URL (scheme, host, port), or None."""
    if not url.startswith(('http://', 'https://')):
        return 'must start with http:// or https://'
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return 'has a port that is not a number from 1 to 65535'
    if not _host_ok(parts.hostname or ''):
        return 'has no valid host name or IP address'
    if port is not None and not 1 <= port <= 65535:
        return 'has a port that is not a number from 1 to 65535'
    return None


_Line = namedtuple('_Line', 'index dn display_name secret state dn_type dn_name contact features subject')
_Phone = namedtuple('_Phone', 'host address model mac firmware firmware_tuple allow_unvalidated site lines')
_Site = namedtuple('_Site', 'name sip_server sip_proxy_pool gax_url switch version version_tuple application logins')


def _is_list(value):
    return isinstance(value, (list, tuple))


def _text(value):
    """A scalar given as text or as a number (YAML reads 1502 as an int); None if it is neither."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return None


def _secret(value):
    """A secret as text; vaulted values (EncryptedString) decrypt on str(). Never echoed."""
    if value is None or isinstance(value, (bool, int, float, Mapping, list, tuple)):
        return None
    return value if isinstance(value, str) else str(value)


def _version(text):
    match = _VERSION_RE.match(text or '')
    return tuple(int(part) for part in match.group(1).split('.')) if match else None


def show(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + '...'


def _unknown_keys(report, rule, subject, given, valid, what):
    for name in given:
        if name not in valid:
            report.error(rule, subject, 'unknown %s %r' % (what, name),
                         'valid: %s' % ', '.join(valid))


def _port(report, subject, where, value, default):
    if value is None:
        return str(default)
    text = _text(value)
    if text is None or not text.isdigit() or not 1024 <= int(text) <= 65535:
        report.error('schema', subject, '%s must be a port number from 1024 to 65535 (the phone\'s range), not %s'
                     % (where, show(value)), 'correct %s' % where)
        return None
    return str(int(text))


def _read_site(report, name_hint, raw):
    subject = 'site %s' % (name_hint or '?')
    if not isinstance(raw, Mapping):
        report.error('schema', subject, 'a site must be a mapping, not %s' % type(raw).__name__)
        return None
    _unknown_keys(report, 'schema', subject, raw, SITE_FIELDS, 'site field')
    name = _text(raw.get('name', name_hint))
    if not name:
        report.error('schema', subject, 'site has no name', 'add name')
        return None
    subject = 'site %s' % name

    server = raw.get('sip_server')
    sip_server = None
    if server is not None:
        if not isinstance(server, Mapping) or not _text(server.get('address')):
            report.error('schema', subject, 'sip_server must be a mapping with address (and port, default 5060; '
                         'tls_port, default 5061)', 'write sip_server: {address: ..., port: 5060, tls_port: 5061}')
        else:
            _unknown_keys(report, 'schema', subject, server, ('address', 'port', 'tls_port'), 'sip_server field')
            if not _host_ok(_text(server['address'])):
                report.error('schema', subject, 'sip_server.address must be a host name or IP address, not %s'
                             % show(server['address']), 'correct sip_server.address')
            sip_server = (_text(server['address']), _port(report, subject, 'sip_server.port', server.get('port'), 5060),
                          _port(report, subject, 'sip_server.tls_port', server.get('tls_port'), 5061))

    pool = raw.get('sip_proxy_pool')
    sip_proxy_pool = None
    if pool is not None:
        if not isinstance(pool, Mapping) or not _text(pool.get('fqdn')):
            report.error('schema', subject, 'sip_proxy_pool must be a mapping with fqdn (and port, default 5060; '
                         'tls_port, default 5061)', 'write sip_proxy_pool: {fqdn: ..., port: 5060, tls_port: 5061}')
        else:
            _unknown_keys(report, 'schema', subject, pool, ('fqdn', 'port', 'tls_port'), 'sip_proxy_pool field')
            if not _host_ok(_text(pool['fqdn'])):
                report.error('schema', subject, 'sip_proxy_pool.fqdn must be a host name (letters, digits and -, '
                             'dot-separated), not %s' % show(pool['fqdn']), 'correct sip_proxy_pool.fqdn')
            sip_proxy_pool = (_text(pool['fqdn']), _port(report, subject, 'sip_proxy_pool.port', pool.get('port'), 5060),
                              _port(report, subject, 'sip_proxy_pool.tls_port', pool.get('tls_port'), 5061))

    gax = raw.get('gax')
    gax_url = switch = None
    if not isinstance(gax, Mapping) or not _text(gax.get('url')) or not _text(gax.get('switch')):
        report.error('schema', subject, 'gax must be a mapping with url and switch',
                     'write gax: {url: https://gax.example:8080, switch: <SIP Switch name>}')
    else:
        _unknown_keys(report, 'schema', subject, gax, ('url', 'switch'), 'gax field')
        gax_url, switch = _text(gax['url']), _text(gax['switch'])
        problem = _url_problem(gax_url)
        if problem:
            report.error('schema', subject, 'gax.url %s, not %s' % (problem, show(gax_url)),
                         'write gax.url as http(s)://<GAX host>:<port>, e.g. https://gax.example:8080')

    version = raw.get('sip_server_version')
    version_text = _text(version) if version is not None else None
    version_tuple = _version(version_text) if version_text else None
    if version is not None and version_tuple is None:
        report.error('schema', subject, 'sip_server_version must be a dotted release such as 8.1.101.75, not %s'
                     % show(version))

    application = raw.get('sip_server_application')
    if application is not None and not _text(application):
        report.error('schema', subject, 'sip_server_application must be text')

    logins = []
    raw_logins = raw.get('agent_logins') or []
    if not _is_list(raw_logins):
        report.error('schema', subject, 'agent_logins must be a list', 'write agent_logins: [{login_code: ...}]')
        raw_logins = []
    for position, entry in enumerate(raw_logins):
        login = _read_agent_login(report, subject, position, entry)
        if login is not None:
            logins.append(login)
    return _Site(name, sip_server, sip_proxy_pool, gax_url, switch, version_text, version_tuple,
                 _text(application) if application is not None else None, logins)


def _read_agent_login(report, site_subject, position, entry):
    subject = '%s agent_logins[%d]' % (site_subject, position)
    if not isinstance(entry, Mapping):
        report.error('schema', subject, 'an agent login must be a mapping')
        return None
    _unknown_keys(report, 'schema', subject, entry, AGENT_LOGIN_FIELDS, 'agent login field')
    code = _text(entry.get('login_code'))
    if not code:
        report.error('schema', subject, 'login_code is missing', 'add login_code (the user name typed on the phone)')
        return None
    subject = '%s agent login %s' % (site_subject, code)
    state = entry.get('state', 'present')
    if state not in STATES:
        report.error('schema', subject, 'state must be present or absent, not %s' % show(state))
    password = entry.get('password')
    if password is not None and _secret(password) is None:
        report.error('schema', subject, 'password must be text (vault it)')
    options = entry.get('options') or {}
    if not isinstance(options, Mapping) or not all(isinstance(v, Mapping) for v in options.values()):
        report.error('schema', subject, 'options must map annex sections to options',
                     'write options: {TServer: {wrap-up-time: "0"}}')
        options = {}
    return {
        'login_code': code,
        'login_password': _secret(password),  # the module's name: its own `password` is the GAX user's
        'options': dict((str(s), dict((str(k), v if v is None else str(v)) for k, v in o.items()))
                        for s, o in options.items()),
        'state': state if state in STATES else 'present',
    }


def read_sites(report, sites):
    if isinstance(sites, Mapping):
        items = list(sites.items())
    elif _is_list(sites):
        items = [(None, entry) for entry in sites]
    else:
        report.error('schema', 'sites', '%ssites must be a list of sites (or a mapping of name to site)' % PREFIX,
                     'define sites in group_vars/all, see docs/inventory.md')
        return {}
    result = {}
    for name_hint, raw in items:
        site = _read_site(report, name_hint, raw)
        if site is None:
            continue
        if site.name in result:
            report.error('schema', 'site %s' % site.name, 'the site is defined twice', 'keep one definition')
            continue
        result[site.name] = site
    return result


def _read_flag(report, subject, name, value):
    """False (stated off), None (absent or null) or the parameters of an enabled feature."""
    feature = FEATURE_BY_NAME[name]
    if value is None:
        return None
    if value is False:
        return False
    if value is True:
        given = {}
    elif isinstance(value, Mapping):
        given = dict(value)
    elif feature.shorthand and _text(value) is not None:
        given = {feature.shorthand: value}
    else:
        report.error('schema', subject, 'feature %s takes true, false%s, not %s' % (
            name, ', a mapping of its parameters' if feature.params else '', show(value)),
            _flag_help(feature))
        return None
    valid = tuple(p.name for p in feature.params)
    params = {}
    for pname in given:
        if pname not in valid:
            report.error('unknown_param', subject, 'feature %s has no parameter %r' % (name, pname),
                         'valid parameters of %s: %s' % (name, ', '.join(valid) or 'none (write %s: true)' % name))
    for spec in feature.params:
        raw = given.get(spec.name)
        if raw is None:
            if spec.default is REQUIRED:
                report.error('schema', subject, 'feature %s needs parameter %s' % (name, spec.name), _flag_help(feature))
                return None
            params[spec.name] = spec.default
            continue
        checked = _check_param(report, subject, name, spec, raw)
        if checked is None:
            return None
        params[spec.name] = checked
    return params


def _flag_help(feature):
    if not feature.params:
        return 'write %s: true (or false)' % feature.name
    described = []
    for spec in feature.params:
        text = spec.name
        if spec.values:
            text += ' (%s)' % '|'.join(str(v) for v in spec.values)
        if spec.default is REQUIRED:
            text += ', required'
        elif spec.default is FROM_DN:
            text += ', default: the DN'
        elif spec.default is not None:
            text += ', default %s' % (','.join(spec.default) if isinstance(spec.default, tuple) else spec.default)
        described.append(text)
    return 'parameters of %s: %s' % (feature.name, '; '.join(described))


def _check_param(report, subject, fname, spec, raw):
    where = 'feature %s parameter %s' % (fname, spec.name)
    if isinstance(raw, bool):
        report.error('schema', subject, '%s takes a value, not %s' % (where, raw), _flag_help(FEATURE_BY_NAME[fname]))
        return None
    if spec.kind == 'choice':
        for choice in spec.values:
            if raw == choice or (_text(raw) is not None and _text(raw) == str(choice)):
                return choice
        report.error('schema', subject, '%s must be one of %s, not %s' % (
            where, ', '.join(str(v) for v in spec.values), show(raw)), 'write %s: %s' % (spec.name, spec.values[0]))
        return None
    if spec.kind == 'int':
        text = _text(raw)
        if text is None or not text.isdigit() or (spec.minimum is not None and int(text) < spec.minimum) or (
                spec.maximum is not None and int(text) > spec.maximum):
            report.error('schema', subject, '%s must be an integer from %s to %s, not %s' % (
                where, spec.minimum, spec.maximum if spec.maximum is not None else 'any', show(raw)))
            return None
        return str(int(text))
    if spec.kind == 'set':
        members = [raw] if _text(raw) is not None else raw
        if not _is_list(members) or not members or any(m not in spec.values for m in members):
            report.error('schema', subject, '%s must be a non-empty list drawn from %s, not %s' % (
                where, ', '.join(spec.values), show(raw)))
            return None
        return tuple(m for m in spec.values if m in members)
    text = _text(raw)
    if unsafe_characters(text):
        report.error('schema', subject, '%s holds %s, which a configuration line cannot carry'
                     % (where, unsafe_characters(text)), 'remove it')
        return None
    if not text or (spec.maximum is not None and len(text) > spec.maximum):
        report.error('schema', subject, '%s must be non-empty text%s, not %s' % (
            where, ' of at most %d characters' % spec.maximum if spec.maximum else '', show(raw)))
        return None
    return text


def _read_line(report, host, index, raw):
    subject = '%s line %d' % (host, index)
    if not isinstance(raw, Mapping):
        report.error('schema', subject, 'a line must be a mapping with dn, display_name, features, ...')
        return None
    dn = _text(raw.get('dn'))
    if dn is not None:
        subject = '%s line %d (dn %s)' % (host, index, dn)
    _unknown_keys(report, 'schema', subject, raw, LINE_FIELDS, 'line field')
    if dn is None or not _DN_RE.match(dn):
        report.error('schema', subject, 'dn must be a number of at most 30 characters (digits, + * #), '
                     'not %s' % show(raw.get('dn')), 'correct dn (a letter O or l in place of 0 or 1?)')
        return None
    state = raw.get('state', 'present')
    if state not in STATES:
        report.error('schema', subject, 'state must be present or absent, not %s' % show(state))
        return None
    dn_type = raw.get('dn_type', 'extension')
    if dn_type not in DN_TYPES:
        report.error('schema', subject, 'dn_type must be extension or acd_position, not %s' % show(dn_type))
        return None
    display_name = raw.get('display_name', dn)
    if _text(display_name) is None:
        report.error('schema', subject, 'display_name must be text')
    dn_name = raw.get('dn_name')
    if dn_name is not None and not _text(dn_name):
        report.error('schema', subject, 'dn_name must be text')
    contact = raw.get('contact', '*')
    if not _text(contact):
        report.error('schema', subject, 'contact must be text such as * or sip:1502@host:5060')
    secret = raw.get('sip_password')
    if secret is not None and _secret(secret) is None:
        report.error('schema', subject, 'sip_password must be text (vault it)')
    for field in ('display_name', 'dn_name', 'contact', 'sip_password'):
        # these end up as lines of the phone's configuration file (the value itself is never echoed)
        unsafe = unsafe_characters(_secret(raw.get(field)) if field == 'sip_password' else _text(raw.get(field)))
        if unsafe:
            report.error('schema', subject, '%s holds %s, which a configuration line cannot carry' % (field, unsafe),
                         'remove it')

    raw_features = raw.get('features') or {}
    if not isinstance(raw_features, Mapping):
        report.error('schema', subject, 'features must be a mapping of feature flags',
                     'valid flags: %s' % ', '.join(VALID_FLAGS))
        raw_features = {}
    features = {}
    for name, value in raw_features.items():
        if name not in FEATURE_BY_NAME:
            report.error('unknown_flag', subject, 'unknown feature flag %r' % (name,),
                         'valid flags: %s' % ', '.join(VALID_FLAGS))
            continue
        features[name] = _read_flag(report, subject, name, value)
    for name, params in features.items():
        if is_on(params):
            for required in FEATURE_BY_NAME[name].requires:
                if not is_on(features.get(required)):
                    report.error('requires', subject, 'feature %s needs %s on the same line' % (name, required),
                                 'add %s: true to this line' % required)
    mwi = features.get('mwi')
    if is_on(mwi) and mwi['mailbox'] is FROM_DN:
        if dn.isdigit() and int(dn) >= 1:
            mwi['mailbox'] = str(int(dn))
        else:
            report.error('schema', subject, 'gvm_mailbox is a positive integer and DN %s is not one' % dn,
                         'give mwi: {mailbox: <number>, voice_mail_number: ...}')
    return _Line(index, dn, _text(display_name) or dn, _secret(secret), state, dn_type,
                 _text(dn_name) or None, _text(contact) or '*', features, subject)


def is_on(params):
    """A parsed flag is on when it holds parameters (``{}`` for a feature without any)."""
    return params is not None and params is not False


def enabled(line, name):
    return is_on(line.features.get(name))


def read_phone(report, host, raw, sites):
    if not isinstance(raw, Mapping):
        report.error('schema', host, 'the host variables must be a mapping')
        return None
    model_var, raw_model = host_var(report, host, raw, 'model')
    model = _text(raw_model)
    model = model.upper() if model else None
    if model not in MODELS:
        report.error('schema', host, '%s must be one of %s, not %s' % (model_var, ', '.join(sorted(MODELS)), show(raw_model)),
                     'set %s' % model_var)
        return None
    address = _text(raw.get('address') or raw.get('ansible_host') or host)
    if not _host_ok(address):
        report.error('schema', host, 'address must be a host name or IP address, not %s' % show(address),
                     'correct address (the phone\'s IP address, or its name)')
    mac = raw.get('mac')
    if mac is not None:
        compact = (_text(mac) or '').lower().replace(':', '').replace('-', '').replace('.', '')
        if not _MAC_RE.match(compact):
            report.error('schema', host, 'mac must be 12 hex digits such as 00:90:8f:12:34:56, not %s' % show(mac),
                         'correct mac from the label of the phone (or leave it out)')
            mac = None
        else:
            mac = ':'.join(compact[i:i + 2] for i in range(0, 12, 2))
    allow = raw.get('allow_unvalidated_firmware', False)
    try:
        allow = boolean(allow, strict=True)  # an INI inventory gives "true" as text
    except TypeError:
        report.error('schema', host, 'allow_unvalidated_firmware must be true or false, not %s' % show(allow))
        allow = False
    firmware_var, raw_firmware = host_var(report, host, raw, 'firmware')
    firmware = _text(raw_firmware)
    firmware_tuple = _version(firmware) if firmware else None
    if firmware_tuple is None and not allow:
        report.error('schema', host, '%s must state the expected release such as 2.2.16.142.12, not %s'
                     % (firmware_var, show(raw_firmware)), 'set %s (or allow_unvalidated_firmware: true)' % firmware_var)
    site_var, raw_site = host_var(report, host, raw, 'site')
    site = _text(raw_site)
    if site not in sites:
        report.error('schema', host, '%s must name a site of %ssites (%s), not %s' % (
            site_var, PREFIX, ', '.join(sorted(sites)) or 'none defined', show(raw_site)),
            'set %s to the home site name' % site_var)
        site = None
    lines_var, raw_lines = host_var(report, host, raw, 'lines')
    if not _is_list(raw_lines) or not raw_lines:
        report.error('schema', host, '%s must be a non-empty list of lines' % lines_var,
                     'add %s: [{dn: ..., ...}]' % lines_var)
        return None
    limit = MODELS[model].lines
    if len(raw_lines) > limit:
        bigger = 'model with 6 lines (430HD, 440HD)' if limit < 6 else 'second phone'
        report.error('line_count', host, 'model %s has %d lines, the inventory gives %d' % (model, limit, len(raw_lines)),
                     'remove lines beyond line %d or use a %s' % (limit - 1, bigger))
        raw_lines = raw_lines[:limit]
    lines = []
    seen = {}
    for index, raw_line in enumerate(raw_lines):
        line = _read_line(report, host, index, raw_line)
        if line is None:
            continue
        if line.dn in seen:
            report.error('duplicate_dn', line.subject, 'the DN is also line %d of this phone' % seen[line.dn],
                         'give each line its own dn')
            continue
        seen[line.dn] = index
        lines.append(line)
    return _Phone(host, address, model, mac, firmware, firmware_tuple, allow, site, lines)


def read_deployment(report, deployment, bc_mode, bc_sites, sites):
    deployment = deployment or 'standalone'
    if deployment not in DEPLOYMENT_NAMES:
        report.error('schema', 'deployment', PREFIX + 'deployment must be one of %s, not %s' % (
            ', '.join(DEPLOYMENT_NAMES), show(deployment)))
        return None, None
    if deployment != 'business_continuity':
        return deployment, None
    if bc_mode not in BC_MODES:
        report.error('schema', 'deployment', 'business_continuity needs %sbc_mode simultaneous or primary_fallback, '
                     'not %s' % (PREFIX, show(bc_mode)), 'set %sbc_mode' % PREFIX)
        return None, None
    if bc_sites is None and len(sites) == 2:
        bc_sites = sorted(sites)
    if not _is_list(bc_sites) or len(bc_sites) != 2 or bc_sites[0] == bc_sites[1] or any(s not in sites for s in bc_sites):
        report.error('schema', 'deployment', 'business_continuity needs %(p)sbc_sites: two different site names of '
                     '%(p)ssites, not %(v)s' % {'p': PREFIX, 'v': show(bc_sites)}, 'set %sbc_sites: [<site 1>, <site 2>]' % PREFIX)
        return None, None
    return bc_mode, (str(bc_sites[0]), str(bc_sites[1]))
