# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired state's secrets as references to where the inventory keeps them.

The preflight keeps the desired state as a fact (``set_fact`` with ``run_once``: every host of the play
gets it, and a fact cache writes it to disk). It must not carry the SIP and Agent Login passwords of the
whole fleet: ``without`` replaces each by ``{'__secret__': [host, variable, index, ...]}``, the inventory
variable that holds it; ``resolve`` puts the values back in the arguments of the one task that writes
them (those arguments are no-log values of the modules, whose results mask them).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.six.moves.collections_abc import Mapping

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import keys
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import objects

REF = '__secret__'
LINE_VARS = ('gac_lines', 'lines')        # the inventory schema's names (docs/inventory.md), prefixed first
SITE_VARS = ('gac_sites', 'sites')


class Unresolved(Exception):
    """A reference whose variable is gone or changed since the preflight."""


def _variable(hostvars, host, names):
    """``(name, value)`` of the first of ``names`` the host has; ``(None, None)`` if none resolves."""
    for name in names:
        try:
            if name in hostvars[host]:
                return name, hostvars[host][name]
        except Exception:  # pylint: disable=broad-except
            return None, None           # an unresolvable variable: the preflight said so
    return None, None


def _is_list(value):
    return isinstance(value, (list, tuple))


def sources(hostvars, hosts):
    """``{secret: reference}`` for every SIP password of the hosts' lines and every Agent Login password
    of the sites (group variables: read through the first host)."""
    found = {}
    for host in hosts:
        name, lines = _variable(hostvars, host, LINE_VARS)
        for index, line in enumerate(lines if _is_list(lines) else []):
            if isinstance(line, Mapping) and line.get('sip_password') is not None:
                found.setdefault(str(line['sip_password']), [host, name, index, 'sip_password'])
    for host in list(hosts)[:1]:
        name, sites = _variable(hostvars, host, SITE_VARS)
        for position, site in enumerate(sites if _is_list(sites) else []):
            logins = site.get('agent_logins') if isinstance(site, Mapping) else None
            for index, login in enumerate(logins if _is_list(logins) else []):
                if isinstance(login, Mapping) and login.get('password') is not None:
                    found.setdefault(str(login['password']), [host, name, position, 'agent_logins', index, 'password'])
    return found


def _plain_copy(data):
    """A copy of mappings and lists as plain dicts and lists (what the desired state is made of). Faster
    than copy.deepcopy on the containers a template hands over (ansible-core 2.19 copies those lazily,
    value by value): seconds at a thousand phones."""
    if isinstance(data, Mapping):
        return dict((key, _plain_copy(value)) for key, value in data.items())
    if _is_list(data):
        return [_plain_copy(item) for item in data]
    return data


def without(state, hostvars, hosts):
    """``(state without secrets, [where a secret stayed])``: each secret replaced by its reference; one
    that the inventory holds nowhere the schema says (a secret made by a template?) stays, and is named."""
    found = sources(hostvars, hosts)
    result = _plain_copy(state)
    kept = []

    def ref(value, where):
        if value is None or str(value) == '':
            return value
        if str(value) in found:
            return {REF: list(found[str(value)])}
        kept.append(where)
        return value

    for host, phone in sorted((result.get('phones') or {}).items()):
        settings = phone.get('settings') if isinstance(phone, Mapping) else None
        for key in sorted(settings or {}):
            if keys.is_secret(key):
                settings[key] = ref(settings[key], 'phone %s %s' % (host, key))
    for name, switch in sorted((result.get('switches') or {}).items()):
        for dn in switch.get('dns') or []:
            for section, options in sorted((dn.get('options') or {}).items()):
                for key in sorted(options or {}):
                    if objects.is_secret_option(key):
                        options[key] = ref(options[key], 'site %s DN %s %s/%s' % (name, dn.get('number'), section, key))
        for login in switch.get('agent_logins') or []:
            if 'login_password' in login:
                login['login_password'] = ref(login['login_password'], 'site %s Agent Login %s' % (
                    name, login.get('login_code')))
    return result, kept


def _lookup(hostvars, reference):
    host, name, path = reference[0], reference[1], reference[2:]
    try:
        value = hostvars[host][name]
        for step in path:
            value = value[step]
    except Exception as exc:  # pylint: disable=broad-except
        raise Unresolved('the secret at %s of host %s (%s) cannot be read again: %s' % (
            '.'.join(str(step) for step in [name] + list(path)), host, exc.__class__.__name__,
            'the inventory changed during the play?'))
    return str(value)


def resolve(data, hostvars):
    """``data`` with every reference replaced by the secret it names (anything else unchanged)."""
    if isinstance(data, Mapping):
        if len(data) == 1 and REF in data:
            return _lookup(hostvars, data[REF])
        return dict((key, resolve(value, hostvars)) for key, value in data.items())
    if _is_list(data):
        return [resolve(item, hostvars) for item in data]
    return data
