# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ONE table of what the collection knows about AudioCodes configuration keys.

Secret keys, the shape of a key, the models and their lines, and per key its kind (bool, int,
enum, string) with enum spellings or maximum length. Values are compared by kind so that what
the phone normalises (``rfc2833`` read back as ``RFC2833``, ``true`` as ``1``) never flaps.

Sources: the 3.0.4 parameter database (``samples/audiocodes-parameter-db-3.0.4.json``, its
``SECURED`` attribute and ``strmaxlen``), FEATURES.md and the research notes. The database
spells enums in mixed case; real files use upper case, so enum spellings here are the files'.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import os
import re

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import MASK, OperatorError, unsafe_characters

# Lower-case path segments separated by '/', digits for indices: voip/line/0/auth_name.
# (network/lan/_802_1x/... shows a segment may start with '_'.)
KEY_PATTERN = re.compile(r'^[a-z][a-z0-9_]*(/[a-z0-9_]+)+$')
LINE_KEY_PATTERN = re.compile(r'^voip/line/(\d+)/')

# --- secrets ----------------------------------------------------------------------------------
# Keys the database marks SECURED (the boolean system/lock/N/activated aside), plus PINs.
SECRET_KEYS = frozenset((
    'system/password',
    'system/web_user_password',
    'system/ldap/password',
    'ems_server/user_password',
    'management/tr069/password',
    'management/tr069/connection_request/password',
    'network/lan/_802_1x/md5_password',
    'network/lan/_802_1x/private_key_password',
    'lync/credentials/password',
    'lync/sign_in/pin_code',
    'lync/security/lock_pin',
    'voip/line/N/auth_password',
))
# And any key whose last segment ends like this (so a key we have never seen is safe too).
SECRET_SUFFIXES = ('password', 'passwd', 'passphrase', 'secret', 'pin_code', 'psk', 'token')
# Secrets the phone may hide: a phone that replaces its configuration on upload loses them
# unless settings names them (checked per line for voip/line/N/...).
HIDDEN_SECRET_WATCH = ('system/password', 'voip/line/N/auth_password')
# A value the phone shows encrypted: {"<base64>"} (the value is kept, its clear text unknown).
ENCRYPTED_PATTERN = re.compile(r'^\{".*"\}$')
# A secret shown as a mask, never as a value (docs/compatibility.md): a row of asterisks (assumed),
# or an empty value when the download shows no secret in clear (assumed). A mask is never uploaded.
MASKED_PATTERN = re.compile(r'^\*+$')
# Keys that take an MD5-crypt hash ($1$salt$hash, `openssl passwd -1`), never a clear password.
HASHED_KEYS = frozenset(('system/password', 'system/web_user_password'))
MD5_CRYPT_PATTERN = re.compile(r'^\$1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}$')
# The account the web login checks against system/password (system/user_name, default admin).
ADMIN_PASSWORD_KEY = 'system/password'
# Whether the phone checks the HTTPS certificate of its provisioning server (against security/ca_certificate/N).
PROVISIONING_VERIFY_KEY = 'security/provisioning/verify_server_certificate'
ADMIN_NAME_KEY = 'system/user_name'

# --- models -----------------------------------------------------------------------------------
# Lines per model (documentation p.102 and the database): 0-based indices 0..lines-1.
MODEL_LINES = {
    '405': 2,
    '405HD': 2,
    '420HD': 2,
    '430HD': 6,
    '440HD': 6,
}

# --- kinds ------------------------------------------------------------------------------------
# template key (digits -> N): (kind, enum spellings | maximum length | None)
KEYS = {
    'system/type': ('string', 128),
    'system/user_name': ('string', 128),
    'system/password': ('string', 128),
    'system/web_user_password': ('string', 128),
    'system/web_session_timeout': ('int', None),
    'provisioning/method': ('enum', ('DISABLE', 'DYNAMIC', 'STATIC')),
    'provisioning/configuration/url': ('string', 128),
    'network/lan_type': ('enum', ('DHCP', 'STATIC')),
    'voip/line/N/enabled': ('bool', None),
    'voip/line/N/id': ('string', 128),
    'voip/line/N/description': ('string', 128),
    'voip/line/N/extension_display': ('string', 128),
    'voip/line/N/auth_name': ('string', 128),
    'voip/line/N/auth_password': ('string', 256),
    'voip/line/N/line_mode': ('enum', ('PRIVATE', 'SHARED')),
    'voip/line/N/do_not_disturb/activated': ('bool', None),
    'voip/line/N/call_forward/enabled': ('bool', None),
    'voip/line/N/call_forward/active': ('bool', None),
    'voip/line/N/call_forward/type': ('enum', ('UNCONDITIONAL', 'BUSY', 'NO_REPLY')),
    'voip/line/N/call_forward/destination': ('string', 128),
    'voip/line/N/call_forward/timeout': ('int', None),
    'voip/signalling/sip/use_proxy': ('bool', None),
    'voip/signalling/sip/proxy_address': ('string', 128),
    'voip/signalling/sip/proxy_port': ('int', None),
    'voip/signalling/sip/use_proxy_ip_port_for_registrar': ('bool', None),
    'voip/signalling/sip/sip_registrar/enabled': ('bool', None),
    'voip/signalling/sip/registrar_ka/enabled': ('bool', None),
    'voip/signalling/sip/sip_outbound_proxy/enabled': ('bool', None),
    'voip/signalling/sip/sip_outbound_proxy/addr': ('string', 128),
    'voip/signalling/sip/sip_outbound_proxy/port': ('int', None),
    'voip/signalling/sip/proxy_timeout': ('int', None),
    'voip/signalling/sip/registration_failed_timeout': ('int', None),
    'voip/signalling/sip/redundant_proxy/enabled': ('bool', None),
    'voip/signalling/sip/redundant_proxy/address': ('string', 32),
    'voip/signalling/sip/redundant_proxy/port': ('int', None),
    'voip/signalling/sip/redundant_proxy/keepalive_period': ('int', None),
    'voip/signalling/sip/redundant_proxy/symmetric_mode': ('bool', None),
    'voip/signalling/sip/redundant_proxy/switch_on_server_failure': ('bool', None),
    # assumed key and values (FEATURES.md): the phone's dump tells whether the firmware has it
    'voip/signalling/sip/redundant_proxy/mode': ('enum', ('SIMULTANEOUS', 'PRIMARY_FALLBACK')),
    'voip/signalling/sip/transport_protocol': ('enum', ('UDP', 'TCP', 'TLS')),
    'voip/signalling/sip/tls_method': ('enum', ('none', 'ssl_2', 'ssl_3', 'ssl_2_3', 'tls_1', 'tls_1_1', 'tls_1_2')),
    'voip/signalling/sip/enable_sips': ('bool', None),
    'voip/media/out_of_band_dtmf': ('enum', ('INBAND', 'RFC2833', 'VIA_SIP')),
    'voip/media/srtp/mode': ('enum', ('DoNotSupportEncryption', 'SupportEncryption', 'RequireEncryption')),
    'voip/services/application_server_type': ('enum', ('GENERIC', 'ASTERISK', 'BSFT', 'CORAL', 'METASWITCH', 'FREESWITCH', 'LYNC')),
    'voip/services/do_not_disturb/enabled': ('bool', None),
    'voip/services/msg_waiting_ind/enabled': ('enum', ('DISABLE', 'ENABLE', 'AUDC_VM')),
    'voip/services/msg_waiting_ind/voice_mail_number': ('string', 64),
    'voip/services/msg_waiting_ind/subscribe_address': ('string', 32),
    'voip/auto_answer/enabled': ('bool', None),
    # administrator's manual 3.4.3 only (not in the 3.0.4 database): the phone's dump tells whether it has them
    'voip/advanced_auto_answer/type': ('enum', ('SIP_Header', 'Manual')),
    'voip/advanced_auto_answer/timeout': ('int', None),
    'voip/talk_event/enabled': ('bool', None),
}

# Factory defaults of the keys above (3.0.4 parameter database; its 405HD and 440HD records agree;
# '{model}' stands for the model's name). A download that lists only modified keys leaves a key at
# its default out: it is read as this value (docs/compatibility.md). Secrets have none here.
DEFAULTS = {
    'system/type': '{model}',
    'system/user_name': 'admin',
    'system/web_session_timeout': '600',
    'provisioning/method': 'DYNAMIC',
    'provisioning/configuration/url': '',
    'network/lan_type': 'DHCP',
    'voip/line/N/enabled': '0',
    'voip/line/N/id': '0',
    'voip/line/N/description': '{model}',
    'voip/line/N/extension_display': '',
    'voip/line/N/auth_name': '0',
    'voip/line/N/line_mode': 'PRIVATE',
    'voip/line/N/do_not_disturb/activated': '0',
    'voip/line/N/call_forward/enabled': '1',
    'voip/line/N/call_forward/active': '0',
    'voip/line/N/call_forward/type': 'NO_REPLY',
    'voip/line/N/call_forward/destination': '',
    'voip/line/N/call_forward/timeout': '6',
    'voip/signalling/sip/use_proxy': '0',
    'voip/signalling/sip/proxy_address': '0.0.0.0',
    'voip/signalling/sip/proxy_port': '5060',
    'voip/signalling/sip/use_proxy_ip_port_for_registrar': '1',
    'voip/signalling/sip/sip_registrar/enabled': '0',
    'voip/signalling/sip/registrar_ka/enabled': '0',
    'voip/signalling/sip/sip_outbound_proxy/enabled': '0',
    'voip/signalling/sip/sip_outbound_proxy/addr': '',
    'voip/signalling/sip/sip_outbound_proxy/port': '0',
    'voip/signalling/sip/proxy_timeout': '3600',
    'voip/signalling/sip/registration_failed_timeout': '60',
    'voip/signalling/sip/redundant_proxy/enabled': '0',
    'voip/signalling/sip/redundant_proxy/address': '0.0.0.0',
    'voip/signalling/sip/redundant_proxy/port': '5060',
    'voip/signalling/sip/redundant_proxy/keepalive_period': '60',
    'voip/signalling/sip/redundant_proxy/symmetric_mode': '0',
    'voip/signalling/sip/redundant_proxy/switch_on_server_failure': '0',
    # no default for the assumed redundant_proxy/mode: whether the firmware knows it is unknown
    'voip/signalling/sip/transport_protocol': 'UDP',
    'voip/signalling/sip/tls_method': 'ssl_2_3',
    'voip/signalling/sip/enable_sips': '0',
    'voip/media/out_of_band_dtmf': 'RFC2833',
    'voip/media/srtp/mode': 'SupportEncryption',
    'voip/services/application_server_type': 'LYNC',
    'voip/services/do_not_disturb/enabled': '1',
    'voip/services/msg_waiting_ind/enabled': 'ENABLE',
    'voip/services/msg_waiting_ind/voice_mail_number': '',
    'voip/services/msg_waiting_ind/subscribe_address': '0.0.0.0',
    'voip/auto_answer/enabled': '0',
    'voip/talk_event/enabled': '0',
}
DEFAULT_OVERRIDES = {'voip/line/0/enabled': '1'}    # the first line is enabled from the factory
# An enum's numeric code is its position in the spellings above (the database's enumlist order:
# confirmed for msg_waiting_ind/enabled, whose 310HD dump writes 1 for ENABLE; assumed for the
# others). A phone whose download shows a code gets codes written (docs/compatibility.md).
ENUM_WITHOUT_CODES = frozenset(('voip/signalling/sip/redundant_proxy/mode',       # assumed keys: no code known
                                'voip/advanced_auto_answer/type'))

_TRUE = ('1', 'true', 'yes', 'on')
_FALSE = ('0', 'false', 'no', 'off')
_INT = re.compile(r'^[+-]?\d+$')
_PHONE_ENUM = re.compile(r'^[A-Z][A-Z0-9_]*[A-Z0-9]$')     # how the phone shows an enum it knows
_ENUM_WORD = re.compile(r'^[A-Za-z][A-Za-z0-9_]*$')


# A phone's download has some 1400 keys, the same on every phone of a fleet: their template and
# secrecy are worked out once per process (a bounded cache: a key is a few dozen characters).
_TEMPLATES = {}
_SECRET = {}
_CACHE_LIMIT = 20000


def template(key):
    """``voip/line/3/auth_name`` -> ``voip/line/N/auth_name``."""
    found = _TEMPLATES.get(key)
    if found is None:
        if len(_TEMPLATES) >= _CACHE_LIMIT:
            _TEMPLATES.clear()
        found = _TEMPLATES[key] = '/'.join('N' if part.isdigit() else part for part in key.split('/'))
    return found


def is_secret(key):
    found = _SECRET.get(key)
    if found is None:
        if len(_SECRET) >= _CACHE_LIMIT:
            _SECRET.clear()
        found = _SECRET[key] = template(key) in SECRET_KEYS or key.rsplit('/', 1)[-1].endswith(SECRET_SUFFIXES)
    return found


def is_encrypted(value):
    return isinstance(value, str) and bool(ENCRYPTED_PATTERN.match(value.strip()))


def is_masked(value):
    """A row of asterisks: the phone hides the secret behind it."""
    return isinstance(value, str) and bool(MASKED_PATTERN.match(value.strip()))


def masked_secrets(have):
    """Secret keys whose shown value is a mask, not the value: asterisks always; an empty value
    too unless the download shows some secret in clear (then an empty one is really empty)."""
    secrets = dict((key, (value or '').strip()) for key, value in have.items() if is_secret(key))
    in_clear = any(value and not is_masked(value) and not is_encrypted(value) for value in secrets.values())
    return sorted(key for key, value in secrets.items() if is_masked(value) or (not value and not in_clear))


# Firmware images by model: the Genesys 405 runs the 405HD's images (confirmed: IPPhoneProvision
# firmware.json lists 405HD_2.2.16.251.img for hardware "405").
IMAGE_MODELS = {'405': '405HD'}


def image_model(model):
    """The model named in the firmware images a phone of ``model`` runs."""
    return IMAGE_MODELS.get(model, model)


def model_of(text):
    """The model named in ``text`` (``AudioCodes 440HDG`` -> ``440HD``), longest name first."""
    if not text:
        return None
    upper = str(text).upper()
    for model in sorted(MODEL_LINES, key=len, reverse=True):
        if re.search(r'(?<![0-9])%s' % re.escape(model), upper):
            return model
    return None


def line_index(key):
    match = LINE_KEY_PATTERN.match(key)
    return int(match.group(1)) if match else None


def spec_of(key):
    return KEYS.get(template(key), (None, None))


def max_length(key):
    kind, extra = spec_of(key)
    return extra if kind == 'string' else None


def as_bool(value):
    """True/False for 0/1, true/false, yes/no, on/off (any case); None for anything else."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def kind_of(key, wanted, current=None):
    """bool, int, enum or string: from the table, else from the values' shapes."""
    if isinstance(wanted, bool):
        return 'bool'
    kind = spec_of(key)[0]
    if kind:
        return kind
    current = (current or '').strip()
    text = str(wanted).strip()
    if current in ('0', '1') and as_bool(text) is not None:
        return 'bool'
    if isinstance(wanted, int) and _INT.match(current):
        return 'int'
    if _PHONE_ENUM.match(current) and _ENUM_WORD.match(text):
        return 'enum'
    return 'string'


def enum_code(key, text):
    """The numeric code of the enum spelling ``text`` of ``key`` (``ENABLE`` -> ``1``), or None."""
    kind, spellings = spec_of(key)
    if kind != 'enum' or template(key) in ENUM_WITHOUT_CODES:
        return None
    if _INT.match(str(text).strip()):
        return str(int(str(text).strip()))
    folded = [name.casefold() for name in spellings]
    wanted = str(text).strip().casefold()
    return str(folded.index(wanted)) if wanted in folded else None


def same(key, wanted, current):
    """Whether the phone's ``current`` text already holds ``wanted``, compared by kind."""
    if current is None:
        return False
    kind = kind_of(key, wanted, current)
    if kind == 'bool':
        want, have = as_bool(wanted), as_bool(current)
        if want is not None and have is not None:
            return want == have
    elif kind == 'int':
        want, have = str(wanted).strip(), current.strip()
        if _INT.match(want) and _INT.match(have):
            return int(want) == int(have)
    elif kind == 'enum':
        if bool(_INT.match(current.strip())) != bool(_INT.match(str(wanted).strip())):    # a code against a name
            code = enum_code(key, wanted)
            return code is not None and code == enum_code(key, current)
        return str(wanted).strip().casefold() == current.strip().casefold()
    return str(wanted).strip() == current.strip()


def file_value(key, wanted, current=None):
    """The text to write for ``wanted``: 1/0 for booleans, enums in the phone's spelling."""
    kind = kind_of(key, wanted, current)
    text = str(wanted).strip()
    current = (current or '').strip()
    if kind == 'bool' and as_bool(wanted) is not None:
        return '1' if as_bool(wanted) else '0'
    if kind == 'int' and _INT.match(text):
        return str(int(text))
    if kind == 'enum':
        if current and current.casefold() == text.casefold():
            return current
        if _INT.match(current) and enum_code(key, text) is not None:
            return enum_code(key, text)     # the phone's download shows codes: write the code
        known = spec_of(key)[1] or ()
        spelling = next((name for name in known if name.casefold() == text.casefold()), None)
        if current and _ENUM_WORD.match(current) and not _INT.match(current):
            if current.isupper():
                return (spelling or text).upper()
            if current.islower():
                return (spelling or text).lower()
            if current.istitle():
                return '_'.join(part.capitalize() for part in (spelling or text).split('_'))
        return spelling or text
    return text


def static_problems(settings):
    """What is wrong with ``settings`` before asking the phone: one sentence per key."""
    problems = []
    for key in sorted(settings, key=str):
        value = settings[key]
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            problems.append("%r is not a configuration key (lower-case words separated by '/', digits for "
                            "indices, e.g. voip/line/0/id)" % (key,))
            continue
        if value is None:
            problems.append('%s has no value (give one; use an empty string to clear it)' % key)
            continue
        if not isinstance(value, (str, int, float, bool)):
            problems.append('%s must be a single value, not a %s' % (key, type(value).__name__))
            continue
        text = str(value)
        unsafe = unsafe_characters(text)
        if unsafe:
            problems.append('%s holds %s: a control, line- or paragraph-separator character, which the '
                            'configuration file cannot carry (the phone would read what follows as another '
                            'key); remove it' % (key, unsafe))
            continue
        if MASK in text:
            problems.append("%s looks like a masked secret (%s); give the real value or leave the key out" % (key, MASK))
            continue
        if template(key) in HASHED_KEYS and not (MD5_CRYPT_PATTERN.match(text) or is_encrypted(text)):
            problems.append('%s takes an MD5-crypt hash ($1$salt$hash, e.g. from `openssl passwd -1`), '
                            'not a clear password' % key)
            continue
        limit = max_length(key)
        if limit is not None and not isinstance(value, bool) and len(text.strip()) > limit:
            problems.append('%s is %d characters long; the phone keeps at most %d' % (key, len(text.strip()), limit))
    return problems


def default_of(key, model=None):
    """The factory default text of ``key`` (None when the table has none, or for a secret)."""
    if is_secret(key):
        return None
    if key in DEFAULT_OVERRIDES:
        return DEFAULT_OVERRIDES[key]
    default = DEFAULTS.get(template(key))
    if default is None or ('{model}' in default and not model):
        return None
    return default.replace('{model}', model or '')


def with_defaults(values, wanted, model=None):
    """``values`` of a download that lists only modified keys, completed for the keys of ``wanted``
    that it leaves out but the table knows: they are at their factory default."""
    completed = dict(values)
    for key in wanted:
        if key not in completed:
            default = default_of(key, model)
            if default is not None:
                completed[key] = default
    return completed


def dump_problems(settings, have, model=None):
    """What is wrong with ``settings`` given the phone's full dump ``have`` and its model."""
    problems = []
    lines = MODEL_LINES.get(model)
    for key in sorted(settings):
        index = line_index(key)
        if lines is not None and index is not None and index >= lines:
            problems.append('%s: line index %d is beyond the %d lines of a %s (0 to %d)' % (key, index, lines, model, lines - 1))
        elif key not in have and not is_secret(key):
            problems.append("%s is not in the phone's configuration, so the firmware does not know it" % key)
    return problems


def enabled_lines(have):
    """Indices of the lines the configuration enables (voip/line/N/enabled=1)."""
    found = []
    for key, value in have.items():
        index = line_index(key)
        if index is not None and key == 'voip/line/%d/enabled' % index and as_bool(value):
            found.append(index)
    return sorted(found)


def hidden_secrets(have, settings):
    """Secrets an enabled line (or the admin account) has but the phone does not show, and
    settings does not name: a firmware that replaces its configuration on upload loses them."""
    names = []
    for watched in HIDDEN_SECRET_WATCH:
        if '/N/' in watched:
            names.extend(watched.replace('/N/', '/%d/' % index) for index in enabled_lines(have))
        else:
            names.append(watched)
    return [name for name in names if name not in have and name not in settings]


_CRYPT64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'


def _md5(data=b''):
    """An MD5 object for the phone's password format, not for security: a FIPS controller allows it so
    (``usedforsecurity=False``); one that still refuses gets an error saying what to do."""
    try:
        return hashlib.md5(data, usedforsecurity=False)
    except TypeError:  # pragma: no cover - Python before 3.9 has no usedforsecurity
        return hashlib.md5(data)  # nosec - the phone's MD5-crypt format, not a security choice
    except ValueError as exc:
        raise OperatorError(
            'this controller', 'its Python refuses MD5 (%s; a FIPS-enabled OpenSSL), and the phone keeps its admin '
            'password as an MD5-crypt hash ($1$salt$hash) that is computed here' % exc,
            'run the play on a controller (or execution environment) whose Python allows '
            'hashlib.md5(usedforsecurity=False), or give system/password in settings as a hash made elsewhere '
            '(openssl passwd -1)')


def md5_crypt(password, salt=None):
    """MD5-crypt (``$1$salt$hash``, as ``openssl passwd -1``): what system/password holds.

    Written out because Python's ``crypt`` module is gone from 3.13 and absent on some hosts.
    """
    if salt is None:
        salt = ''.join(_CRYPT64[byte % 64] for byte in bytearray(os.urandom(8)))
    secret, salt = password.encode('utf-8'), salt[:8].encode('ascii')
    alternate = _md5(secret + salt + secret).digest()
    context = _md5(secret + b'$1$' + salt)
    for index in range(len(secret), 0, -16):
        context.update(alternate[:min(16, index)])
    index = len(secret)
    while index:
        context.update(b'\0' if index & 1 else secret[:1])
        index >>= 1
    digest = context.digest()
    for round_number in range(1000):
        step = _md5()
        step.update(secret if round_number & 1 else digest)
        if round_number % 3:
            step.update(salt)
        if round_number % 7:
            step.update(secret)
        step.update(digest if round_number & 1 else secret)
        digest = step.digest()
    data = bytearray(digest)
    text = ''
    for first, second, third in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)):
        value = (data[first] << 16) | (data[second] << 8) | data[third]
        for dummy in range(4):
            text += _CRYPT64[value & 0x3f]
            value >>= 6
    value = data[11]
    for dummy in range(2):
        text += _CRYPT64[value & 0x3f]
        value >>= 6
    return '$1$%s$%s' % (salt.decode('ascii'), text)
