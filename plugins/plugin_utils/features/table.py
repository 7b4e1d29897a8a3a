# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The application note's knowledge as data: what each feature, deployment and phone model writes.

One row per feature of the note (FEATURES.md): the DN annex options (section ``TServer``) and the
AudioCodes configuration keys it owns, with their on and off values; one row per deployment; one per
phone model. Nothing else in the collection knows a feature's configuration key or annex option by
name. Names that no source settles carry ``assumed=True`` and their evidence: a field engineer
corrects them here, in one place, from a capture of a real phone or SIP Server.

Data only, no reading of an inventory: a reader in either direction (inventory -> desired state in
``evaluate``, a running site -> inventory) imports it. The indexes at the end are derived once at
import and checked, so an edit that breaks the table fails at import.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections import namedtuple

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import keys as phone_keys


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


class Reset(namedtuple('Reset', 'value')):
    """Off value of an assumed phone-wide key written only where a line states its phone-scope flag
    false: a phone whose lines say nothing of the flag leaves the key as it is (a firmware that lacks
    the key still takes the rest), one that states it false gets ``value`` back."""
    __slots__ = ()


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
ASSUMED_AUTO_ANSWER = ('AudioCodes 400HD administrator\'s manual 3.4.3 section 5.8.6 ("Support pending"): '
                       'advanced_auto_answer/type SIP_Header (default, header-based as auto_answer/enabled) or '
                       'Manual (every call, after advanced_auto_answer/timeout, default 5 s); the 3.0.4 parameter '
                       'database lacks both keys: a firmware without them cannot answer every call')
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
        # "Auto-Answer: answer all calls" (note section 3.1). auto_answer/enabled alone answers only
        # the calls whose INVITE asks for it (the remote_auto_answer row); every call is answered with
        # advanced_auto_answer/type=Manual, after the phone's advanced_auto_answer/timeout.
        phone=(key('voip/auto_answer/enabled', '1', '0'),
               key('voip/advanced_auto_answer/type', 'Manual', Reset('SIP_Header'), True, ASSUMED_AUTO_ANSWER)),
        note='note section 3.1 "Auto-Answer": every call; the chart (labels lost) probably marks it not validated',
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
                # Optional (the note asks for none): without it the phone keeps its own number.
                param('voice_mail_number', 'str', None, maximum=64)),
        # Genesys: delete the option when the mailbox goes, or the mailbox reappears.
        dn=(option('gvm_mailbox', P('mailbox')),),
        phone=(key('voip/services/msg_waiting_ind/enabled', 'ENABLE', 'DISABLE', True,
                   'keys confirmed; ENABLE/DISABLE is the 3.0.4 database spelling; the 310HD dump writes 1 '
                   '(confirmed): the phone module writes the spelling the download shows (docs/compatibility.md P17)'),
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
                   'gaps-research Q2: not found'),),
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
        # Retrieve is the BroadSoft "talk" event: the note's sample is talk,hold, so hold brings talk.
        dn=(option('sip-cti-control', Token('hold')), option('sip-cti-control', Token('talk'))),
        phone=(key('voip/talk_event/enabled', '1', '0'),),
        note='note section 4, Hold/Retrieve (3pcc): the BroadSoft extensions hold and talk',
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
        # The phone answers an INVITE whose Alert-Info says info=alert-autoanswer (or "ring answer",
        # or a Call-Info answer-after=) only with auto_answer/enabled=1 (AudioCodes administrator's
        # manuals 2.x and 3.4.3, "Configuring Automatic Answer"); other calls ring as before.
        phone=(key('voip/auto_answer/enabled', '1', '0'),),
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


# The registration settings of the note's screenshot (section 5): register through the proxy's IP
# and port, no separate registrar, no registrar keep-alive; firmware defaults differ (2.2.8: 0 for
# the first), so every deployment writes them.
_REGISTRATION = (
    key('voip/signalling/sip/use_proxy_ip_port_for_registrar', '1', '1'),
    key('voip/signalling/sip/sip_registrar/enabled', '0', '0'),
    key('voip/signalling/sip/registrar_ka/enabled', '0', '0'),
)


# Business Continuity behind SIP Proxies (note section 5, DNS-based redundancy row: "It also may be
# used for Genesys Business Continuity"): a site that gives sip_proxy_pool is reached through its
# pool's FQDN, with that row's Registration Expires (5 s); a site with only sip_server keeps the
# Business Continuity rows' values. When a site gives both, its sip_server is used, as before pools
# were read in Business Continuity: an inventory that lists the pool for sip_proxy_ha (the lab's,
# a real site's) keeps registering its BC phones where it did; give the pool alone to go through
# the SIP Proxies. Outbound proxy stays
# off (the Business Continuity rows' step 5), so the redundant proxy still takes the other site.
BC_PROXY_TIMEOUT = {'sip_server': '300', 'sip_proxy_pool': '5'}


def bc_endpoint(sip_server, sip_proxy_pool):
    """``((address, port, tls_port), proxy_timeout)`` of one Business Continuity site, or ``(None, None)``."""
    if sip_server:
        return sip_server, BC_PROXY_TIMEOUT['sip_server']
    if sip_proxy_pool:
        return sip_proxy_pool, BC_PROXY_TIMEOUT['sip_proxy_pool']
    return None, None


def site_ctx(site, other, tls):
    """The ``Ctx`` names a phone of ``site`` renders its deployment keys with (``other``: the other
    Business Continuity site, or None); both readers of the table build it here."""
    ctx = {'tls': tls}
    if site.sip_server:
        ctx['home_address'], ctx['home_port'], ctx['home_tls_port'] = site.sip_server
    if site.sip_proxy_pool:
        ctx['pool_fqdn'], ctx['pool_port'], ctx['pool_tls_port'] = site.sip_proxy_pool
    if other is not None:
        home, ctx['bc_proxy_timeout'] = bc_endpoint(site.sip_server, site.sip_proxy_pool)
        if home:
            ctx['bc_home_address'], ctx['bc_home_port'], ctx['bc_home_tls_port'] = home
        other = bc_endpoint(other.sip_server, other.sip_proxy_pool)[0]
        if other:
            ctx['bc_other_address'], ctx['bc_other_port'], ctx['bc_other_tls_port'] = other
    return ctx


def off_value(entry):
    """What an entry's feature, stated off, writes: its off value (a ``Reset``'s value)."""
    return entry.off.value if isinstance(entry.off, Reset) else entry.off


def _bc_phone_keys(mode):
    return _REGISTRATION + (
        key('voip/signalling/sip/use_proxy', '1', '1'),
        key('voip/signalling/sip/proxy_address', Ctx('bc_home_address'), None),
        key('voip/signalling/sip/proxy_port', Port('bc_home_port', 'bc_home_tls_port'), None),
        key('voip/signalling/sip/sip_outbound_proxy/enabled', '0', None),
        key('voip/signalling/sip/sip_outbound_proxy/addr', '', None),
        key('voip/signalling/sip/sip_outbound_proxy/port', '0', None),
        key('voip/signalling/sip/proxy_timeout', Ctx('bc_proxy_timeout'), None),
        key('voip/signalling/sip/registration_failed_timeout', '5', None),
        key('voip/signalling/sip/redundant_proxy/enabled', '1', None,
            mode == 'SIMULTANEOUS', ASSUMED_SECONDARY if mode == 'SIMULTANEOUS' else ''),
        key('voip/signalling/sip/redundant_proxy/address', Ctx('bc_other_address'), None,
            mode == 'SIMULTANEOUS', ASSUMED_SECONDARY if mode == 'SIMULTANEOUS' else 'web field "Redundant Proxy Address"'),
        key('voip/signalling/sip/redundant_proxy/port', Port('bc_other_port', 'bc_other_tls_port'), None,
            mode == 'SIMULTANEOUS', ASSUMED_SECONDARY if mode == 'SIMULTANEOUS' else ''),
        key('voip/signalling/sip/redundant_proxy/mode', mode, NOT_WRITTEN, True, ASSUMED_MODE),
        # 0 = asymmetric: re-register to the primary when it answers ("Switch back to Primary").
        key('voip/signalling/sip/redundant_proxy/symmetric_mode', '0', None),
    )


def _single_phone_keys(address, port, tls_port, proxy_timeout):
    return _REGISTRATION + (
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
        note='note sections 4 and 5, Business Continuity, dual registration; a site with a SIP Proxy pool: '
             'its FQDN, Registration Expires 5 s (DNS-based redundancy row)'),
    'primary_fallback': Deployment(
        'primary_fallback', dn=(option('dr-forward', 'oos'),),
        phone=_bc_phone_keys('PRIMARY_FALLBACK'),
        note='note sections 4 and 5, Business Continuity, single registration, switch back to primary; a site '
             'with a SIP Proxy pool: its FQDN, Registration Expires 5 s (DNS-based redundancy row)'),
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


# The inventory field that feeds each length-limited key (for the fix). The limits themselves are
# the phone's, kept once in audiocodes/keys.py (from the parameter database).
LENGTH_CHECKED = {
    'voip/signalling/sip/redundant_proxy/address': 'sip_proxy_pool.fqdn or sip_server.address of the other Business Continuity site',
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


def expand_line_keys(name):
    return tuple(name.replace('{n}', str(index)) for index in range(MAX_LINES))


def _split(keys):
    line, wide = [], []
    for entry in keys:
        (line if '{n}' in entry.name else wide).append(entry)
    return tuple(line), tuple(wide)


# per feature: (line keys with their expanded names, phone-wide keys)
LINE_KEYS = {}
WIDE_KEYS = {}
for _feature in FEATURES + (BASIC,):
    _line, _wide = _split(_feature.phone)
    LINE_KEYS[_feature.name] = tuple((k, expand_line_keys(k.name)) for k in _line)
    WIDE_KEYS[_feature.name] = _wide


def _wide_key_offs():
    offs = {}
    for feature in FEATURES:
        for entry in WIDE_KEYS[feature.name]:
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

MAX_LENGTH_EXPANDED = tuple(
    (name, phone_keys.max_length(name), field, template in SECRET_KEYS)
    for template, field in sorted(LENGTH_CHECKED.items())
    for name in (expand_line_keys(template) if '{n}' in template else (template,))
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
