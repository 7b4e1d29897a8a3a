# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GAX object shapes: field names, enum spellings, the annex, and how option values compare.

The one place that knows how a CfgDN or CfgAgentLogin looks on the wire. Spellings the reference
marks as assumed (INTERFACES.md section 2) are in the tables below so a field engineer can fix them
from a capture of a real GAX without touching logic.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import (
    MASK, InputError,
)

SWITCH_TYPE = 'CfgSwitch'
FOLDER_TYPE = 'CfgFolder'

# --- the GAX interface beyond object shapes (docs/compatibility.md) -------------------------------
# A create carries folderid (confirmed: docker-lab-genesys creates send it): the switch's default
# folder for the type, a CfgFolder whose subtype names the type, owned by the switch (spellings
# assumed: no public GAX sample shows a CfgFolder).
FOLDER_SUBTYPES = {'CfgDN': 'CFGDN', 'CfgAgentLogin': 'CFGAgentLogin'}
FOLDER_DEFAULT_CLASS = 'CFGFCDefault'
FOLDER_OWNER_FIELD = 'ownerdbid'
# No public GAX client sends a CSRF header (go-genesys, mutagen); GWS names X-CSRF-TOKEN (assumed for
# GAX): a 403 that carries or asks for it is answered once with the token echoed.
CSRF_HEADER = 'X-CSRF-TOKEN'
# The session read that confirms a login before the first write (confirmed: GOGEN, mutagen).
SESSION_CHECK_PATH = '/user/info'
# Listings: no paging seen (go-genesys). A list may be cut on a large switch (assumed): it gets a
# longer timeout, the switch filter is asked of the server (re-filtered here), and a count that
# looks like a cap (a size hint above it, or a round number) stops the run before any create.
LIST_TIMEOUT_FACTOR = 4
LIST_SIZE_HEADERS = ('X-Total-Count', 'X-Result-Count')
LIST_ROUND_COUNT = 500          # a listing of a multiple of this many objects looks cut
# The Agent Login password: GAX never returns it and may drop it silently (go-genesys has no such
# field): the result says it was sent and cannot be verified.
PASSWORD_UNVERIFIABLE = ('the password was sent to GAX but cannot be verified: GAX never returns it, and a '
                         'server that does not know the field drops it without an error; check an agent login')

ENABLED = 'CFGEnabled'
DISABLED = 'CFGDisabled'

# Module word -> GAX DN subtype (confirmed names of the PSDK enum; GAX spelling assumed).
DN_SUBTYPES = {'extension': 'CFGExtension', 'acd_position': 'CFGACDPosition'}

# What a new object carries besides the fields the user sets (values recommended by the PSDK docs;
# enum spellings assumed).
DN_NEW = {
    'type': 'CfgDN',
    'registerall': 'CFGDRTrue',
    'routetype': 'CFGDefault',
    'useoverride': 'CFGTrue',
    'switchspecifictype': '1',
}
AGENT_LOGIN_NEW = {
    'type': 'CfgAgentLogin',
    'useoverride': 'CFGTrue',
    'switchspecifictype': '1',
}

# Annex options whose value is a secret: registered as no-log values and masked everywhere.
SECRET_OPTIONS = frozenset(['password'])

# Options that hold a comma-separated set: compared ignoring order and spaces, written in this order
# (items not listed here follow, alphabetically).
SET_OPTIONS = {
    'authenticate-requests': ('register', 'invite', 'subscribe', 'publish', 'message'),
    'sip-cti-control': ('talk', 'hold', 'dtmf'),
}

MUTABLE = 'mutable'          # compared and updated
IMMUTABLE = 'immutable'      # set on create; a different wish for an existing object is an error
CREATE_ONLY = 'create_only'  # set on create; never compared afterwards
WRITE_ONLY = 'write_only'    # GAX never returns it: written on create, or on every run if asked


def _text(value):
    return '' if value is None else str(value).strip()


def _enabled_to_wire(value):
    return ENABLED if value else DISABLED


def _enabled_from_wire(value):
    return _text(value) == ENABLED


def _subtype_from_wire(value):
    for word, subtype in DN_SUBTYPES.items():
        if subtype == _text(value):
            return word
    return _text(value)


class Field:
    """One object field the modules manage: its parameter, its wire key and how it behaves."""

    def __init__(self, param, wire, mode=MUTABLE, to_wire=_text, from_wire=_text, secret=False):
        self.param = param
        self.wire = wire
        self.mode = mode
        self.to_wire = to_wire
        self.from_wire = from_wire
        self.secret = secret

    def same(self, wanted, obj):
        """Whether ``obj`` already holds the wanted value of this field."""
        return self.to_wire(wanted) == _text(obj.get(self.wire))


class Kind:
    """What differs between the object kinds the modules manage."""

    def __init__(self, cfg_type, noun, key_param, key_wire, plural, fields, new, create_defaults):
        self.cfg_type = cfg_type
        self.noun = noun
        self.key_param = key_param
        self.key_wire = key_wire
        self.plural = plural
        self.fields = fields
        self.new = new
        self.create_defaults = create_defaults

    def field(self, param):
        for field in self.fields:
            if field.param == param:
                return field
        raise KeyError(param)

    def key_of(self, obj):
        return _text(obj.get(self.key_wire))

    def describe(self, obj):
        """The readable fields of ``obj`` in module words (write-only ones left out)."""
        return dict((field.param, field.from_wire(obj.get(field.wire)))
                    for field in self.fields if field.mode != WRITE_ONLY and field.wire in obj)


DN = Kind(
    cfg_type='CfgDN', noun='DN', key_param='number', key_wire='number', plural='dns',
    fields=(
        Field('type', 'subtype', IMMUTABLE, to_wire=lambda word: DN_SUBTYPES.get(word, word),
              from_wire=_subtype_from_wire),
        Field('name', 'name'),
        Field('enabled', 'state', to_wire=_enabled_to_wire, from_wire=_enabled_from_wire),
        Field('folder', 'folderid', CREATE_ONLY),
    ),
    new=DN_NEW,
    create_defaults={'type': 'extension', 'enabled': True},
)

AGENT_LOGIN = Kind(
    cfg_type='CfgAgentLogin', noun='Agent Login', key_param='login_code', key_wire='logincode',
    plural='agent_logins',
    fields=(
        Field('enabled', 'state', to_wire=_enabled_to_wire, from_wire=_enabled_from_wire),
        Field('folder', 'folderid', CREATE_ONLY),
        # The GAX key of the password is assumed (the PSDK names it password); GAX never returns it.
        Field('login_password', 'password', WRITE_ONLY, to_wire=str, secret=True),
    ),
    new=AGENT_LOGIN_NEW,
    create_defaults={'enabled': True},
)


# --- option values --------------------------------------------------------------------------------

def render(value):
    """A user's option value as GAX text: booleans lower-case, numbers in decimal, None kept.

    Raises ``TypeError`` for anything else (a list, a mapping).
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return '%d' % value
    if isinstance(value, float):
        return repr(value)
    raise TypeError(type(value).__name__)


def canonical(key, value):
    """The form an option value is compared and written in (spaces stripped, sets ordered)."""
    text = _text(value)
    order = SET_OPTIONS.get(key)
    if order is None:
        return text
    items = []
    for item in text.split(','):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    rank = dict((name, index) for index, name in enumerate(order))
    items.sort(key=lambda item: (rank.get(item, len(order)), item))
    return ','.join(items)


def same_option(key, wanted, current):
    return current is not None and canonical(key, wanted) == canonical(key, current)


def option_name(section, key):
    """How an option is named in results, diffs and messages."""
    return '%s/%s' % (section, key)


def is_secret_option(key):
    return key in SECRET_OPTIONS


def validate_options(options, subject):
    """Check the user's ``options`` and return them as ``{section: {key: text or None}}``.

    Raises ``InputError`` naming ``subject`` and the offending option.
    """
    if options is None:
        return None
    if not isinstance(options, dict):
        raise InputError(subject, 'options must map a section to its keys, got %s' % type(options).__name__,
                         'write options as {TServer: {contact: "*"}}')
    result = {}
    for section, keys in options.items():
        if not isinstance(section, str) or not section.strip() or section != section.strip():
            raise InputError(subject, 'option section %r is empty or has surrounding spaces' % (section,),
                             'name the annex section exactly, for example TServer')
        if not isinstance(keys, dict):
            raise InputError(subject, 'option section %s must map keys to values, got %s' % (section, type(keys).__name__),
                             'write it as %s: {key: value}' % section)
        rendered = {}
        for key, value in keys.items():
            if not isinstance(key, str) or not key.strip() or key != key.strip():
                raise InputError(subject, 'option key %r in section %s is empty or has surrounding spaces' % (key, section),
                                 'name the option exactly, for example contact')
            try:
                text = render(value)
            except TypeError as exc:
                raise InputError(subject, 'option %s has a %s value' % (option_name(section, key), exc),
                                 'give a string, number or boolean (a set such as sip-cti-control is written "talk,hold"), '
                                 'or null to remove the option')
            rendered[key] = None if text is None else canonical(key, text)
        result[section] = rendered
    return result


# --- the annex ------------------------------------------------------------------------------------

def _properties(obj):
    userproperties = obj.get('userproperties')
    if not isinstance(userproperties, dict):
        return []
    props = userproperties.get('property')
    if isinstance(props, dict):
        return [props]
    return props if isinstance(props, list) else []


def _ident(prop):
    if not isinstance(prop, dict) or prop.get('section') is None or prop.get('key') is None:
        return None
    return (str(prop['section']), str(prop['key']))


def annex_of(obj):
    """``{section: {key: value}}`` from the object's ``userproperties`` (values as text)."""
    sections = {}
    for prop in _properties(obj):
        ident = _ident(prop)
        if ident is not None:
            value = prop.get('value')
            sections.setdefault(ident[0], {})[ident[1]] = '' if value is None else str(value)
    return sections


def annex_property_list(sections):
    """GAX's ``userproperties`` value for ``{section: {key: value}}``."""
    return {'property': [{'section': section, 'key': key, 'value': value}
                         for section, keys in sections.items() for key, value in keys.items()]}


def with_annex(obj, sections):
    """A copy of ``obj`` whose annex holds exactly ``sections``.

    Entries that stay keep their place and any field GAX put beside section/key/value; entries
    this code cannot read (no section or key) are kept untouched; new ones go at the end.
    """
    wanted = dict(((section, key), value) for section, keys in sections.items() for key, value in keys.items())
    props, seen = [], set()
    for prop in _properties(obj):
        ident = _ident(prop)
        if ident is None:
            props.append(prop)
        elif ident in wanted and ident not in seen:
            entry = dict(prop)
            entry['value'] = wanted[ident]
            props.append(entry)
            seen.add(ident)
    for ident, value in wanted.items():
        if ident not in seen:
            props.append({'section': ident[0], 'key': ident[1], 'value': value})
    new = copy.deepcopy(obj)
    userproperties = dict(new['userproperties']) if isinstance(new.get('userproperties'), dict) else {}
    userproperties['property'] = props
    new['userproperties'] = userproperties
    return new


def plan_options(wanted, current, purge, subject):
    """Compare wanted options with the current annex.

    ``wanted`` comes from ``validate_options`` (None: options not managed); a secret given as
    ``MASK`` (what the info modules return) keeps its current value. Returns ``(after, changed)``:
    the annex to write and ``{(section, key): new text or None for a removal}``.
    """
    after = dict((section, dict(keys)) for section, keys in current.items())
    changed = {}
    for section, keys in (wanted or {}).items():
        have = current.get(section, {})
        listed = set()
        for key, value in keys.items():
            listed.add(key)
            if value is None:
                if key in have:
                    changed[(section, key)] = None
                    del after[section][key]
            elif is_secret_option(key) and value == MASK:
                if key not in have:
                    raise InputError(subject, 'option %s is given masked (%s) but the object has none to keep'
                                     % (option_name(section, key), MASK), 'give the real value')
            elif not same_option(key, value, have.get(key)):
                changed[(section, key)] = value
                after.setdefault(section, {})[key] = value
        if purge:
            for key in have:
                if key not in listed:
                    changed[(section, key)] = None
                    del after[section][key]
    return after, changed


# How a GAX that merges the annex on PUT (keeps an option the PUT leaves out) removes one: assumed,
# no public source shows it (docs/compatibility.md G11). When the re-read after writing still shows
# an option the inventory removed, these forms are tried in this order, one PUT and one re-read
# each, until one works. deleted_list first: a GAX that does not know the field ignores it (or
# refuses the PUT), while empty_value leaves an empty option behind where it does not work.
ANNEX_DELETED_FIELD = 'deleteduserproperties'   # shaped like userproperties (PSDK deletedUserProperties)
ANNEX_REMOVAL_FORMS = (
    ('deleted_list', 'the PUT lists the option in %s' % ANNEX_DELETED_FIELD),
    ('empty_value', 'the option sent with an empty value'),
)


def annex_removal_body(form, obj, removed):
    """The PUT body that asks GAX, in removal form ``form``, to delete the ``removed`` options
    (``[(section, key)]``) of ``obj`` (as re-read); everything else is sent as read."""
    annex = annex_of(obj)
    for section, key in removed:
        annex.get(section, {}).pop(key, None)
    if form == 'empty_value':
        for section, key in removed:
            annex.setdefault(section, {})[key] = ''
    body = with_annex(obj, annex)
    if form == 'deleted_list':
        body[ANNEX_DELETED_FIELD] = {'property': [{'section': section, 'key': key} for section, key in removed]}
    return body


def unkept_options(changed, obj):
    """The changed options a re-read object does not hold as written: ``[(name, wanted, found)]``."""
    annex = annex_of(obj)
    problems = []
    for (section, key), value in sorted(changed.items()):
        found = annex.get(section, {}).get(key)
        if value is None:
            if found is not None:
                problems.append((option_name(section, key), None, found))
        elif not same_option(key, value, found):
            problems.append((option_name(section, key), value, found))
    return problems
