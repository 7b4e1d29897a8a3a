# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The field check of one site's GAX: read the switch, the inventory's DNs and Agent Logins, one
full object of each type, and judge the shapes of ``objects.py`` and the GAX behaviours of
docs/compatibility.md. Read-only by construction (``capture.ReadOnlyRecorder``: only GET and the
POST of the login leave the machine).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils import capture
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import client as gax, objects

CONFIRMED, CONTRADICTED, UNKNOWN = 'confirmed', 'contradicted', 'unknown'
ROUND_COUNTS = (50, 100, 200, 250, 500, 1000, 2000, 5000)


def entry(ident, subject, status, evidence):
    return {'id': ident, 'subject': subject, 'status': status, 'evidence': evidence}


def _text(value):
    return '' if value is None else str(value)


def _values(objs, field):
    counts = {}
    for obj in objs:
        if field in obj:
            value = obj[field] if isinstance(obj[field], str) else type(obj[field]).__name__
            counts[value] = counts.get(value, 0) + 1
    return counts


def _shown(counts):
    return ', '.join('%s x%d' % (value, count) for value, count in sorted(counts.items())) or 'none seen'


def _annex_shape(obj):
    """'property list', or a description of what ``userproperties`` is instead."""
    props = obj.get('userproperties')
    if props is None:
        return 'absent'
    if not isinstance(props, dict):
        return 'a %s' % type(props).__name__
    inner = props.get('property')
    if isinstance(inner, dict):
        inner = [inner]
    if not isinstance(inner, list):
        return 'userproperties without a property list (keys %s)' % ', '.join(sorted(props))
    bad = [p for p in inner if not isinstance(p, dict) or not set(('section', 'key', 'value')) <= set(p)]
    if bad:
        return 'property entries without section/key/value (e.g. keys %s)' % (
            ', '.join(sorted(bad[0])) if isinstance(bad[0], dict) else type(bad[0]).__name__)
    strings = all(isinstance(p.get('value'), str) for p in inner)
    return 'property list of {section, key, value}%s' % ('' if strings else ' with non-string values')


def _unauthenticated(client):
    try:
        response = client.http.request('GET', client.url + gax.OBJECTS_PATH, params={'type': objects.SWITCH_TYPE},
                                       timeout=client.timeout, verify=client.verify, allow_redirects=False)
    except Exception as exc:  # pylint: disable=broad-except
        return {'error': exc.__class__.__name__}
    return {'status': response.status_code, 'location': response.headers.get('Location'),
            'content_type': response.headers.get('Content-Type')}


def observe(client, switch_name, numbers, login_codes):
    obs = {'errors': {}, 'no_session': _unauthenticated(client)}
    try:
        client.login()
    except OperatorError as exc:
        obs['errors']['login'] = client.masker.text(exc.message)
        return obs
    try:
        switches = client.list(objects.SWITCH_TYPE)
    except OperatorError as exc:
        obs['errors']['switch'] = client.masker.text(exc.message)
        return obs
    obs['switch_count'] = len(switches)
    matches = [s for s in switches if _text(s.get('name')) == switch_name]
    obs['switch'] = matches[0] if len(matches) == 1 else None
    if obs['switch'] is None:
        obs['errors']['switch'] = 'switch %s: %d found among %d switches' % (switch_name, len(matches), len(switches))
        return obs
    dbid = _text(obs['switch'].get('dbid'))
    try:
        obs['switch_full'] = client.read(objects.SWITCH_TYPE, dbid)
    except OperatorError as exc:
        obs['errors']['switch_read'] = client.masker.text(exc.message)
    for kind, wanted in ((objects.DN, numbers), (objects.AGENT_LOGIN, login_codes)):
        try:
            listed = client.list(kind.cfg_type)
        except OperatorError as exc:
            obs['errors'][kind.plural] = client.masker.text(exc.message)
            continue
        mine = [obj for obj in listed if _text(obj.get('switchdbid')) == dbid]
        wanted = [_text(key) for key in wanted or []]
        ours = [obj for obj in mine if kind.key_of(obj) in wanted]
        for obj in ours:
            for option in objects.SECRET_OPTIONS:
                for section in objects.annex_of(obj).values():
                    if section.get(option):
                        client.masker.add(section[option])
        sample = (ours or [obj for obj in mine if kind is not objects.DN or
                           _text(obj.get('subtype')) in objects.DN_SUBTYPES.values()] or mine or [None])[0]
        full = None
        if sample is not None:
            try:
                full = client.read(kind.cfg_type, _text(sample.get('dbid')))
            except OperatorError as exc:
                obs['errors'][kind.plural + '_read'] = client.masker.text(exc.message)
        obs[kind.plural] = {'listed': len(listed), 'on_switch': len(mine), 'ours': ours, 'all': mine, 'full': full,
                            'present': sorted(kind.key_of(obj) for obj in ours),
                            'absent': sorted(key for key in wanted if key not in set(kind.key_of(obj) for obj in ours))}
    return obs


def _kind_entries(kind, found):
    entries = []
    name = 'objects.%s' % ('DN' if kind is objects.DN else 'AGENT_LOGIN')
    if not found:
        return [entry(name, '%s shape' % kind.cfg_type, UNKNOWN, 'not read')]
    full = found['full'] or {}
    objs = found['all']
    if not full:
        entries.append(entry(name, '%s fields' % kind.cfg_type, UNKNOWN, 'no %s on the switch to read' % kind.noun))
    else:
        fields = [kind.key_wire] + [field.wire for field in kind.fields if field.mode != objects.WRITE_ONLY]
        missing = [field for field in fields if field not in full]
        entries.append(entry(name + '.fields', '%s carries %s' % (kind.cfg_type, ', '.join(fields)),
                             CONTRADICTED if missing else CONFIRMED,
                             ('missing: %s; ' % ', '.join(missing) if missing else '') + 'fields of %s %s: %s' % (
                                 kind.noun, kind.key_of(full), ', '.join(sorted(full)))))
        non_strings = sorted(key for key, value in full.items() if value is not None and not isinstance(value, (str, dict, list)))
        entries.append(entry(name + '.scalars', '%s scalars are JSON strings' % kind.cfg_type,
                             CONTRADICTED if non_strings else CONFIRMED,
                             ('not strings: %s' % ', '.join(non_strings)) if non_strings else 'every scalar a string'))
        entries.append(entry(name + '.annex', 'the annex is userproperties.property[{section, key, value}]',
                             CONFIRMED if _annex_shape(full).startswith('property list of {section, key, value}') and
                             'non-string' not in _annex_shape(full) else (UNKNOWN if _annex_shape(full) == 'absent' else CONTRADICTED),
                             _annex_shape(full)))
        for field in kind.fields:
            if field.mode == objects.WRITE_ONLY:
                entries.append(entry(name + '.' + field.param, '%s is write-only: GAX never returns it' % field.wire,
                                     CONTRADICTED if field.wire in full else CONFIRMED,
                                     ('%s returned by a read' % field.wire) if field.wire in full else
                                     'absent from a full read of %s %s (whether GAX stores it cannot be read back)' % (
                                         kind.noun, kind.key_of(full))))
    new = objects.DN_NEW if kind is objects.DN else objects.AGENT_LOGIN_NEW
    for field, value in sorted(new.items()):
        if field == 'type':
            continue
        counts = _values(objs + ([full] if full else []), field)
        # Existing objects may hold other values: only the spelling seen on the switch can confirm.
        entries.append(entry('%s_NEW.%s' % (name, field), 'a new %s carries %s=%s' % (kind.cfg_type, field, value),
                             CONFIRMED if value in counts else UNKNOWN, 'values on the switch: %s' % _shown(counts)))
    states = _values(objs, 'state')
    entries.append(entry('objects.ENABLED.%s' % kind.plural, 'state is spelled %s / %s' % (objects.ENABLED, objects.DISABLED),
                         CONFIRMED if states and set(states) <= set((objects.ENABLED, objects.DISABLED)) else
                         (CONTRADICTED if states else UNKNOWN), '%s states: %s' % (kind.noun, _shown(states))))
    if kind is objects.DN:
        subtypes = _values(objs, 'subtype')
        ours = _values(found['ours'], 'subtype')
        known = set(objects.DN_SUBTYPES.values())
        # Contradicted only by an inventory DN of another spelling: a switch may hold routing points only.
        entries.append(entry('objects.DN_SUBTYPES', 'DN types spelled %s' % ', '.join(sorted(known)),
                             CONFIRMED if set(subtypes) & known else (CONTRADICTED if ours else UNKNOWN),
                             'subtypes on the switch: %s; of the inventory\'s DNs: %s' % (_shown(subtypes), _shown(ours))))
    return entries


def judge(obs, client):
    entries = []
    shape = obs.get('no_session') or {}
    status = shape.get('status')
    entries.append(entry('gax.expired_session', 'without a session GAX answers 401 (or a redirect to its login page)',
                         CONFIRMED if status in (401, 302, 303) else CONTRADICTED,
                         'HTTP %s%s' % (status, ' to %s' % shape['location'] if shape.get('location') else '')))
    login = next((e for e in client.recorder.exchanges if e['method'] == 'POST'), None)
    entries.append(entry('gax.LOGIN_PATH', 'POST %s opens the session (204, a cookie)' % gax.LOGIN_PATH,
                         CONFIRMED if login and 200 <= login['status'] < 300 else CONTRADICTED,
                         ('HTTP %d%s' % (login['status'], ', cookie set' if login.get('cookie_set') else ', no cookie'))
                         if login else obs['errors'].get('login', 'no login')))
    if 'switch_count' in obs:
        entries.append(entry('gax.OBJECTS_PATH', 'GET %s?type=...&brief=false lists full objects as a JSON array'
                             % gax.OBJECTS_PATH, CONFIRMED, '%d switches listed' % obs['switch_count']))
    entries.append(entry('objects.SWITCH_TYPE', 'the switch is a %s found by name' % objects.SWITCH_TYPE,
                         CONFIRMED if obs.get('switch') else CONTRADICTED,
                         ('dbid %s' % _text(obs['switch'].get('dbid'))) if obs.get('switch') else obs['errors'].get('switch')))
    for kind in (objects.DN, objects.AGENT_LOGIN):
        entries.extend(_kind_entries(kind, obs.get(kind.plural)))
    counts = dict((kind.cfg_type, (obs.get(kind.plural) or {}).get('listed')) for kind in (objects.DN, objects.AGENT_LOGIN))
    headers = set()
    for exchange in client.recorder.exchanges:
        headers.update(name.lower() for name in exchange['headers'])
    hint = sorted(h for h in headers if h in ('x-total-count',))
    rounded = sorted(t for t, n in counts.items() if n in ROUND_COUNTS)
    entries.append(entry('gax.listing', 'a listing answers every object (no paging, no cap)',
                         CONTRADICTED if rounded or hint else CONFIRMED if all(n is not None for n in counts.values()) else UNKNOWN,
                         'listed: %s%s%s' % (', '.join('%s %s' % (t, n) for t, n in sorted(counts.items())),
                                             '; round counts look cut: %s' % ', '.join(rounded) if rounded else '',
                                             '; size hint header %s' % ', '.join(hint) if hint else '')))
    folders = dict((kind.cfg_type, _values((obs.get(kind.plural) or {}).get('ours') or [], 'folderid'))
                   for kind in (objects.DN, objects.AGENT_LOGIN))
    entries.append(entry('gax.create_folder', 'a create may leave folderid out (the switch\'s default folder)', UNKNOWN,
                         'only a create shows it; folderid of the inventory\'s objects: %s' % '; '.join(
                             '%s %s' % (t, _shown(c)) for t, c in sorted(folders.items()))))
    entries.append(entry('gax.csrf', 'writes need no CSRF token', UNKNOWN,
                         'only a write shows it; CSRF headers on reads: %s' % (
                             ', '.join(sorted(h for h in headers if 'csrf' in h)) or 'none')))
    entries.append(entry('gax.annex_put', 'a PUT replaces the annex (an option can be removed)', UNKNOWN,
                         'only a write shows it; the field check never writes'))
    entries.append(entry('gax.agent_login_password', 'GAX stores the Agent Login password it is sent', UNKNOWN,
                         'GAX never returns it: no read can tell (docs/compatibility.md)'))
    return entries


# row -> (subject, the entry that judges it, or None and why a read cannot tell)
COMPAT_ROWS = (
    ('G1', '/gax/api/, JSON', 'gax.OBJECTS_PATH', None),
    ('G2', 'POST session/login answers 204 with a cookie', 'gax.LOGIN_PATH', None),
    ('G3', 'a login is real once a read answers', 'gax.OBJECTS_PATH', None),
    ('G4', 'an expired session answers 401', 'gax.expired_session', None),
    ('G5', 'no CSRF or special header', 'gax.csrf', None),
    ('G6', 'listings answer every object, no paging', 'gax.listing', None),
    ('G7', 'POST cfg/objects creates, 200/201', None, 'only a create shows it'),
    ('G8', 'creates carry folderid', 'gax.create_folder', None),
    ('G9', 'PUT of the whole object read with GET', None, 'only an update shows it'),
    ('G10', 'the annex is userproperties.property[{section,key,value}], strings', 'objects.DN.annex', None),
    ('G11', 'a PUT replaces the annex', 'gax.annex_put', None),
    ('G12', 'the Agent Login password key is password, write-only', 'objects.AGENT_LOGIN.login_password', None),
    ('G13', 'the error body format', 'error_body', None),
    ('G14', 'scalars as strings', 'objects.DN.scalars', None),
    ('G15', 'one session may have several requests under way at once', None,
     'only parallel writes show it; the field check never writes'),
)


def compat_entries(entries, obs):
    """``compat.<row>``: each GAX row of docs/compatibility.md, judged by the entry that reads it."""
    by_id = dict((item['id'], item) for item in entries)
    found = []
    for row, subject, source, why in COMPAT_ROWS:
        if source == 'error_body':
            shape = obs.get('no_session') or {}
            status, evidence = UNKNOWN, 'the 4xx without a session came as %s' % (shape.get('content_type') or 'no content type')
        elif source in by_id:
            status, evidence = by_id[source]['status'], '%s: %s' % (source, by_id[source]['evidence'])
        else:
            status, evidence = UNKNOWN, why or 'not read'
        found.append(entry('compat.%s' % row, subject, status, evidence))
    return found


def run(client, switch_name, numbers, login_codes, capture_dir=None, site=None):
    recorder = capture.ReadOnlyRecorder('gax', client.subject, client.masker, allowed_posts=(gax.LOGIN_PATH,))
    recorder.attach(client.http)
    client.recorder = recorder
    obs = observe(client, switch_name, numbers, login_codes)
    options = {}
    for obj in (obs.get('dns') or {}).get('all') or []:
        for section, keys in objects.annex_of(obj).items():
            for key in keys:
                options[objects.option_name(section, key)] = options.get(objects.option_name(section, key), 0) + 1
    entries = judge(obs, client)
    result = {
        'changed': False,
        'site': site,
        'switch': switch_name,
        'dns': dict((number, 'present') for number in (obs.get('dns') or {}).get('present', [])),
        'agent_logins': dict((code, 'present') for code in (obs.get('agent_logins') or {}).get('present', [])),
        'annex_options': options,
        'entries': entries + compat_entries(entries, obs),
        'errors': obs['errors'],
        'requests': [{'method': e['method'], 'path': e['path'], 'status': e['status']} for e in recorder.exchanges],
        'writes': recorder.writes(),
    }
    for kind, wanted in (('dns', numbers), ('agent_logins', login_codes)):
        for key in wanted or []:
            result[kind].setdefault(_text(key), 'absent')
    if capture_dir:
        result['capture'] = capture.write_bundle(capture_dir, 'gax-%s' % (site or switch_name), recorder.bundle({
            'site': site, 'switch': switch_name}))
    return capture.mask_tree(client.masker.mask(result), client.masker)


def run_field_check(params, client=None):
    """The module's entry point: a GAX client from the connection options, then ``run``."""
    client = client if client is not None else gax.GaxClient.from_params(params)
    return run(client, params['switch'], params.get('numbers'), params.get('login_codes'), params.get('capture_dir'),
               params.get('site'))
