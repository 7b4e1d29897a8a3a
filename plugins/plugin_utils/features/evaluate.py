# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The application note's knowledge: ONE table and the pure functions that read it.

Inventory (phones with their lines and feature flags, sites, the deployment) goes in; the desired
state comes out: per switch the DN annex options (section ``TServer``) and Agent Logins, per phone
the ``settings`` dict (AudioCodes configuration keys -> values). ``preflight`` enforces the note's
known limitations before anything is written. The schema is documented in docs/inventory.md.

Nothing else in the collection knows a feature's configuration key or annex option by name. Names
that no source settles carry ``assumed=True`` and their evidence: a field engineer corrects them
here, in one place, from a capture of a real phone or SIP Server.

Secrets (SIP passwords, Agent Login passwords) pass through into the result unchanged; no message
built here ever contains one.
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

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import keys as phone_keys
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import InputError


# ---------------------------------------------------------------------------------------------
# Table vocabulary
# ---------------------------------------------------------------------------------------------

class _Sentinel(object):
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


NOT_WRITTEN = _Sentinel('NOT_WRITTEN')
"""Off value of an assumed phone key: it is written only while its feature is on, and a confirmed
key owned by the same row does the undoing (a firmware that lacks the key must still take the rest)."""

REQUIRED = _Sentinel('REQUIRED')
"""Default of a feature parameter the inventory must give."""

FROM_DN = _Sentinel('FROM_DN')
"""Default of a parameter that takes the line's DN (the note's example: gvm_mailbox=1502 on DN 1502)."""


class P(namedtuple('P', 'param')):
    """The value of a feature parameter, as written."""
    __slots__ = ()


class Choice(namedtuple('Choice', 'param values')):
    """A parameter's choice mapped to what is written (``None`` in ``values``: nothing / removed)."""
    __slots__ = ()


class Ctx(namedtuple('Ctx', 'name')):
    """A value the function computes for the line or the phone (its DN, its secret, a site address)."""
    __slots__ = ()


class Port(namedtuple('Port', 'udp tls')):
    """A server port chosen by the phone's transport: ``tls`` (a ``Ctx`` name) while the phone's ``tls``
    feature is on, ``udp`` (UDP and TCP share it) otherwise."""
    __slots__ = ()


class Token(namedtuple('Token', 'token')):
    """One member of a set option (``sip-cti-control``): the option is the members, fixed order."""
    __slots__ = ()


# A phone key: ``name`` holds ``{n}`` for a line key (0-based line index).
Key = namedtuple('Key', 'name on off assumed evidence')
# An option in the [TServer] section of the DN annex; ``off`` None = removed from the annex.
Option = namedtuple('Option', 'name on off assumed evidence')
# A feature parameter. kind: choice, int, str, set. ``values`` are the choices (or the set's members).
Param = namedtuple('Param', 'name kind default values minimum maximum')
# A feature row. scope LINE: line keys and phone-wide keys that are a capability any line may ask
# for (the key is on if any line's feature is on). scope PHONE: the feature changes how the whole
# phone behaves, so every line that states the flag must state the same value.
Feature = namedtuple('Feature', 'name scope params shorthand requires dn phone note')
# Per deployment: DN options written on every DN, phone-wide keys.
Deployment = namedtuple('Deployment', 'name dn phone note')
# Per model: lines the phone has, first validated firmware, full SCA support.
Model = namedtuple('Model', 'lines min_firmware sca note')


def key(name, on, off, assumed=False, evidence=''):
    return Key(name, on, off, assumed, evidence)


def option(name, on, off=None, assumed=False, evidence=''):
    return Option(name, on, off, assumed, evidence)


def param(name, kind, default=REQUIRED, values=(), minimum=None, maximum=None):
    return Param(name, kind, default, tuple(values), minimum, maximum)


LINE = 'line'
PHONE = 'phone'

ASSUMED_ACD = ('note section 5 selects Application Server Type BSFT for SCA; that BSFT also selects the '
               'BroadSoft ACD method for agent login is assumed (gaps-research Q4.2: no source names the '
               'ACD-method key on 2.2.16)')
ASSUMED_MODE = ('gaps-research Q1: no public source shows a key for the web field "Redundant Proxy Mode" '
                'nor the value Simultaneous; off, redundant_proxy/enabled=0 (confirmed) undoes it')
ASSUMED_SECONDARY = ('note section 5 names the web field "Secondary Proxy Address/Port"; no source names a '
                     'key other than redundant_proxy/* (gaps-research Q1)')

# ---------------------------------------------------------------------------------------------
# THE TABLE
# ---------------------------------------------------------------------------------------------

# The ACD method the phone uses for agent login and agent state (BroadSoft), shared by two rows.
ACD_METHOD_BSFT = key('voip/services/application_server_type', 'BSFT', 'Generic', True, ASSUMED_ACD)

# Set options: the members any enabled feature asks for, comma-joined in this fixed order.
SET_OPTIONS = {
    'authenticate-requests': ('register', 'invite', 'subscribe', 'publish', 'message'),
    'sip-cti-control': ('talk', 'hold', 'dtmf'),
}

# Basic calling (always on for a declared line): FEATURES.md row "Basic calling".
BASIC = Feature(
    name='basic_calling', scope=LINE, params=(), shorthand=None, requires=(),
    dn=(option('contact', Ctx('contact')),),
    phone=(
        key('voip/line/{n}/enabled', '1', '0'),
        # Left as they are on a line that is off: the firmware refuses an empty id (min length 1).
        key('voip/line/{n}/id', Ctx('dn'), NOT_WRITTEN),
        key('voip/line/{n}/description', Ctx('display_name'), NOT_WRITTEN),
    ),
    note='FEATURES.md "Basic calling"; contact * = dynamic registration (or the phone SIP URI)',
)

FEATURES = (
    Feature(
        name='sip_auth', scope=LINE, shorthand=None, requires=(),
        params=(param('requests', 'set', ('register', 'invite'), SET_OPTIONS['authenticate-requests']),),
        dn=(option('authenticate-requests', P('requests')),
            option('password', Ctx('secret'))),
        phone=(key('voip/line/{n}/auth_name', Ctx('auth_name'), ''),
               key('voip/line/{n}/auth_password', Ctx('secret'), '')),
        note='note sections 4 and 5, SIP authentication: the DN password equals the phone auth password',
    ),
    Feature(
        name='agent_login', scope=LINE, shorthand=None, requires=(), params=(),
        dn=(option('enable-agentlogin-subscribe', 'true'),),
        phone=(ACD_METHOD_BSFT,),
        note='note section 4, Agent Login from the Phone; Agent Login objects come from the site',
    ),
    Feature(
        name='agent_state_control', scope=LINE, shorthand=None, requires=('agent_login',), params=(),
        dn=(),
        phone=(ACD_METHOD_BSFT,),
        note='note section 4: Agent Login object password; Business Continuity only in primary-fallback mode',
    ),
    Feature(
        name='auto_answer', scope=PHONE, shorthand=None, requires=(), params=(),
        dn=(),
        phone=(key('voip/auto_answer/enabled', '1', '0'),),
        note='phone-wide key',
    ),
    Feature(
        name='call_forward', scope=LINE, shorthand=None, requires=(),
        params=(param('type', 'choice', values=('unconditional', 'busy', 'no_reply')),
                param('destination', 'str', maximum=128),
                param('timeout', 'int', 6, minimum=0, maximum=7200)),
        dn=(),
        # Off = the firmware defaults: forwarding inactive, the user may still forward from the phone.
        phone=(key('voip/line/{n}/call_forward/enabled', '1', '1'),
               key('voip/line/{n}/call_forward/active', '1', '0'),
               key('voip/line/{n}/call_forward/type',
                   Choice('type', {'unconditional': 'Unconditional', 'busy': 'Busy', 'no_reply': 'No_Reply'}),
                   'No_Reply'),
               key('voip/line/{n}/call_forward/destination', P('destination'), ''),
               key('voip/line/{n}/call_forward/timeout', P('timeout'), '6')),
        note='enum spelling of the parameter database (3.0.4)',
    ),
    Feature(
        name='dnd', scope=LINE, shorthand=None, requires=(), params=(),
        dn=(),
        # do_not_disturb/enabled makes DND available (firmware default 1); 0 would hide it from users.
        phone=(key('voip/services/do_not_disturb/enabled', '1', '1'),
               key('voip/line/{n}/do_not_disturb/activated', '1', '0')),
        note='FEATURES.md "Call forward, DND"',
    ),
    Feature(
        name='dtmf_method', scope=PHONE, shorthand='method', requires=(),
        params=(param('method', 'choice', values=('rfc2833', 'sip_info')),),
        dn=(),
        phone=(key('voip/media/out_of_band_dtmf', Choice('method', {'rfc2833': 'RFC2833', 'sip_info': 'VIA_SIP'}),
                   'RFC2833'),),
        note='note section 5, DTMF tones generation; off = the firmware default RFC2833',
    ),
    Feature(
        name='mwi', scope=LINE, shorthand=None, requires=(),
        params=(param('mailbox', 'int', FROM_DN, minimum=1),
                param('voice_mail_number', 'str', maximum=64)),
        # Genesys: delete the option when the mailbox goes, or the mailbox reappears.
        dn=(option('gvm_mailbox', P('mailbox')),),
        phone=(key('voip/services/msg_waiting_ind/enabled', 'ENABLE', 'DISABLE', True,
                   'keys confirmed; ENABLE/DISABLE is the 3.0.4 database spelling, 2.2.16 may want 1/0'),
               key('voip/services/msg_waiting_ind/voice_mail_number', P('voice_mail_number'), '')),
        note='note section 4, Message Waiting Indicator',
    ),
    Feature(
        name='sca', scope=LINE, shorthand=None, requires=(),
        params=(param('role', 'choice', values=('primary', 'secondary')),
                param('primary_dn', 'str', None),
                param('preferred_site', 'str', None)),
        dn=(option('shared-line', Choice('role', {'primary': 'true', 'secondary': None}), None, True,
                   'note section 4 cuts off before naming the option that marks a Primary Shared Line DN; '
                   'gaps-research Q2: not found'),
            option('sca-preferred-site', Ctx('sca_preferred_site'), None, False,
                   'docs.genesys.com SCAinBC 8.1.1: on the primary shared-line DN, Business Continuity only')),
        phone=(key('voip/services/application_server_type', 'BSFT', 'Generic'),
               key('voip/line/{n}/line_mode', 'Shared', 'Private')),
        note='note sections 4 and 5; secondaries authenticate with the primary user name',
    ),
    Feature(
        name='tls', scope=PHONE, shorthand=None, requires=(),
        params=(param('srtp', 'choice', 'support', ('support', 'require')),),
        dn=(),
        phone=(key('voip/signalling/sip/transport_protocol', 'TLS', 'UDP'),
               key('voip/signalling/sip/tls_method', 'tls_1_2', 'ssl_2_3'),
               key('voip/media/srtp/mode',
                   Choice('srtp', {'support': 'SupportEncryption', 'require': 'RequireEncryption'}),
                   NOT_WRITTEN, True,
                   'gaps-research Q4.1: confirmed on 3.0.4 only; off it is left as it is (see docs/inventory.md)')),
        note='SIP Server TLS transport is configured outside the DN; warn: Security Pack 8.5.1 on UNIX',
    ),
    Feature(
        name='sips', scope=PHONE, shorthand=None, requires=(), params=(),
        dn=(),
        phone=(key('voip/signalling/sip/enable_sips', '1', '0'),),
        note='note section 5, Secure SIP (RFC 5630)',
    ),
    Feature(
        name='remote_answer', scope=LINE, shorthand=None, requires=(), params=(),
        dn=(option('sip-cti-control', Token('talk')),),
        phone=(key('voip/talk_event/enabled', '1', '0'),),
        note='note section 4, Answer Incoming Call (3pcc)',
    ),
    Feature(
        name='remote_hold', scope=LINE, shorthand=None, requires=(), params=(),
        dn=(option('sip-cti-control', Token('hold')),),
        phone=(),
        note='note section 4, Hold/Retrieve (3pcc)',
    ),
    Feature(
        name='remote_dtmf', scope=LINE, shorthand=None, requires=(), params=(),
        dn=(option('sip-cti-control', Token('dtmf')),),
        phone=(),
        note='note section 4, Remote DTMF tones generation',
    ),
    Feature(
        name='remote_auto_answer', scope=LINE, shorthand=None, requires=(), params=(),
        dn=(option('sip-alert-info', 'info=alert-autoanswer'),),
        phone=(),
        note='note section 4, Remote Auto-Answer; the sample writes a space after "=", compared stripped',
    ),
    Feature(
        name='blind_transfer', scope=LINE, shorthand=None, requires=(), params=(),
        # On the transfer TARGET: the flag belongs to the host whose DN receives such transfers.
        dn=(option('blind-transfer-enabled', 'true'),),
        phone=(),
        note='note section 4, Semi-attended transfer (Genesys Blind Transfer)',
    ),
    Feature(
        name='attended_transfer', scope=LINE, shorthand=None, requires=(),
        params=(param('method', 'choice', 'invite', ('invite', 'refer')),
                param('rfc3725_flow', 'choice', 1, (1, 2))),
        dn=(option('dual-dialog-enabled', 'true'),
            option('make-call-rfc3725-flow', P('rfc3725_flow')),
            option('refer-enabled', Choice('method', {'invite': 'false', 'refer': 'true'}))),
        phone=(),
        note='note section 4; rfc3725 flow: the table says 2, the sample 1, "1 or 2 is sufficient": default 1',
    ),
)

_PROXY_OFF = (
    key('voip/signalling/sip/redundant_proxy/enabled', '0', '0'),
    key('voip/signalling/sip/redundant_proxy/address', '0.0.0.0', '0.0.0.0'),
    key('voip/signalling/sip/redundant_proxy/port', '5060', '5060'),
    key('voip/signalling/sip/redundant_proxy/symmetric_mode', '0', '0'),
)


def _bc_phone_keys(mode):
    return (
        key('voip/signalling/sip/use_proxy', '1', '1'),
        key('voip/signalling/sip/proxy_address', Ctx('home_address'), None),
        key('voip/signalling/sip/proxy_port', Port('home_port', 'home_tls_port'), None),
        key('voip/signalling/sip/sip_outbound_proxy/enabled', '0', None),
        key('voip/signalling/sip/sip_outbound_proxy/addr', '', None),
        key('voip/signalling/sip/sip_outbound_proxy/port', '0', None),
        key('voip/signalling/sip/proxy_timeout', '300', None),
        key('voip/signalling/sip/registration_failed_timeout', '5', None),
        key('voip/signalling/sip/redundant_proxy/enabled', '1', None,
            mode == 'SIMULTANEOUS', ASSUMED_SECONDARY if mode == 'SIMULTANEOUS' else ''),
        key('voip/signalling/sip/redundant_proxy/address', Ctx('other_address'), None,
            mode == 'SIMULTANEOUS', ASSUMED_SECONDARY if mode == 'SIMULTANEOUS' else 'web field "Redundant Proxy Address"'),
        key('voip/signalling/sip/redundant_proxy/port', Port('other_port', 'other_tls_port'), None,
            mode == 'SIMULTANEOUS', ASSUMED_SECONDARY if mode == 'SIMULTANEOUS' else ''),
        key('voip/signalling/sip/redundant_proxy/mode', mode, NOT_WRITTEN, True, ASSUMED_MODE),
        # 0 = asymmetric: re-register to the primary when it answers ("Switch back to Primary").
        key('voip/signalling/sip/redundant_proxy/symmetric_mode', '0', None),
    )


def _single_phone_keys(address, port, tls_port, proxy_timeout):
    return (
        key('voip/signalling/sip/use_proxy', '1', '1'),
        key('voip/signalling/sip/proxy_address', Ctx(address), None),
        key('voip/signalling/sip/proxy_port', Port(port, tls_port), None),
        key('voip/signalling/sip/sip_outbound_proxy/enabled', '1', None),
        key('voip/signalling/sip/sip_outbound_proxy/addr', Ctx(address), None),
        key('voip/signalling/sip/sip_outbound_proxy/port', Port(port, tls_port), None),
        # Firmware defaults (3600, 60) undo what the other deployments set.
        key('voip/signalling/sip/proxy_timeout', proxy_timeout, None),
        key('voip/signalling/sip/registration_failed_timeout', '60', None),
        key('voip/signalling/sip/redundant_proxy/mode', NOT_WRITTEN, NOT_WRITTEN, True, ASSUMED_MODE),
    ) + _PROXY_OFF


DEPLOYMENTS = {
    'standalone': Deployment(
        'standalone', dn=(option('dr-forward', None),),
        phone=_single_phone_keys('home_address', 'home_port', 'home_tls_port', '3600'),
        note='proxy and outbound proxy = the SIP Server address and port'),
    'sip_proxy_ha': Deployment(
        'sip_proxy_ha', dn=(option('dr-forward', None),),
        phone=_single_phone_keys('pool_fqdn', 'pool_port', 'pool_tls_port', '5'),
        note='note section 5, DNS-based redundancy: the SIP Proxy pool FQDN, Registration Expires 5 s'),
    'simultaneous': Deployment(
        'simultaneous', dn=(option('dr-forward', 'no-agent'),),
        phone=_bc_phone_keys('SIMULTANEOUS'),
        note='note sections 4 and 5, Business Continuity, dual registration'),
    'primary_fallback': Deployment(
        'primary_fallback', dn=(option('dr-forward', 'oos'),),
        phone=_bc_phone_keys('PRIMARY_FALLBACK'),
        note='note sections 4 and 5, Business Continuity, single registration, switch back to primary'),
}

DEPLOYMENT_NAMES = ('standalone', 'sip_proxy_ha', 'business_continuity')
BC_MODES = ('simultaneous', 'primary_fallback')

MODELS = {
    # note 3.2: "440HD, 430HD, 420HD, 405: 2.2.16 or later"; "440HD, 420HD, 405: 2.2.12 or later".
    '405': Model(2, (2, 2, 12), False, 'note 3.2, both rows'),
    # 405HD is in neither row of note 3.2; the summary supports it "with 2.2.16".
    '405HD': Model(2, (2, 2, 16), False, 'note section 1 (summary) only'),
    '420HD': Model(2, (2, 2, 12), False, 'note 3.2, both rows'),
    '430HD': Model(6, (2, 2, 16), False, 'note 3.2, 2.2.16 row only'),
    '440HD': Model(6, (2, 2, 12), True, 'note 3.2, both rows; "Only AC 440HD supports full SCA"'),
}

SCA_IN_BC_SIP_SERVER = (8, 1, 101, 75)
"""SIP Server release from which SCA works in Business Continuity (docs.genesys.com SCAinBC)."""

# The inventory field that feeds each length-limited key (for the fix). The limits themselves are
# the phone's, kept once in audiocodes/keys.py (from the parameter database).
LENGTH_CHECKED = {
    'voip/signalling/sip/redundant_proxy/address': 'sip_server.address of the other Business Continuity site',
    'voip/signalling/sip/proxy_address': 'sip_server.address or sip_proxy_pool.fqdn of the home site',
    'voip/signalling/sip/sip_outbound_proxy/addr': 'sip_server.address or sip_proxy_pool.fqdn of the home site',
    'voip/line/{n}/description': 'display_name',
    'voip/line/{n}/auth_name': 'dn (or sca primary_dn)',
    'voip/line/{n}/auth_password': 'sip_password',
    'voip/line/{n}/call_forward/destination': 'call_forward destination',
    'voip/services/msg_waiting_ind/voice_mail_number': 'mwi voice_mail_number',
}
SECRET_KEYS = frozenset(['voip/line/{n}/auth_password'])


# ---------------------------------------------------------------------------------------------
# Derived once at import (the function runs for a thousand phones: no per-call table work)
# ---------------------------------------------------------------------------------------------

FEATURE_BY_NAME = dict((f.name, f) for f in FEATURES)
VALID_FLAGS = tuple(sorted(FEATURE_BY_NAME))
MAX_LINES = max(m.lines for m in MODELS.values())


def _expand_line_keys(name):
    return tuple(name.replace('{n}', str(index)) for index in range(MAX_LINES))


def _split(keys):
    line, wide = [], []
    for entry in keys:
        (line if '{n}' in entry.name else wide).append(entry)
    return tuple(line), tuple(wide)


# per feature: (line keys with their expanded names, phone-wide keys)
_LINE_KEYS = {}
_WIDE_KEYS = {}
for _feature in FEATURES + (BASIC,):
    _line, _wide = _split(_feature.phone)
    _LINE_KEYS[_feature.name] = tuple((k, _expand_line_keys(k.name)) for k in _line)
    _WIDE_KEYS[_feature.name] = _wide


def _wide_key_offs():
    offs = {}
    for feature in FEATURES:
        for entry in _WIDE_KEYS[feature.name]:
            previous = offs.setdefault(entry.name, entry.off)
            if previous is not entry.off and previous != entry.off:
                raise AssertionError('table: features disagree on the off value of %s' % entry.name)
    return offs


WIDE_KEY_OFF = _wide_key_offs()


def _dn_option_offs():
    offs = {}
    for row in FEATURES + tuple(DEPLOYMENTS[d] for d in sorted(DEPLOYMENTS)):
        for entry in row.dn:
            previous = offs.setdefault(entry.name, entry.off)
            if previous != entry.off:
                raise AssertionError('table: rows disagree on the off value of option %s' % entry.name)
    return offs


DN_OPTION_OFF = _dn_option_offs()
"""Every annex option the features and deployments own, with its off value (None = removed):
each DN written gets all of them, so a feature turned off is undone."""

_MAX_LENGTH_EXPANDED = tuple(
    (name, phone_keys.max_length(name), field, template in SECRET_KEYS)
    for template, field in sorted(LENGTH_CHECKED.items())
    for name in (_expand_line_keys(template) if '{n}' in template else (template,))
)


def _check_table():
    """Cheap invariants, so a field engineer's edit that breaks the table fails at import."""
    feature_wide = set(WIDE_KEY_OFF)
    for row in DEPLOYMENTS.values():
        for entry in row.phone:
            if entry.name in feature_wide:
                raise AssertionError('table: %s is owned by a deployment and a feature' % entry.name)
    names = [tuple(sorted(k.name for k in row.phone)) for row in DEPLOYMENTS.values()]
    if len(set(names)) != 1:
        raise AssertionError('table: every deployment must own the same phone keys, so switching undoes')
    for feature in FEATURES:
        for entry in feature.dn:
            if isinstance(entry.on, Token) and entry.on.token not in SET_OPTIONS.get(entry.name, ()):
                raise AssertionError('table: %s is not a member of set option %s' % (entry.on.token, entry.name))
        for required in feature.requires:
            if required not in FEATURE_BY_NAME:
                raise AssertionError('table: %s requires unknown feature %s' % (feature.name, required))


_check_table()


def assumed_entries():
    """Every assumed name of the table, with its evidence: ``[(where, name, evidence)]``."""
    found = []
    for row in (BASIC,) + FEATURES:
        for entry in row.dn:
            if entry.assumed:
                found.append(('feature %s, DN option' % row.name, entry.name, entry.evidence))
        for entry in row.phone:
            if entry.assumed:
                found.append(('feature %s, phone key' % row.name, entry.name, entry.evidence))
    for name in sorted(DEPLOYMENTS):
        for entry in DEPLOYMENTS[name].phone:
            if entry.assumed:
                found.append(('deployment %s, phone key' % name, entry.name, entry.evidence))
    return found


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------

ERROR = 'error'
WARNING = 'warning'


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


class _Report(object):
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


def _show(value):
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
                     % (where, _show(value)), 'correct %s' % where)
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
                             % _show(server['address']), 'correct sip_server.address')
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
                             'dot-separated), not %s' % _show(pool['fqdn']), 'correct sip_proxy_pool.fqdn')
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
            report.error('schema', subject, 'gax.url %s, not %s' % (problem, _show(gax_url)),
                         'write gax.url as http(s)://<GAX host>:<port>, e.g. https://gax.example:8080')

    version = raw.get('sip_server_version')
    version_text = _text(version) if version is not None else None
    version_tuple = _version(version_text) if version_text else None
    if version is not None and version_tuple is None:
        report.error('schema', subject, 'sip_server_version must be a dotted release such as 8.1.101.75, not %s'
                     % _show(version))

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
        report.error('schema', subject, 'state must be present or absent, not %s' % _show(state))
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


def _read_sites(report, sites):
    if isinstance(sites, Mapping):
        items = list(sites.items())
    elif _is_list(sites):
        items = [(None, entry) for entry in sites]
    else:
        report.error('schema', 'sites', 'sites must be a list of sites (or a mapping of name to site)',
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
            name, ', a mapping of its parameters' if feature.params else '', _show(value)),
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
            where, ', '.join(str(v) for v in spec.values), _show(raw)), 'write %s: %s' % (spec.name, spec.values[0]))
        return None
    if spec.kind == 'int':
        text = _text(raw)
        if text is None or not text.isdigit() or (spec.minimum is not None and int(text) < spec.minimum) or (
                spec.maximum is not None and int(text) > spec.maximum):
            report.error('schema', subject, '%s must be an integer from %s to %s, not %s' % (
                where, spec.minimum, spec.maximum if spec.maximum is not None else 'any', _show(raw)))
            return None
        return str(int(text))
    if spec.kind == 'set':
        members = [raw] if _text(raw) is not None else raw
        if not _is_list(members) or not members or any(m not in spec.values for m in members):
            report.error('schema', subject, '%s must be a non-empty list drawn from %s, not %s' % (
                where, ', '.join(spec.values), _show(raw)))
            return None
        return tuple(m for m in spec.values if m in members)
    text = _text(raw)
    if not text or (spec.maximum is not None and len(text) > spec.maximum):
        report.error('schema', subject, '%s must be non-empty text%s, not %s' % (
            where, ' of at most %d characters' % spec.maximum if spec.maximum else '', _show(raw)))
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
                     'not %s' % _show(raw.get('dn')), 'correct dn (a letter O or l in place of 0 or 1?)')
        return None
    state = raw.get('state', 'present')
    if state not in STATES:
        report.error('schema', subject, 'state must be present or absent, not %s' % _show(state))
        return None
    dn_type = raw.get('dn_type', 'extension')
    if dn_type not in DN_TYPES:
        report.error('schema', subject, 'dn_type must be extension or acd_position, not %s' % _show(dn_type))
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
        if _on(params):
            for required in FEATURE_BY_NAME[name].requires:
                if not _on(features.get(required)):
                    report.error('requires', subject, 'feature %s needs %s on the same line' % (name, required),
                                 'add %s: true to this line' % required)
    mwi = features.get('mwi')
    if _on(mwi) and mwi['mailbox'] is FROM_DN:
        if dn.isdigit() and int(dn) >= 1:
            mwi['mailbox'] = str(int(dn))
        else:
            report.error('schema', subject, 'gvm_mailbox is a positive integer and DN %s is not one' % dn,
                         'give mwi: {mailbox: <number>, voice_mail_number: ...}')
    return _Line(index, dn, _text(display_name) or dn, _secret(secret), state, dn_type,
                 _text(dn_name) or None, _text(contact) or '*', features, subject)


def _on(params):
    """A parsed flag is on when it holds parameters (``{}`` for a feature without any)."""
    return params is not None and params is not False


def _enabled(line, name):
    return _on(line.features.get(name))


def _read_phone(report, host, raw, sites):
    if not isinstance(raw, Mapping):
        report.error('schema', host, 'the host variables must be a mapping')
        return None
    model = _text(raw.get('model'))
    model = model.upper() if model else None
    if model not in MODELS:
        report.error('schema', host, 'model must be one of %s, not %s' % (', '.join(sorted(MODELS)), _show(raw.get('model'))),
                     'set model')
        return None
    address = _text(raw.get('address') or raw.get('ansible_host') or host)
    if not _host_ok(address):
        report.error('schema', host, 'address must be a host name or IP address, not %s' % _show(address),
                     'correct address (the phone\'s IP address, or its name)')
    mac = raw.get('mac')
    if mac is not None:
        compact = (_text(mac) or '').lower().replace(':', '').replace('-', '').replace('.', '')
        if not _MAC_RE.match(compact):
            report.error('schema', host, 'mac must be 12 hex digits such as 00:90:8f:12:34:56, not %s' % _show(mac),
                         'correct mac from the label of the phone (or leave it out)')
            mac = None
        else:
            mac = ':'.join(compact[i:i + 2] for i in range(0, 12, 2))
    allow = raw.get('allow_unvalidated_firmware', False)
    try:
        allow = boolean(allow, strict=True)  # an INI inventory gives "true" as text
    except TypeError:
        report.error('schema', host, 'allow_unvalidated_firmware must be true or false, not %s' % _show(allow))
        allow = False
    firmware = _text(raw.get('firmware'))
    firmware_tuple = _version(firmware) if firmware else None
    if firmware_tuple is None and not allow:
        report.error('schema', host, 'firmware must state the expected release such as 2.2.16.142.12, not %s'
                     % _show(raw.get('firmware')), 'set firmware (or allow_unvalidated_firmware: true)')
    site = _text(raw.get('site'))
    if site not in sites:
        report.error('schema', host, 'site must name a site of sites (%s), not %s' % (
            ', '.join(sorted(sites)) or 'none defined', _show(raw.get('site'))), 'set site to the home site name')
        site = None
    raw_lines = raw.get('lines')
    if not _is_list(raw_lines) or not raw_lines:
        report.error('schema', host, 'lines must be a non-empty list of lines', 'add lines: [{dn: ..., ...}]')
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


def _read_deployment(report, deployment, bc_mode, bc_sites, sites):
    deployment = deployment or 'standalone'
    if deployment not in DEPLOYMENT_NAMES:
        report.error('schema', 'deployment', 'deployment must be one of %s, not %s' % (
            ', '.join(DEPLOYMENT_NAMES), _show(deployment)))
        return None, None
    if deployment != 'business_continuity':
        return deployment, None
    if bc_mode not in BC_MODES:
        report.error('schema', 'deployment', 'business_continuity needs bc_mode simultaneous or primary_fallback, not %s'
                     % _show(bc_mode), 'set bc_mode')
        return None, None
    if bc_sites is None and len(sites) == 2:
        bc_sites = sorted(sites)
    if not _is_list(bc_sites) or len(bc_sites) != 2 or bc_sites[0] == bc_sites[1] or any(s not in sites for s in bc_sites):
        report.error('schema', 'deployment', 'business_continuity needs bc_sites: two different site names of sites, '
                     'not %s' % _show(bc_sites), 'set bc_sites: [<site 1>, <site 2>]')
        return None, None
    return bc_mode, (str(bc_sites[0]), str(bc_sites[1]))


# ---------------------------------------------------------------------------------------------
# The function
# ---------------------------------------------------------------------------------------------

def _render(spec, params, ctx):
    if isinstance(spec, str) or spec is None or spec is NOT_WRITTEN:
        return spec
    if isinstance(spec, P):
        value = params[spec.param]
        return value if value is None or isinstance(value, tuple) else str(value)
    if isinstance(spec, Choice):
        return spec.values[params[spec.param]]
    if isinstance(spec, Ctx):
        return ctx[spec.name]
    if isinstance(spec, Port):
        return ctx[spec.tls if ctx.get('tls') else spec.udp]
    raise AssertionError('table: cannot render %r' % (spec,))


def _join_set(name, members):
    order = SET_OPTIONS[name]
    return ','.join(m for m in order if m in members) if members else None


class _Evaluation(object):
    """Reads the inventory once and keeps what preflight and desired_state both need."""

    def __init__(self, phones, sites, deployment, bc_mode, bc_sites):
        self.report = _Report()
        report = self.report
        self.sites = _read_sites(report, sites if sites is not None else [])
        self.deployment = deployment or 'standalone'
        self.mode, self.bc_pair = _read_deployment(report, deployment, bc_mode, bc_sites, self.sites)
        if not isinstance(phones, Mapping):
            report.error('schema', 'phones', 'phones must map each host name to its variables')
            phones = {}
        self.phones = []
        for host in phones:
            phone = _read_phone(report, str(host), phones[host], self.sites)
            if phone is not None:
                self.phones.append(phone)
        self.primaries = {}
        self._rules()

    # -- where a phone's DNs live -------------------------------------------------------------
    def switches_of(self, site):
        if self.bc_pair:
            return self.bc_pair if site in self.bc_pair else ()
        return (site,)

    @property
    def is_bc(self):
        return self.deployment == 'business_continuity'

    # -- the known limitations (note section 6 and tables) --------------------------------------
    def _rules(self):
        report = self.report
        self._site_rules()
        owners = {}
        tls_hosts = {}
        for phone in self.phones:
            model = MODELS[phone.model]
            if phone.firmware_tuple is not None and phone.firmware_tuple < model.min_firmware \
                    and not phone.allow_unvalidated:
                report.error('firmware', phone.host, 'firmware %s is older than %s, the first release the note '
                             'validates for the %s' % (phone.firmware, '.'.join(map(str, model.min_firmware)), phone.model),
                             'upgrade the phone, or set allow_unvalidated_firmware: true to accept the risk')
            if self.is_bc and phone.site and self.bc_pair and phone.site not in self.bc_pair:
                report.error('schema', phone.host, 'site %s is not one of bc_sites (%s)' % (phone.site, ', '.join(self.bc_pair)),
                             'move the phone to a Business Continuity site or add its site to bc_sites')
            for line in phone.lines:
                if _enabled(line, 'tls'):
                    tls_hosts.setdefault(phone.site, []).append(phone.host)
                self._line_rules(phone, line)
                if phone.site is None:
                    continue
                sca = line.features.get('sca')
                if sca and sca['role'] == 'secondary' and sca['primary_dn'] == line.dn:
                    continue  # the primary's host owns this DN
                for switch in self.switches_of(phone.site):
                    owner = owners.setdefault((switch, line.dn), (phone.host, line.index))
                    if owner != (phone.host, line.index):
                        report.error('duplicate_dn', line.subject, 'DN %s on switch of site %s is also line %d of %s'
                                     % (line.dn, switch, owner[1], owner[0]),
                                     'a DN belongs to one host: remove it from one of them (SCA secondaries use '
                                     'sca: {role: secondary, primary_dn: ...})')
        for site in sorted(s for s in tls_hosts if s):
            for host in tls_hosts[site]:
                report.warning('tls_security_pack', host, 'TLS 1.2 to a SIP Server on UNIX needs Genesys Security '
                               'Pack 8.5.1 or later (note section 5)',
                               'check the SIP Server hosts of site %s before relying on TLS' % site)
        self._sca_links()

    def _site_rules(self):
        report = self.report
        for site in self.sites.values():
            subject = 'site %s' % site.name
            needs_server = self.deployment in ('standalone', 'business_continuity')
            if needs_server and site.sip_server is None:
                report.error('schema', subject, '%s needs sip_server' % self.deployment,
                             'write sip_server: {address: ..., port: 5060}')
            if self.deployment == 'sip_proxy_ha' and site.sip_proxy_pool is None:
                report.error('schema', subject, 'sip_proxy_ha needs sip_proxy_pool (the FQDN of the SIP Proxy pool)',
                             'write sip_proxy_pool: {fqdn: ..., port: 5060}')
        logins = {}
        for site in sorted(self.sites):
            for login in self.sites[site].logins:
                for switch in self.switches_of(site):
                    previous = logins.setdefault((switch, login['login_code']), (site, login))
                    if previous[1] is not login and previous[1] != login:
                        report.error('duplicate_login', 'site %s agent login %s' % (site, login['login_code']),
                                     'the login code is also defined, differently, by site %s and both go to the '
                                     'switch of site %s' % (previous[0], switch),
                                     'define it once, or identically on both Business Continuity sites')

    def _line_rules(self, phone, line):
        report = self.report
        sca = line.features.get('sca')
        if sca:
            if not MODELS[phone.model].sca:
                report.error('sca_model', line.subject, 'the note supports full SCA only on the 440HD, this is a %s'
                             % phone.model, 'remove sca from this line or use a 440HD')
            if self.is_bc and not self._sca_in_bc_supported():
                report.error('sca_business_continuity', line.subject, 'SCA is not supported when SIP Server runs in '
                             'Business Continuity (note section 6)',
                             'remove sca, or state sip_server_version 8.1.101.75 or later on both bc_sites if '
                             'SIP Server is that recent')
            if sca['role'] == 'secondary' and not sca['primary_dn']:
                report.error('schema', line.subject, 'a SCA secondary needs primary_dn (the Primary Shared Line DN)',
                             'write sca: {role: secondary, primary_dn: <dn>}')
            if sca['role'] == 'primary' and sca['primary_dn']:
                report.error('schema', line.subject, 'primary_dn is for SCA secondaries; this line is the primary',
                             'remove primary_dn')
            if sca['role'] == 'primary' and line.dn_type != 'extension':
                report.error('schema', line.subject, 'a Primary Shared Line DN is an Extension', 'set dn_type: extension')
            # Outside Business Continuity preferred_site is ignored, like bc_mode, so one inventory can
            # switch deployment with -e.
            if sca['preferred_site'] and self.is_bc and (sca['role'] != 'primary' or sca['preferred_site'] not in (self.bc_pair or ())):
                report.error('schema', line.subject, 'preferred_site applies to a SCA primary in Business Continuity '
                             'and must be one of bc_sites', 'remove preferred_site or correct it')
            if sca['role'] == 'primary' and line.state == 'present':
                self.primaries.setdefault(line.dn, []).append((phone, line))
                if self.is_bc and self.bc_pair and phone.site:
                    preferred = self.sites[sca['preferred_site'] or phone.site]
                    if not preferred.application:
                        report.error('schema', line.subject, 'a SCA primary in Business Continuity needs '
                                     'sca-preferred-site: the SIP Server application name of its preferred site',
                                     'set sip_server_application on site %s' % preferred.name)
        if _enabled(line, 'agent_state_control') and self.is_bc and self.mode == 'simultaneous':
            report.error('agent_state_control_business_continuity', line.subject, 'agent state control from the phone '
                         'needs Business Continuity in primary-fallback mode (note section 4)',
                         'set bc_mode: primary_fallback or remove agent_state_control')
        if _enabled(line, 'sip_auth') and line.secret is None and not (sca and sca['role'] == 'secondary'):
            report.error('schema', line.subject, 'sip_auth needs sip_password on the line',
                         'add sip_password (vaulted) or remove sip_auth')
        if sca and sca['role'] == 'secondary' and line.secret is not None:
            report.error('schema', line.subject, 'a SCA secondary authenticates with the primary\'s credentials',
                         'remove sip_password from this line: it is taken from the primary line')
        if sca and sca['role'] == 'secondary' and sca['primary_dn'] == line.dn:
            owned = [name for name in line.features if _enabled(line, name) and FEATURE_BY_NAME[name].dn
                     and name != 'sca' and name != 'sip_auth']
            if owned or line.dn_type != 'extension' or line.dn_name or line.contact != '*':
                report.error('schema', line.subject, 'the DN belongs to the SCA primary host; this line may not set '
                             'DN options (%s)' % ', '.join(owned or ['dn_type/dn_name/contact']),
                             'set them on the primary line')

    def _sca_in_bc_supported(self):
        return all(self.sites[s].version_tuple is not None and self.sites[s].version_tuple >= SCA_IN_BC_SIP_SERVER
                   for s in self.bc_pair or ())

    def _sca_links(self):
        report = self.report
        for dn, entries in self.primaries.items():
            if len(entries) > 1:
                report.error('duplicate_dn', entries[1][1].subject, 'DN %s is already a SCA primary on %s' % (
                    dn, entries[0][0].host), 'keep one primary; make the others secondaries')
        for phone in self.phones:
            for line in phone.lines:
                sca = line.features.get('sca')
                # A secondary that is switched off (decommissioning) needs no primary any more.
                if not sca or sca['role'] != 'secondary' or not sca['primary_dn'] or line.state == 'absent':
                    continue
                primary = self.primaries.get(sca['primary_dn'])
                if not primary:
                    report.error('sca_primary', line.subject, 'primary_dn %s is not a SCA primary line of the inventory'
                                 % sca['primary_dn'], 'add the primary phone with sca: {role: primary} on that line')
                    continue
                owner, owner_line = primary[0]
                if self.switches_of(owner.site) != self.switches_of(phone.site):
                    report.error('sca_primary', line.subject, 'the SCA primary %s is on the switch of another site'
                                 % owner.host, 'keep a shared line on one switch')
                if _enabled(line, 'sip_auth') != _enabled(owner_line, 'sip_auth'):
                    report.error('sca_primary', line.subject, 'sip_auth differs from the primary line of %s: a '
                                 'secondary authenticates with the primary\'s credentials' % owner.host,
                                 'turn sip_auth on for both or for neither')

    # -- building ------------------------------------------------------------------------------
    def _primary_secret(self, dn):
        entries = self.primaries.get(dn)
        return entries[0][1].secret if entries else None

    def _site_ctx(self, phone):
        site = self.sites[phone.site]
        # The tls row is phone-wide: its lines agree (a disagreement is reported as a conflict).
        ctx = {'tls': any(_enabled(line, 'tls') for line in phone.lines if line.state != 'absent')}
        if site.sip_server:
            ctx['home_address'], ctx['home_port'], ctx['home_tls_port'] = site.sip_server
        if site.sip_proxy_pool:
            ctx['pool_fqdn'], ctx['pool_port'], ctx['pool_tls_port'] = site.sip_proxy_pool
        if self.bc_pair:
            other = self.sites[self.bc_pair[1] if phone.site == self.bc_pair[0] else self.bc_pair[0]]
            if other.sip_server:
                ctx['other_address'], ctx['other_port'], ctx['other_tls_port'] = other.sip_server
        return ctx

    def build(self):
        row = DEPLOYMENTS[self.mode if self.is_bc else self.deployment]
        dn_deployment = dict((o.name, o.on) for o in row.dn)
        switches = {}
        for name in sorted(self.sites):
            site = self.sites[name]
            switches[name] = {'site': name, 'gax_url': site.gax_url, 'switch': site.switch,
                              'dns': [], 'agent_logins': []}
        listed = set()
        for name in sorted(self.sites):
            for login in self.sites[name].logins:
                for switch in self.switches_of(name):
                    if (switch, login['login_code']) not in listed:  # BC: a login both sites define
                        listed.add((switch, login['login_code']))
                        switches[switch]['agent_logins'].append(
                            dict(login, options=dict((s, dict(o)) for s, o in login['options'].items())))
        phones = {}
        for phone in self.phones:
            settings, dns = self._build_phone(phone, row, dn_deployment)
            phones[phone.host] = {'address': phone.address, 'model': phone.model, 'mac': phone.mac,
                                  'firmware': phone.firmware, 'site': phone.site, 'settings': settings}
            for switch in self.switches_of(phone.site):
                for dn in dns:
                    entry = dict(dn, options={'TServer': dict(dn['options'])} if dn['state'] == 'present' else {})
                    if entry['name'] and self.is_bc:
                        entry['name'] = '%s_%s' % (entry['name'], switch)
                    switches[switch]['dns'].append(entry)
        for entry in switches.values():
            entry['dns'].sort(key=lambda dn: (len(dn['number']), dn['number']))
            entry['agent_logins'].sort(key=lambda login: (len(login['login_code']), login['login_code']))
        self._length_rules(phones)
        return {'switches': switches, 'phones': phones}

    def _build_phone(self, phone, row, dn_deployment):
        settings = {}
        ctx = self._site_ctx(phone)
        for entry in row.phone:
            value = _render(entry.on, None, ctx)
            if value is not NOT_WRITTEN:
                settings[entry.name] = value
        votes = {}
        declared = dict((line.index, line) for line in phone.lines)
        dns = []
        for index in range(MODELS[phone.model].lines):
            line = declared.get(index)
            if line is None or line.state == 'absent':
                self._line_off(settings, index)
                if line is not None:
                    dns.append(self._dn_absent(line))
                continue
            line_ctx = self._line_ctx(phone, line)
            for entry, names in _LINE_KEYS[BASIC.name]:
                settings[names[index]] = _render(entry.on, None, line_ctx)
            options = dict(DN_OPTION_OFF)
            options.update(dn_deployment)
            options['contact'] = line.contact
            members = {}
            for feature in FEATURES:
                params = line.features.get(feature.name)
                on = _on(params)
                for entry, names in _LINE_KEYS[feature.name]:
                    value = _render(entry.on, params, line_ctx) if on else entry.off
                    if value is not NOT_WRITTEN:
                        settings[names[index]] = value
                for entry in _WIDE_KEYS[feature.name]:
                    if on:
                        votes.setdefault(entry.name, []).append((_render(entry.on, params, line_ctx), line, feature.name))
                    elif params is False and feature.scope == PHONE:
                        votes.setdefault(entry.name, []).append((entry.off, line, feature.name))
                if not on:
                    continue
                for entry in feature.dn:
                    if entry.name in SET_OPTIONS:
                        tokens = (entry.on.token,) if isinstance(entry.on, Token) else _render(entry.on, params, line_ctx)
                        members.setdefault(entry.name, set()).update(tokens)
                    else:
                        options[entry.name] = _render(entry.on, params, line_ctx)
            for name in SET_OPTIONS:
                options[name] = _join_set(name, members.get(name))
            sca = line.features.get('sca')
            if not (sca and sca['role'] == 'secondary' and sca['primary_dn'] == line.dn):
                dns.append({'number': line.dn, 'type': line.dn_type, 'name': line.dn_name, 'state': 'present',
                            'enabled': True, 'options': options})
        for name, off in WIDE_KEY_OFF.items():
            ballots = votes.get(name)
            if not ballots:
                if off is not NOT_WRITTEN:
                    settings[name] = off
                continue
            values = set(b[0] for b in ballots)
            if len(values) > 1:
                self._conflict(phone, name, ballots)
            elif ballots[0][0] is not NOT_WRITTEN:
                settings[name] = ballots[0][0]
        return settings, dns

    def _conflict(self, phone, name, ballots):
        said = []
        for value, line, feature in ballots:
            shown = '(secret)' if 'password' in name else value
            said.append('line %d %s -> %s' % (line.index, feature, shown))
        self.report.error('phone_wide_conflict', phone.host, 'key %s is one per phone but the lines disagree: %s'
                          % (name, '; '.join(said)), 'state the same value on every line that sets the flag')

    @staticmethod
    def _line_off(settings, index):
        for feature in (BASIC,) + FEATURES:
            for entry, names in _LINE_KEYS[feature.name]:
                if entry.off is not NOT_WRITTEN:
                    settings[names[index]] = entry.off

    @staticmethod
    def _dn_absent(line):
        return {'number': line.dn, 'type': line.dn_type, 'name': line.dn_name, 'state': 'absent',
                'enabled': True, 'options': {}}

    def _line_ctx(self, phone, line):
        ctx = {'dn': line.dn, 'display_name': line.display_name, 'contact': line.contact,
               'secret': line.secret, 'auth_name': line.dn, 'sca_preferred_site': None}
        sca = line.features.get('sca')
        if sca and sca['role'] == 'secondary' and sca['primary_dn']:
            ctx['auth_name'] = sca['primary_dn']
            ctx['secret'] = self._primary_secret(sca['primary_dn'])
        elif sca and sca['role'] == 'primary' and self.is_bc:
            ctx['sca_preferred_site'] = self.sites[sca['preferred_site'] or phone.site].application
        return ctx

    def _length_rules(self, phones):
        for host, phone in phones.items():
            settings = phone['settings']
            for name, limit, field, secret in _MAX_LENGTH_EXPANDED:
                value = settings.get(name)
                if value is not None and len(value) > limit:
                    shown = '' if secret else ' (%s)' % _show(value)
                    self.report.error('value_length', host, 'key %s takes at most %d characters, the value%s has %d'
                                      % (name, limit, shown, len(value)),
                                      'shorten %s (an IP address fits where an FQDN does not)' % field
                                      if 'proxy' in name else 'shorten %s' % field)


def _evaluate(phones, sites, deployment, bc_mode, bc_sites):
    evaluation = _Evaluation(phones, sites, deployment, bc_mode, bc_sites)
    state = None
    if not evaluation.report.has_errors:
        state = evaluation.build()
    return evaluation.report.findings(), state


def preflight(phones, sites, deployment='standalone', bc_mode=None, bc_sites=None):
    """Check the inventory against the schema and the note's known limitations; write nothing.

    Returns a list of ``Finding`` (severity ``error`` or ``warning``), each naming the hosts or
    lines, the rule, the cause and the fix. An empty list means the inventory may be applied.
    """
    findings, _state = _evaluate(phones, sites, deployment, bc_mode, bc_sites)
    return findings


def desired_state(phones, sites, deployment='standalone', bc_mode=None, bc_sites=None):
    """Turn the inventory into the desired state, or raise ``InventoryError`` listing every problem.

    ``phones``: mapping host name -> host variables (only the names of docs/inventory.md are read).
    ``sites``: list of site mappings (or mapping site name -> site).
    Returns ``{'switches': {site: {site, gax_url, switch, dns, agent_logins}},
    'phones': {host: {address, model, mac, firmware, site, settings}}, 'warnings': [text]}``.
    """
    findings, state = _evaluate(phones, sites, deployment, bc_mode, bc_sites)
    if state is None or any(f.severity == ERROR for f in findings):
        raise InventoryError(findings)
    state['warnings'] = [str(f) for f in findings if f.severity == WARNING]
    return state
