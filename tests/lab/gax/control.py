"""The lab's knobs: behaviour variants, fault injection and request counters (per instance)."""

import json
import random
import threading

from gax.schema import GaxError

# name: (default, allowed values). Each names a detail the reference leaves open.
VARIANTS = {
    'annex': ('replace', ('replace', 'merge')),          # PUT userproperties: becomes what is sent / only adds+changes
    # How a merging GAX removes an option (issue 15 item 14): never / an option sent with value ""
    # / a top-level deleteduserproperties {property: [{section, key}]} in the PUT body.
    'annex_remove': ('none', ('none', 'empty_value', 'deleted_list')),
    'put_omitted': ('keep', ('keep', 'reset')),          # a field a PUT omits: unchanged / back to its default
    'expired_session': (401, (401, 302)),                # 302 = redirect to /gax/login.html
    'error_body': ('json', ('json', 'html', 'empty')),
    'create_status': (200, (200, 201)),
    'create_body': ('object', ('object', 'empty')),      # empty: the client must look the new object up
    'update_status': (200, (200, 204)),                  # 200 answers the object, 204 nothing
    'delete_status': (200, (200, 204)),
    'conflict_status': (400, (400, 409)),                # uniqueness violations
    'scalar_types': ('strict', ('strict', 'coerce')),    # a JSON number where a string belongs: 400 / accepted
    'unknown_fields': ('ignore', ('ignore', 'reject')),  # a property the server does not know
    'tenant_mismatch': ('override', ('override', 'reject')),
    'list_filters': ('name', ('name', 'any')),           # query params other than name: ignored / filter
    'brief_default': (False, (False, True)),             # list without brief=
    'session_idle_timeout': (600, int),                  # seconds (GAX inactivity_timeout sample)
    'session_expire_every': (0, int),                    # a session serves N requests then expires; 0 = off
    # Issue 15 (docs/lab.md "Real-device variants"):
    'agent_login_password': ('store', ('store', 'drop')),  # drop: the password field is ignored silently
    'list_cap': (0, int),                                # a list answers at most N objects (X-Total-Count: all); 0 = off
    'create_folder': ('optional', ('optional', 'required')),  # required: a create without folderid is 400
    'csrf': ('off', ('off', 'required')),                # required: a write without X-CSRF-TOKEN gets 403
}

FAULTS = {
    'seed': 0,             # RNG seed: the same seed and requests give the same faults
    'kinds': [],           # request kinds faults apply to (login, list, create, ...); [] = all
    'error_rate': 0.0, 'error_next': 0, 'error_status': 500,
    'reset_rate': 0.0, 'reset_next': 0,             # close the socket without answering
    'slow_rate': 0.0, 'slow_next': 0, 'slow_seconds': 2.0,
    'lost_create_rate': 0.0, 'lost_create_next': 0,  # commit the create, then reset the connection
    'drip_rate': 0.0, 'drip_next': 0, 'drip_seconds': 1.5,  # the body a byte every drip_seconds
    'oversize_rate': 0.0, 'oversize_next': 0, 'oversize_bytes': 40 * 1024 * 1024,  # more body, no length
}
KINDS = ('login', 'user_info', 'list', 'read', 'create', 'update', 'delete', 'login_page', 'other')
WRITES = ('create', 'update', 'delete')


def _bad(message):
    return GaxError(400, 'LabBadSetting', message)


def check_variants(changes):
    """Validate ``{name: value}``; values may come as strings (YAML, JSON); return typed values."""
    typed = {}
    for name, value in (changes or {}).items():
        if name not in VARIANTS:
            raise _bad('unknown variant %r; known: %s' % (name, ', '.join(VARIANTS)))
        allowed = VARIANTS[name][1]
        if allowed is int:
            if not str(value).isdigit():
                raise _bad('variant %s wants a non-negative integer, got %r' % (name, value))
            typed[name] = int(value)
            continue
        match = [a for a in allowed if str(a).lower() == str(value).lower()]
        if not match:
            raise _bad('variant %s: %r is not one of %s' % (name, value, ', '.join(map(str, allowed))))
        typed[name] = match[0]
    return typed


def check_faults(changes):
    typed = {}
    for name, value in (changes or {}).items():
        if name not in FAULTS:
            raise _bad('unknown fault setting %r; known: %s' % (name, ', '.join(FAULTS)))
        default = FAULTS[name]
        try:
            if name == 'kinds':
                if not isinstance(value, list) or any(k not in KINDS for k in value):
                    raise ValueError
                typed[name] = list(value)
            else:
                typed[name] = type(default)(value)
        except (TypeError, ValueError):
            raise _bad('fault setting %s: bad value %r' % (name, value)) from None
        if name.endswith('_rate') and not 0 <= typed[name] <= 1:
            raise _bad('fault setting %s must be between 0 and 1' % name)
    return typed


class Knobs:
    """Variants and faults of one instance: set by the profile, changed at run time by the admin API."""

    def __init__(self, variants, faults):
        self.lock = threading.Lock()
        self.profile_variants = dict({k: v[0] for k, v in VARIANTS.items()}, **check_variants(variants))
        self.profile_faults = dict(FAULTS, **check_faults(faults))
        self.counters = Counters()
        self.restore()

    def restore(self):
        """Back to the profile's settings (used by the admin reset)."""
        with self.lock:
            self.variants = dict(self.profile_variants)
            self.faults = dict(self.profile_faults)
            self.rng = random.Random(self.faults['seed'])

    def set_variants(self, changes):
        typed = check_variants(changes)
        with self.lock:
            self.variants.update(typed)
            return dict(self.variants)

    def set_faults(self, changes):
        typed = check_faults(changes)
        with self.lock:
            self.faults.update(typed)
            if 'seed' in typed:
                self.rng = random.Random(typed['seed'])
            return dict(self.faults)

    def fires(self, fault, kind):
        """Whether ``fault`` hits this request: a pending "next N" first, then the rate."""
        with self.lock:
            scope = self.faults['kinds']
            if fault != 'lost_create' and scope and kind not in scope:
                return False
            if self.faults[fault + '_next'] > 0:
                self.faults[fault + '_next'] -= 1
                hit = True
            else:
                hit = self.rng.random() < self.faults[fault + '_rate']
        if hit:
            self.counters.bump('faults', fault)
        return hit


class Counters:
    """Requests per kind and object type, writes, answers per status, faults fired, session events."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        with self.lock:
            self.data = {'total': 0, 'requests': dict.fromkeys(KINDS, 0), 'by_type': {},
                         'writes': {'requests': 0, 'committed': 0, 'rejected': 0, 'by_type': {}}, 'status': {},
                         'faults': {}, 'sessions': dict.fromkeys(('logins', 'login_failures', 'expired', 'no_session'), 0)}

    def bump(self, *path):
        """Add one at ``path`` (``'by_type', 'CfgDN', 'list'``), making the levels it lacks."""
        with self.lock:
            node = self.data
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = node.get(path[-1], 0) + 1

    def request(self, kind, cfg_type):
        self.bump('total')
        self.bump('requests', kind)
        if cfg_type:
            self.bump('by_type', cfg_type, kind)
        if kind in WRITES:
            self.bump('writes', 'requests')

    def write_done(self, kind, cfg_type, committed):
        self.bump('writes', 'committed' if committed else 'rejected')
        if committed:
            self.bump('writes', 'by_type', cfg_type, kind)

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.data))  # a deep copy
