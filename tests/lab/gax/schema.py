"""What the Configuration Server accepts in a GAX JSON body: field tables, enum names, checks.

Pure functions, no I/O. Shapes follow genesys-config-research.md §1.4: lower-case keys, every
scalar a JSON string, enums by PSDK name, lists wrapped in an object keyed by the element name.
Enum spellings and defaults the research marks [I] are kept here, in one place.
"""

from dataclasses import dataclass

STATE = ('CFGEnabled', 'CFGDisabled')
FLAG = ('CFGNoFlag', 'CFGTrue', 'CFGFalse')
REGISTER = ('CFGDRFalse', 'CFGDRTrue', 'CFGDROnDemand')
ROUTE = ('CFGNoRoute', 'CFGDefault', 'CFGLabel', 'CFGOverwriteDNIS', 'CFGDDD', 'CFGIDDD',
         'CFGDirect', 'CFGReject', 'CFGAnnouncement', 'CFGPostFeature', 'CFGDirectAgent',
         'CFGUseDNIS', 'CFGDirectANI', 'CFGDirectDigits')
DN_TYPES = ('CFGExtension', 'CFGACDPosition', 'CFGACDQueue', 'CFGRoutingPoint',
            'CFGVirtACDQueue', 'CFGVirtRoutingPoint', 'CFGVoiceMail', 'CFGTrunk',
            'CFGTrunkGroup', 'CFGVoIPService', 'CFGRoutingQueue', 'CFGAccessResource',
            'CFGDestinationLabel')
# PSDK: a DN number is unique within its switch except for these types.
NUMBER_SHARED_TYPES = ('CFGAccessResource', 'CFGDestinationLabel')

# Known to the server but not emulated: listing them answers an empty array.
OTHER_TYPES = ('CfgPerson', 'CfgPlace', 'CfgAgentGroup', 'CfgPlaceGroup', 'CfgApplication',
               'CfgHost', 'CfgSkill', 'CfgDNGroup', 'CfgAppPrototype', 'CfgAccessGroup',
               'CfgTransaction', 'CfgEnumerator', 'CfgEnumeratorValue', 'CfgScript')
READ_ONLY_TYPES = ('CfgTenant', 'CfgSwitch', 'CfgPhysicalSwitch', 'CfgFolder')
# A PUT body field that lists annex options to delete (variant annex_remove: deleted_list; assumed,
# after the PSDK delta objects' deletedUserProperties).
ANNEX_DELETED = 'deleteduserproperties'


class GaxError(Exception):
    """A refusal: HTTP status, a Configuration-Server-style error code (assumed), a message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Field:
    kind: object            # 'text', 'number', 'posnumber', 'annex', 'wrapped', or a tuple of enum names
    default: object = ''
    required: bool = False
    immutable: bool = False  # fixed at creation (PSDK doc text)
    write_only: bool = False  # stored, never returned by a read
    derived: bool = False    # the server computes it (tenant comes from the switch)


def _common():
    """Fields a DN and an Agent Login share (PSDK: both hang off a switch)."""
    return {
        'folderid': Field('number', ''),  # '' = the switch's default folder for the type
        'tenantdbid': Field('number', derived=True),
        'state': Field(STATE, 'CFGEnabled'),
        'useoverride': Field(FLAG, 'CFGTrue'),  # PSDK save() default; the research's recommendation
        'override': Field('text'),
        'switchspecifictype': Field('posnumber', '1'),
        'switchdbid': Field('number', required=True, immutable=True),
        'contractdbid': Field('number', '0'),
        'userproperties': Field('annex', {'property': []}),
    }


SCHEMAS = {
    'CfgDN': dict(_common(), **{
        'subtype': Field(DN_TYPES, required=True, immutable=True),
        'number': Field('text', required=True, immutable=True),
        'name': Field('text'),
        'association': Field('text'),
        'registerall': Field(REGISTER, 'CFGDRTrue'),
        'routetype': Field(ROUTE, 'CFGDefault'),
        'loginflag': Field(FLAG, 'CFGNoFlag'),
        'groupdbid': Field('number', '0'),
        'sitedbid': Field('number', '0'),
        'trunks': Field('number', '0'),
        'accessnumbers': Field('wrapped', {'dnaccessnumber': []}),
    }),
    'CfgAgentLogin': dict(_common(), **{
        'logincode': Field('text', required=True, immutable=True),
        'password': Field('text', write_only=True),
    }),
}
WRITABLE_TYPES = tuple(SCHEMAS)
KNOWN_TYPES = WRITABLE_TYPES + READ_ONLY_TYPES + OTHER_TYPES


def defaults(cfg_type):
    """A new object's fields before the body is applied (copies: defaults hold lists)."""
    return {key: _copy(spec.default) for key, spec in SCHEMAS[cfg_type].items() if not spec.derived}


def _copy(value):
    return {k: list(v) for k, v in value.items()} if isinstance(value, dict) else value


def public_view(cfg_type, obj):
    """What a read answers: the object without its write-only fields."""
    hidden = [k for k, spec in SCHEMAS.get(cfg_type, {}).items() if spec.write_only]
    return {k: v for k, v in obj.items() if k not in hidden}


def brief_view(obj):
    """The short form of ``brief=true`` (assumed: enough to draw a navigation tree)."""
    keys = ('dbid', 'type', 'subtype', 'name', 'number', 'logincode', 'switchdbid', 'folderid', 'state')
    return {k: obj[k] for k in keys if k in obj}


def parse_body(cfg_type, body, variants):
    """Check a client's object and return its known fields, strings only.

    ``dbid`` and ``type`` are left to the caller, which compares them with the URL.
    """
    if not isinstance(body, dict):
        raise GaxError(400, 'CFGBadRequest', 'The request body must be a JSON object')
    schema = SCHEMAS[cfg_type]
    fields = {}
    for key, value in body.items():
        if key in ('type', 'dbid'):
            continue
        if key == ANNEX_DELETED and variants['annex_remove'] == 'deleted_list':
            fields[key] = _deleted_list(key, value, variants)
            continue
        spec = schema.get(key)
        if spec is None:
            if variants['unknown_fields'] == 'reject':
                raise GaxError(400, 'CFGBadRequest', "Unknown property '%s' for %s" % (key, cfg_type))
            continue  # the object mapper drops what it has no property for
        if value is None and variants['scalar_types'] == 'coerce':
            continue  # a lenient mapper reads null as "not sent"
        fields[key] = _check(key, spec.kind, value, variants)
    return fields


def _check(key, kind, value, variants):
    if kind == 'annex':
        return _annex(key, value, variants)
    if kind == 'wrapped':
        return _wrapped(key, value, variants)
    value = _scalar(key, value, variants)
    if isinstance(kind, tuple) and value not in kind:
        raise GaxError(400, 'CFGValueOutOfRange', "Invalid value '%s' for property '%s'; expected one of %s"
                       % (value, key, ', '.join(kind)))
    if kind in ('number', 'posnumber') and value != '' and not value.isdigit():
        raise GaxError(400, 'CFGValueOutOfRange', "Property '%s' must be a number, got '%s'" % (key, value))
    if kind == 'posnumber' and (value == '' or int(value) < 1):
        raise GaxError(400, 'CFGValueOutOfRange', "Property '%s' must be greater than 0" % key)
    return value


def _scalar(key, value, variants):
    """Every scalar travels as a JSON string; a picky server refuses anything else."""
    if isinstance(value, str):
        return value
    lenient = variants['scalar_types'] == 'coerce'
    if lenient and isinstance(value, bool):
        return 'true' if value else 'false'
    if lenient and isinstance(value, (int, float)):
        return str(value)
    raise GaxError(400, 'CFGBadRequest', "Property '%s' must be a JSON string, got %s"
                   % (key, type(value).__name__ if value is not None else 'null'))


def _wrapped(key, value, variants, element=None):
    """A list wrapped in an object keyed by its element name: ``{"property": [{...}, ...]}``."""
    items = next(iter(value.values())) if isinstance(value, dict) and len(value) == 1 else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or element not in (None, *value):
        raise GaxError(400, 'CFGBadRequest', "Property '%s' must be a wrapped list {\"%s\": [{...}]}"
                       % (key, element or '<element>'))
    return {next(iter(value)): [{k: _scalar('%s.%s' % (key, k), v, variants) for k, v in i.items()} for i in items]}


def _annex(key, value, variants):
    """The annex: options as section/key/value, each (section, key) at most once."""
    options = _wrapped(key, value, variants, 'property')['property']
    seen = set()
    for option in options:
        if set(option) != {'section', 'key', 'value'} or not option['section'] or not option['key']:
            raise GaxError(400, 'CFGBadRequest', "Each '%s' entry needs a section, a key and a value" % key)
        if (option['section'], option['key']) in seen:
            raise GaxError(400, 'CFGUniquenessViolation', "Option [%s] %s appears twice in '%s'"
                           % (option['section'], option['key'], key))
        seen.add((option['section'], option['key']))
    return {'property': options}


def check_required(cfg_type, fields):
    for key, spec in SCHEMAS[cfg_type].items():
        if spec.required and not fields.get(key):
            raise GaxError(400, 'CFGValueOutOfRange', "Property '%s' is required to create a %s" % (key, cfg_type))


def _deleted_list(key, value, variants):
    """``annex_remove: deleted_list``: the options to delete, shaped like the annex (a value is ignored)."""
    options = _wrapped(key, value, variants, 'property')['property']
    if any(not option.get('section') or not option.get('key') or set(option) - {'section', 'key', 'value'}
           for option in options):
        raise GaxError(400, 'CFGBadRequest', "Each '%s' entry needs a section and a key" % key)
    return [(option['section'], option['key']) for option in options]


def merge_annex(current, sent, remove='none', deleted=()):
    """``annex: merge``: sent options are added or changed, none is removed, except as ``annex_remove``
    allows: an option sent with an empty value (``empty_value``), or one ``deleted`` lists (``deleted_list``)."""
    merged = {(p['section'], p['key']): p for p in current}
    merged.update({(p['section'], p['key']): p for p in sent})
    gone = set(deleted)
    if remove == 'empty_value':
        gone.update((p['section'], p['key']) for p in sent if p['value'] == '')
    return [p for ident, p in merged.items() if ident not in gone]


def stringify(value):
    """Seed files may write numbers as YAML numbers; the server stores strings."""
    if isinstance(value, dict):
        return {k: stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stringify(v) for v in value]
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return '' if value is None else str(value)
