# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the Genesys modules do, as plain functions: parameters in, a result dict out.

One call handles one switch: log in, list the switches, list the objects of the kind once, plan
every wanted object against that listing (all input checked before the first write), write only
what differs, re-read the listing once to verify, and report per object. An update re-reads its
object (GET by DBID) right before its PUT and merges this call's delta into that fresh copy, so a
change another run or an operator made since the listing is kept. Requests: 3 when nothing
changes; 4 + c + 2u + d when c objects are created, u updated and d deleted (one write each, a GET
before each update, one shared re-read), plus one CfgFolder listing when c > 0 (creates carry the
switch's default folder); a fault adds its retries, a create refused because the object appeared
meanwhile (a concurrent run made it) adds one listing and, if it differs, an update. Before the first
write a listing that looks cut stops a run that would create; a CSRF 403 is answered once
(client.py; docs/compatibility.md). An option removed by the inventory that the re-read still shows
(a GAX that merges the annex on PUT) costs one PUT and one GET per removal form tried
(``objects.ANNEX_REMOVAL_FORMS``); a replacing GAX asks nothing more.

The writes of one call go out ``concurrency`` at a time (``_write``, ``run_bounded``): the same
requests, in parallel; after the first failure no write starts and those under way finish.

The functions raise ``OperatorError`` subclasses; ``failure_result(exc)`` turns one into what a
module hands to ``fail_json``.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import threading
import traceback

from ansible.module_utils.basic import env_fallback

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import (
    MASK, InputError, OperatorError, RemoteError, SecretMasker, changes_of, diff_of,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import objects
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys.client import GaxClient, NotFound

try:
    import jmespath
except ImportError:
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None

DN = objects.DN
AGENT_LOGIN = objects.AGENT_LOGIN

# Per-object parameters beyond the key and the fields, with their defaults. A value set at the top
# level of a bulk call is the default for each entry that does not set it.
ITEM_DEFAULTS = {'state': 'present', 'options': None, 'purge_options': False, 'update_secrets': 'on_create'}
STATES = ('present', 'absent')
UPDATE_SECRETS = ('on_create', 'on_change', 'always')
CONCURRENCY = 8
"""Writes of one call under way at once (the modules' ``concurrency`` option; 1 = one after another)."""
LEGACY_NAMES = {'update_secrets': 'update_password'}
"""A per-object parameter's name before 0.3.0 (a deprecated alias until 1.0.0), still read."""


def gax_argument_spec():
    """The connection options every Genesys module takes (documented in the genesys doc fragment)."""
    return dict(
        gax_url=dict(type='str', required=True, fallback=(env_fallback, ['GAX_URL'])),
        username=dict(type='str', required=True, fallback=(env_fallback, ['GAX_USERNAME'])),
        password=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['GAX_PASSWORD'])),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path', fallback=(env_fallback, ['GAX_CA_PATH'])),
        timeout=dict(type='int', default=30),
        use_proxy=dict(type='bool', default=False),
    )


def write_argument_spec():
    """The options of the Genesys modules that write (documented in the genesys.writes doc fragment)."""
    return dict(concurrency=dict(type='int', default=CONCURRENCY))


def failure_result(exc):
    """What a module passes to ``fail_json`` for an ``OperatorError`` (with any partial progress)."""
    result = exc.as_result()
    result.update(getattr(exc, 'partial', None) or {})
    return result


def _text(value):
    return '' if value is None else str(value).strip()


def _item_params(kind):
    names = [kind.key_param] + [field.param for field in kind.fields] + ['state', 'options', 'purge_options']
    if any(field.mode == objects.WRITE_ONLY for field in kind.fields):
        names.append('update_secrets')
    return names


def _secret_params(kind):
    return [field.param for field in kind.fields if field.secret]


# --- input ----------------------------------------------------------------------------------------

def _entries(kind, params):
    """The wanted objects, each with every per-object parameter (top-level values as defaults)."""
    names = _item_params(kind)
    items = params.get(kind.plural)
    if items is None:
        if params.get(kind.key_param) is None:
            raise InputError('switch %s' % params.get('switch'), 'neither %s nor %s is given' % (kind.key_param, kind.plural),
                             'give one %s with %s, or a list of them with %s' % (kind.noun, kind.key_param, kind.plural))
        items = [{kind.key_param: params.get(kind.key_param)}]
    elif params.get(kind.key_param) is not None:
        raise InputError('switch %s' % params.get('switch'), '%s and %s are both given' % (kind.key_param, kind.plural),
                         'give one %s with %s, or a list with %s, not both' % (kind.noun, kind.key_param, kind.plural))
    entries = []
    for item in items:
        if not isinstance(item, dict):
            raise InputError('switch %s' % params.get('switch'), 'an entry of %s is not a mapping: %r' % (kind.plural, item),
                             'give each %s as a mapping with at least %s' % (kind.noun, kind.key_param))
        entry = {}
        for name in names:
            value = _given(item, name)
            if value is None and name != kind.key_param:
                value = _given(params, name)
            if value is None:
                value = ITEM_DEFAULTS.get(name)
            entry[name] = value
        entries.append(entry)
    return entries


def _given(mapping, name):
    """``mapping[name]``, else its name before 0.3.0 (a role or caller not yet updated)."""
    value = mapping.get(name)
    if value is None and name in LEGACY_NAMES:
        value = mapping.get(LEGACY_NAMES[name])
    return value


def _check_key(kind, key, where):
    text = '' if key is None else str(key)
    if not text.strip():
        raise InputError('%s in %s' % (kind.noun, where), 'the %s is empty' % kind.key_param,
                         'give every %s its %s' % (kind.noun, kind.key_param))
    if any(char.isspace() for char in text):
        raise InputError('%s %r' % (kind.noun, text), 'the %s contains spaces' % kind.key_param,
                         'write the %s without spaces' % kind.key_param)
    return text


def _want(kind, entry, index, switch):
    """One entry checked and shaped: ``{key, state, fields, options, purge, update_secrets, subject}``."""
    key = _check_key(kind, entry.get(kind.key_param), 'entry %d of %s' % (index + 1, kind.plural))
    subject = '%s %s on switch %s' % (kind.noun, key, switch)
    if entry['state'] not in STATES:
        raise InputError(subject, 'state %r is not one of %s' % (entry['state'], ', '.join(STATES)), 'use present or absent')
    fields = {}
    for field in kind.fields:
        value = entry.get(field.param)
        if value is None or (field.mode == objects.CREATE_ONLY and value == ''):
            continue  # an empty folder (a role's unset default) means GAX's default folder
        if field.param == 'type' and value not in objects.DN_SUBTYPES:
            raise InputError(subject, 'type %r is not one of %s' % (value, ', '.join(sorted(objects.DN_SUBTYPES))),
                             'use extension or acd_position')
        if field.param == 'enabled' and not isinstance(value, bool):
            raise InputError(subject, 'enabled must be true or false, got %r' % (value,), 'write enabled: true or false')
        if field.param in ('name', 'folder', 'login_password') and not isinstance(value, (str, int)):
            raise InputError(subject, '%s must be a string, got %s' % (field.param, type(value).__name__),
                             'quote the %s' % field.param)
        fields[field.param] = value if isinstance(value, bool) else str(value)
    update_secrets = entry.get('update_secrets') or 'on_create'
    if update_secrets not in UPDATE_SECRETS:
        raise InputError(subject, 'update_secrets %r is not one of %s' % (update_secrets, ', '.join(UPDATE_SECRETS)),
                         'use on_create, on_change or always')
    return {
        'key': key, 'subject': subject, 'state': entry['state'], 'fields': fields,
        'options': objects.validate_options(entry.get('options'), subject),
        'purge': bool(entry.get('purge_options')), 'update_secrets': update_secrets,
    }


def _wants(kind, params):
    """Every wanted object, checked; all problems at once, before anything is requested."""
    switch = _text(params.get('switch'))
    if not switch:
        raise InputError('GAX %s' % params.get('gax_url'), 'no switch is given', 'name the switch (CfgSwitch) the objects belong to')
    wants, problems, seen = [], [], {}
    for index, entry in enumerate(_entries(kind, params)):
        try:
            want = _want(kind, entry, index, switch)
        except InputError as exc:
            problems.append(exc)
            continue
        seen[want['key']] = seen.get(want['key'], 0) + 1
        wants.append(want)
    for key, count in sorted(seen.items()):
        if count > 1:
            problems.append(InputError('%s %s on switch %s' % (kind.noun, key, switch),
                                       'listed %d times in one call' % count, 'list each %s once' % kind.noun))
    _raise_all(problems, 'switch %s' % switch)
    return switch, wants


def _raise_all(problems, subject):
    """Raise the one problem found, or one error naming them all."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputError(subject, '%d problems in the input, nothing was changed: %s'
                         % (len(problems), ' | '.join(problem.message for problem in problems)),
                         'fix every entry named above')


def _masker(kind, params):
    return SecretMasker([params.get('password')] + _param_secrets(kind, params))


def _param_secrets(kind, params):
    """Secret values the parameters carry: passwords of objects and secret annex options."""
    values = []
    items = list(params.get(kind.plural) or []) + [params]
    for item in items:
        if not isinstance(item, dict):
            continue
        for param in _secret_params(kind):
            if item.get(param) is not None:
                values.append(str(item[param]))
        options = item.get('options')
        for keys in (options.values() if isinstance(options, dict) else ()):
            for key, value in (keys.items() if isinstance(keys, dict) else ()):
                if objects.is_secret_option(key) and value is not None and value != MASK:
                    try:
                        text = objects.render(value)
                    except TypeError:
                        continue
                    values.extend((text, text.strip()))
    return values


def dn_secrets(params):
    """The secrets in ``genesys_dn`` parameters, for ``AnsibleModule.no_log_values``."""
    return set(_param_secrets(DN, params))


def agent_login_secrets(params):
    """The secrets in ``genesys_agent_login`` parameters, for ``AnsibleModule.no_log_values``."""
    return set(_param_secrets(AGENT_LOGIN, params))


# --- what GAX holds -------------------------------------------------------------------------------

def _switch(client, name):
    """The switch named ``name``, and every switch's name by dbid (for messages)."""
    switches = client.list(objects.SWITCH_TYPE)
    names = dict((_text(switch.get('dbid')), _text(switch.get('name'))) for switch in switches)
    matches = [switch for switch in switches if _text(switch.get('name')) == name]
    if not matches:
        known = sorted(set(known for known in names.values() if known))
        raise InputError('%s switch %s' % (client.subject, name), 'no such switch (CfgSwitch); known: %s' % (', '.join(known) or 'none'),
                         'set switch to one of the known names')
    if len(matches) > 1:
        raise InputError('%s switch %s' % (client.subject, name), '%d switches have this name (dbids %s)'
                         % (len(matches), ', '.join(_text(switch.get('dbid')) for switch in matches)),
                         'rename the extra switches in GAX so the name is unique')
    return matches[0], names


def _index(kind, objs, switch):
    """``{key: [objects]}`` for the objects of one switch."""
    dbid = _text(switch.get('dbid'))
    index = {}
    for obj in objs:
        if _text(obj.get('switchdbid')) == dbid:
            index.setdefault(kind.key_of(obj), []).append(obj)
    return index


def _one(kind, index, key, subject):
    found = index.get(key) or []
    if len(found) > 1:
        raise OperatorError(subject, 'GAX holds %d of them (dbids %s)' % (len(found), ', '.join(_text(obj.get('dbid')) for obj in found)),
                            'delete the extra %s in GAX Administrator, then re-run' % kind.noun)
    return found[0] if found else None


def _display(kind, obj, masker):
    """The object's managed fields and options, keyed the way results and diffs name them."""
    shown = kind.describe(obj)
    for section, keys in objects.annex_of(obj).items():
        for key, value in keys.items():
            if objects.is_secret_option(key):
                masker.add(value)
            shown[objects.option_name(section, key)] = value
    return shown


# --- planning ---------------------------------------------------------------------------------------

def _plan(kind, want, obj, switch, masker):
    """What to do for one wanted object; raises ``InputError`` for a wish that cannot be met."""
    subject = want['subject']
    have = {} if obj is None else _display(kind, obj, masker)
    plan = {'want': want, 'action': 'none', 'changed': {}, 'have': have, 'body': None,
            'dbid': None if obj is None else _text(obj.get('dbid')), 'verify_fields': {}, 'verify_options': {}}
    _check_subtype(kind, want, obj)
    if want['state'] == 'absent':
        if obj is not None:
            plan.update(action='deleted', changed=dict.fromkeys(have))
        return plan
    if obj is None:
        return _plan_create(kind, want, switch, plan)
    body_fields, alongside = {}, []
    for field in kind.fields:
        wanted = want['fields'].get(field.param)
        if wanted is None or field.mode == objects.CREATE_ONLY:
            continue
        if field.mode == objects.WRITE_ONLY:
            if want['update_secrets'] == 'always':
                plan['changed'][field.param] = wanted
                have[field.param] = MASK  # unknowable: GAX never returns it
                body_fields[field.wire] = field.to_wire(wanted)
            elif want['update_secrets'] == 'on_change':
                alongside.append((field, wanted))   # unknowable, so written when the object is written anyway
        elif not field.same(wanted, obj):
            if field.mode == objects.IMMUTABLE:
                raise InputError(subject, 'its %s is %s in GAX and cannot change to %s' % (field.param, have.get(field.param), wanted),
                                 'to replace it, delete it explicitly (state: absent), then create it again (state: present)')
            plan['changed'][field.param] = wanted
            body_fields[field.wire] = field.to_wire(wanted)
            plan['verify_fields'][field.param] = wanted
    after, changed_options = objects.plan_options(want['options'], objects.annex_of(obj), want['purge'], subject)
    for (section, key), value in changed_options.items():
        plan['changed'][objects.option_name(section, key)] = value
    if plan['changed']:
        for field, wanted in alongside:
            plan['changed'][field.param] = wanted
            have[field.param] = MASK
            body_fields[field.wire] = field.to_wire(wanted)
        body = objects.with_annex(obj, after) if changed_options else copy.deepcopy(obj)
        body.update(body_fields)
        plan.update(action='updated', body=body, verify_options=changed_options)
    return plan


def _check_subtype(kind, want, obj):
    """A DN of a type these modules do not manage (a Routing Point with the same number) is neither changed
    nor deleted; a delete that names a type deletes only a DN of that type."""
    if obj is None or kind is not DN:
        return
    if not _manageable(kind, obj):
        raise InputError(want['subject'], 'it is a %s DN; these modules manage only %s DNs, so it is neither '
                         'changed nor deleted' % (_text(obj.get('subtype')), ', '.join(sorted(objects.DN_SUBTYPES))),
                         'remove this number from the DNs given here (or change that DN in GAX Administrator)')
    wanted = want['fields'].get('type')
    if want['state'] == 'absent' and wanted is not None and objects.DN_SUBTYPES[wanted] != _text(obj.get('subtype')):
        have = [word for word, subtype in objects.DN_SUBTYPES.items() if subtype == _text(obj.get('subtype'))][0]
        raise InputError(want['subject'], 'it is an %s, not an %s, so it is not deleted' % (have, wanted),
                         'correct type (or leave it out to delete the DN whatever its managed type)')


def _plan_create(kind, want, switch, plan):
    fields = dict(kind.create_defaults)
    fields.update(want['fields'])
    body = dict(kind.new)
    body[kind.key_wire] = want['key']
    body['switchdbid'] = _text(switch.get('dbid'))
    if switch.get('tenantdbid') is not None:
        body['tenantdbid'] = _text(switch.get('tenantdbid'))
    for param, value in fields.items():
        field = kind.field(param)
        body[field.wire] = field.to_wire(value)
        plan['changed'][param] = value
        if field.mode in (objects.MUTABLE, objects.IMMUTABLE):
            plan['verify_fields'][param] = value
    after, changed_options = objects.plan_options(want['options'], {}, False, want['subject'])
    body['userproperties'] = objects.annex_property_list(after)
    for (section, key), value in changed_options.items():
        plan['changed'][objects.option_name(section, key)] = value
    plan.update(action='created', body=body, verify_options=changed_options)
    return plan


def _check_names(kind, plans, objs, switch, switch_names):
    """A DN name, when set, is unique within the tenant: refuse a plan that would break that.

    In Business Continuity the same number exists on both switches, so the same name on both is
    the likely mistake; the listing already holds every switch's DNs, so this costs no request.
    """
    if not any(field.param == 'name' for field in kind.fields):
        return
    tenant = _text(switch.get('tenantdbid'))
    owners = {}  # dbid (or the key of a DN to create) -> (name, who)
    for obj in objs:
        if not tenant or _text(obj.get('tenantdbid')) in ('', tenant):
            who = '%s %s on switch %s' % (kind.noun, kind.key_of(obj), switch_names.get(_text(obj.get('switchdbid')), '?'))
            owners[_text(obj.get('dbid'))] = (_text(obj.get('name')), who)
    for plan in plans:
        ident = plan['dbid'] or ('new', plan['want']['key'])
        if plan['action'] == 'deleted':
            owners.pop(ident, None)
        elif plan['action'] != 'none' and plan['want']['fields'].get('name') is not None:
            owners[ident] = (_text(plan['want']['fields']['name']), plan['want']['subject'])
    by_name = {}
    for name, who in owners.values():
        if name:
            by_name.setdefault(name, []).append(who)
    problems = []
    for plan in plans:
        name = plan['want']['fields'].get('name')
        if plan['action'] in ('none', 'deleted') or not name or len(by_name.get(_text(name), [])) < 2:
            continue
        others = [who for who in by_name[_text(name)] if who != plan['want']['subject']]
        problems.append(InputError(plan['want']['subject'], 'name %r is also the name of %s' % (name, ', '.join(others)),
                                   'a %s name is unique within the tenant: give each its own name '
                                   '(per site in Business Continuity) or leave name out' % kind.noun))
    _raise_all(problems, 'switch %s' % switch_names.get(_text(switch.get('dbid'))))


# --- writing and verifying ------------------------------------------------------------------------

def _report(kind, plan, masker, switch_name):
    want = plan['want']
    secret_keys = set(_secret_params(kind))
    secret_keys.update(name for name in set(plan['changed']) | set(plan['have'])
                       if '/' in name and objects.is_secret_option(name.split('/', 1)[1]))
    changes = changes_of(plan['changed'], plan['have'], secret_keys=secret_keys, masker=masker)
    entry = {kind.key_param: want['key'], 'action': plan['action'], 'changed': plan['action'] != 'none',
             'changes': changes}
    if plan['dbid']:
        entry['dbid'] = plan['dbid']
    diff = None
    if entry['changed']:
        diff = diff_of(changes, '%s %s on switch %s' % (kind.noun, want['key'], switch_name))
    return entry, diff


def _result(kind, plans, masker, switch_name):
    entries, diffs = [], []
    for plan in plans:
        entry, diff = _report(kind, plan, masker, switch_name)
        entries.append(entry)
        if diff is not None:
            diffs.append(diff)
    result = {'changed': any(entry['changed'] for entry in entries), 'switch': switch_name, kind.plural: entries, 'diff': diffs}
    return masker.mask(result)


def _partial(exc, kind, plans, masker, switch_name, cause):
    """Attach to ``exc`` what was written before it was raised, and say so in its message."""
    exc.partial = _result(kind, plans, masker, switch_name)
    exc.partial.pop('diff', None)
    if plans:
        exc.cause = '%s (%s)' % (exc.cause, cause)
    return exc


def _update(client, kind, plan, switch, masker):
    """PUT the plan's delta merged into the object as GAX holds it now (GET by DBID first).

    The listing may be seconds old: another run or an operator may have changed the object since.
    The plan is made again against the fresh copy, so only this call's delta is written over it;
    when the fresh copy already holds it, nothing is written. Returns whether a PUT was sent.
    """
    want = plan['want']
    try:
        fresh = client.read(kind.cfg_type, plan['dbid'])
    except NotFound:
        raise OperatorError('%s %s' % (client.subject, want['subject']),
                            'it was deleted from GAX (DBID %s) after this call listed it: another run or an operator '
                            'removed it meanwhile' % plan['dbid'],
                            're-run to create it again, or find out who deletes it')
    _same_place(client, kind, want, fresh, switch, plan['dbid'])
    again = _plan(kind, want, fresh, switch, masker)
    plan.update(verify_fields=again['verify_fields'], verify_options=again['verify_options'])
    if again['action'] == 'none':
        return False
    client.update(kind.cfg_type, plan['dbid'], again['body'])
    return True


def _same_place(client, kind, want, fresh, switch, dbid):
    """The object read back before an update is still the one planned: on the switch (and tenant) asked and
    with its key; else another run or an operator moved or renumbered it since the listing."""
    moved = []
    if _text(fresh.get('switchdbid')) != _text(switch.get('dbid')):
        moved.append('it is now on switch DBID %s, not %s (DBID %s)'
                     % (_text(fresh.get('switchdbid')), _text(switch.get('name')), _text(switch.get('dbid'))))
    if fresh.get('tenantdbid') is not None and switch.get('tenantdbid') is not None \
            and _text(fresh.get('tenantdbid')) != _text(switch.get('tenantdbid')):
        moved.append('it now belongs to tenant DBID %s, the switch to tenant DBID %s'
                     % (_text(fresh.get('tenantdbid')), _text(switch.get('tenantdbid'))))
    if kind.key_of(fresh) != want['key']:
        moved.append('its %s is now %s' % (kind.key_param, kind.key_of(fresh)))
    if moved:
        raise OperatorError('%s %s' % (client.subject, want['subject']),
                            'GAX changed it (DBID %s) after this call listed it: %s; nothing was written to it'
                            % (dbid, '; '.join(moved)),
                            're-run (it then works on what GAX holds), or find out who moves it')


def _create(client, kind, plan, switch, masker):
    """POST the new object; if GAX refuses it because it exists by now (a concurrent run created
    it, or a create whose answer was lost), take that object and update it instead."""
    want = plan['want']

    def find(key=want['key'], subject=want['subject']):
        return _one(kind, _index(kind, client.list(kind.cfg_type, switch.get('dbid')), switch), key, subject)
    if not plan['body'].get('folderid'):
        # Creates carry folderid, as every public client's do: the switch's default folder for the type.
        folder = client.default_folder(kind.cfg_type, _text(switch.get('dbid')))
        if folder:
            plan['body']['folderid'] = folder
    try:
        answer = client.create(plan['body'], find)
    except RemoteError as exc:
        if exc.transient or exc.status is None or not 400 <= exc.status < 500:
            raise
        found = find()  # one look: a uniqueness violation by an object that appeared meanwhile?
        if found is None:
            raise
        plan['dbid'] = _text(found.get('dbid'))
        again = _plan(kind, want, found, switch, masker)
        plan.update(verify_fields=again['verify_fields'], verify_options=again['verify_options'])
        if again['action'] != 'none':
            plan['action'] = 'updated'
            _update(client, kind, plan, switch, masker)
        return
    if answer and _text(answer.get('dbid')):
        plan['dbid'] = _text(answer.get('dbid'))


def run_bounded(jobs, work, concurrency):
    """Call ``work(job)`` for each job, started in order, at most ``concurrency`` at once (1: one after
    another, in this thread). After the first failure no job starts; those under way finish.

    Returns ``(done, failed)``: the indexes of the jobs that returned, in job order, and
    ``[(index, exception)]`` of those that raised, in job order.
    """
    jobs = list(jobs)
    done, failed = [], []
    if concurrency <= 1 or len(jobs) <= 1:
        for index, job in enumerate(jobs):
            try:
                work(job)
            except Exception as exc:  # pylint: disable=broad-except
                failed.append((index, exc))
                break
            done.append(index)
        return done, failed
    lock = threading.Lock()
    pending = iter(enumerate(jobs))

    def worker():
        while True:
            with lock:
                if failed:
                    return
                index, job = next(pending, (None, None))
            if index is None:
                return
            try:
                work(job)
            except Exception as exc:  # pylint: disable=broad-except
                with lock:
                    failed.append((index, exc))
                return
            with lock:
                done.append(index)
    threads = [threading.Thread(target=worker, name='gax-write-%d' % number)
               for number in range(min(concurrency, len(jobs)))]
    for thread in threads:
        thread.daemon = True   # an interrupted run does not wait for them
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(done), sorted(failed, key=lambda failure: failure[0])


def _concurrency(params):
    value = params.get('concurrency')
    if value is None:
        return CONCURRENCY
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError('switch %s' % params.get('switch'), 'concurrency must be a whole number of 1 or more, got %r'
                         % (value,), 'give concurrency: 1 to write one object after another, or more (default %d)'
                         % CONCURRENCY)
    return value


def _write(client, kind, plans, switch, done, masker=None, concurrency=1):
    """Carry out the plans, ``concurrency`` at a time, appending each one written to ``done`` in plan
    order; the first failure (in plan order) is raised once the writes under way have finished, so
    ``done`` names exactly what was written."""
    masker = masker or client.masker
    todo = [plan for plan in plans if plan['action'] in ('created', 'updated', 'deleted')]

    def write(plan):
        action, want = plan['action'], plan['want']
        try:
            if action == 'created':
                _create(client, kind, plan, switch, masker)
            elif action == 'updated':
                _update(client, kind, plan, switch, masker)
            else:
                client.delete(kind.cfg_type, plan['dbid'])
        except OperatorError as exc:
            # Name the object the request was about, not only the server.
            if want['subject'] not in exc.subject:
                exc.subject = '%s %s' % (exc.subject, want['subject'])
            exc.cause = 'the %s failed: %s' % (action[:-1], exc.cause)
            raise
    if concurrency > 1:
        client.parallel(min(concurrency, len(todo)))
    written, failed = run_bounded(todo, write, concurrency)
    done.extend(todo[index] for index in written)
    if failed:
        raise failed[0][1]


def _verify(client, kind, written, switch):
    """Re-read the listing once; name every object GAX did not keep as written."""
    index = _index(kind, client.list(kind.cfg_type), switch)
    problems = []
    for plan in written:
        want = plan['want']
        found = index.get(want['key']) or []
        if plan['action'] == 'deleted':
            if found:
                problems.append('%s %s is still there after its delete' % (kind.noun, want['key']))
            continue
        if len(found) != 1:
            problems.append('%s %s: the re-read shows %d of it after the %s' % (
                kind.noun, want['key'], len(found), 'create' if plan['action'] == 'created' else 'update'))
            continue
        obj = found[0]
        plan['dbid'] = _text(obj.get('dbid')) or plan['dbid']
        wrong = []
        for param, value in sorted(plan['verify_fields'].items()):
            field = kind.field(param)
            if not field.same(value, obj):
                wrong.append('%s %s not kept (reads %r)' % (param, value, field.from_wire(obj.get(field.wire))))
        kept = []
        for name, value, read in objects.unkept_options(plan['verify_options'], obj):
            if value is None:
                kept.append((tuple(name.split('/', 1)), read))   # a merging GAX: _remove_kept tries its forms
            else:
                wrong.append('%s=%s not kept (reads %r)' % (name, value, read))
        if kept:
            plan.update(kept_removed=kept, reread=obj)
        if wrong:
            problems.append('%s %s: %s' % (kind.noun, want['key'], ', '.join(wrong)))
    return problems


def _remove_kept(client, kind, written):
    """Issue 15 item 14: options the inventory removed that the re-read still shows (a GAX that merges
    the annex on PUT) are removed in the forms of ``objects.ANNEX_REMOVAL_FORMS``, in order, one PUT and
    one GET each, until one works (the next object tries that one first). Returns a problem per object
    still holding one. Nothing is asked when every removal held (a replacing GAX)."""
    forms = [form for form, dummy in objects.ANNEX_REMOVAL_FORMS]
    problems = []
    for plan in written:
        kept = plan.pop('kept_removed', None)
        obj = plan.pop('reread', None)
        if not kept:
            continue
        removing = [ident for ident, dummy in kept]
        for form in list(forms):
            try:
                client.update(kind.cfg_type, plan['dbid'], objects.annex_removal_body(form, obj, removing))
            except RemoteError as exc:
                if exc.transient or exc.status is None or not 400 <= exc.status < 500:
                    raise
                continue   # this GAX refuses the form: the next one
            obj = client.read(kind.cfg_type, plan['dbid'])
            annex = objects.annex_of(obj)
            removing = [ident for ident in removing if annex.get(ident[0], {}).get(ident[1]) is not None]
            if not removing:
                forms.remove(form)
                forms.insert(0, form)
                break
        if removing:
            annex = objects.annex_of(obj)
            problems.append('%s %s: %s' % (kind.noun, plan['want']['key'], ', '.join(
                '%s still set (to %r) after its removal (now reads %r)'
                % (objects.option_name(*ident), read, annex.get(ident[0], {}).get(ident[1]))
                for ident, read in kept if ident in removing)))
    return problems


def _client(params, masker, client):
    """The run's one GAX session (a caller may bring its own), holding every secret of the run."""
    if client is None:
        return GaxClient.from_params(params, masker)
    for value in masker.values:
        client.masker.add(value)
    return client


def _apply(kind, params, check_mode, client):
    switch_name, wants = _wants(kind, params)
    concurrency = _concurrency(params)
    client = _client(params, _masker(kind, params), client)
    masker = client.masker
    switch, switch_names = _switch(client, switch_name)
    objs = client.list(kind.cfg_type, switch.get('dbid'))
    index = _index(kind, objs, switch)
    plans, problems = [], []
    for want in wants:
        try:
            plans.append(_plan(kind, want, _one(kind, index, want['key'], want['subject']), switch, masker))
        except InputError as exc:
            problems.append(exc)
    _raise_all(problems, 'switch %s' % switch_name)
    _check_names(kind, plans, objs, switch, switch_names)
    if check_mode:
        return _result(kind, plans, masker, switch_name)
    _before_writes(client, kind, plans, switch_name)
    written = []
    try:
        _write(client, kind, plans, switch, written, concurrency=concurrency)
    except OperatorError as exc:
        raise _partial(exc, kind, written, masker, switch_name,
                       'written before this failure: %s; re-run once the cause is fixed, nothing is written twice'
                       % ', '.join(plan['want']['key'] for plan in written))
    if written:
        problems = _verify(client, kind, written, switch)
        removals = _remove_kept(client, kind, written)
        if removals:
            raise _partial(RemoteError(
                '%s switch %s' % (client.subject, switch_name),
                'the re-read after writing shows options the inventory removed still set: %s; assumed: this GAX '
                'seems to merge the annex on PUT (keeping options a PUT leaves out) and to offer no way to remove '
                'one: none of the removal forms tried (%s) removed it%s' % (
                    masker.text('; '.join(removals)), '; '.join(text for dummy, text in objects.ANNEX_REMOVAL_FORMS),
                    masker.text('; also not kept: %s' % '; '.join(problems)) if problems else ''),
                'remove these options in GAX Administrator (the object\'s Annex tab), then re-run; if this GAX removes '
                'annex options some other way, add that form to ANNEX_REMOVAL_FORMS in '
                'plugins/module_utils/genesys/objects.py'), kind, written, masker, switch_name, 'all other writes done')
        if problems:
            raise _partial(RemoteError(
                '%s switch %s' % (client.subject, switch_name),
                'the re-read after writing shows what GAX did not keep: %s' % masker.text('; '.join(problems)),
                'GAX may merge the annex on update (keeping options left out) or rewrite values; '
                'fix these objects in GAX Administrator, then re-run'), kind, written, masker, switch_name, 'all writes done')
    result = _result(kind, plans, masker, switch_name)
    unverified = [plan['want']['key'] for plan in written if 'login_password' in plan['changed']]
    if unverified:
        # Issue 15 item 10: say so; the lab's agent_login_password: drop shows a GAX that ignores it.
        result['password_unverified'] = unverified
        result.setdefault('warnings', []).append(
            '%s %s: %s' % (kind.noun, ', '.join(unverified), objects.PASSWORD_UNVERIFIABLE))
    return result


def _before_writes(client, kind, plans, switch_name):
    """Before the first write: a listing that looks cut stops a run that would create (a duplicate of
    an object the listing left out), and the session is proven with a read."""
    if not any(plan['action'] != 'none' for plan in plans):
        return
    creates = [plan['want']['key'] for plan in plans if plan['action'] == 'created']
    cut = client.cut_lists.get(kind.cfg_type)
    if creates and cut:
        raise OperatorError('%s switch %s' % (client.subject, switch_name),
                            'the listing of %s objects looks cut: %s; creating %s might duplicate an object it left '
                            'out, so nothing was written' % (kind.cfg_type, cut, ', '.join(creates)),
                            'check the switch in GAX Administrator (how many %s it has); if GAX caps its lists, raise '
                            'the cap, or correct LIST_* in plugins/module_utils/genesys/objects.py' % kind.cfg_type)
    client.confirm_session()


def run_dn(params, check_mode=False, client=None):
    """``genesys_dn``: create, update or delete DNs on one switch; returns the module result."""
    return _apply(DN, params, check_mode, client)


def run_agent_login(params, check_mode=False, client=None):
    """``genesys_agent_login``: the same for Agent Logins."""
    return _apply(AGENT_LOGIN, params, check_mode, client)


# --- reading ----------------------------------------------------------------------------------------

def _info_entry(kind, obj):
    entry = {kind.key_param: kind.key_of(obj), 'state': 'present'}
    for param, value in kind.describe(obj).items():
        if kind.field(param).mode != objects.CREATE_ONLY:
            entry[param] = value
    options = objects.annex_of(obj)
    for keys in options.values():
        for key in keys:
            if objects.is_secret_option(key):
                keys[key] = MASK
    entry['options'] = options
    return entry


def _manageable(kind, obj):
    if kind is not DN:
        return True
    return _text(obj.get('subtype')) in objects.DN_SUBTYPES.values()


def _info(kind, params, keys_param, client):
    switch_name = _text(params.get('switch'))
    if not switch_name:
        raise InputError('GAX %s' % params.get('gax_url'), 'no switch is given', 'name the switch (CfgSwitch) to read')
    keys = []
    for index, key in enumerate(params.get(keys_param) or []):
        key = _check_key(kind, key, 'entry %d of %s' % (index + 1, keys_param))
        if key not in keys:
            keys.append(key)
    query = params.get('query')
    if query:
        if not HAS_JMESPATH:
            raise InputError('query %s' % query, 'the Python library jmespath is not installed',
                             'install jmespath on the host that runs the module, or leave query out')
        try:
            query = jmespath.compile(query)
        except jmespath.exceptions.JMESPathError as exc:
            raise InputError('query %r' % params.get('query'), 'not a valid JMESPath expression (%s)' % exc,
                             'fix the expression, for example %s[?enabled]' % kind.plural)
    client = _client(params, _masker(kind, params), client)
    masker = client.masker
    switch = _switch(client, switch_name)[0]
    index = _index(kind, client.list(kind.cfg_type), switch)
    for found in index.values():
        for obj in found:
            _display(kind, obj, masker)  # learn the secrets, so nothing else can show them
    entries = []
    if keys:
        for key in keys:
            subject = '%s %s on switch %s' % (kind.noun, key, switch_name)
            obj = _one(kind, index, key, subject)
            if obj is None:
                entries.append({kind.key_param: key, 'state': 'absent'})
            elif not _manageable(kind, obj):
                raise InputError(subject, 'it is a %s DN, which these modules do not manage' % _text(obj.get('subtype')),
                                 'ask only for %s DNs' % ' or '.join(sorted(objects.DN_SUBTYPES)))
            else:
                entries.append(_info_entry(kind, obj))
    else:
        for found in index.values():
            entries.extend(_info_entry(kind, obj) for obj in found if _manageable(kind, obj))
    result = masker.mask({'changed': False, 'switch': switch_name, kind.plural: entries})
    if query:
        result['query_result'] = query.search({'switch': switch_name, kind.plural: result[kind.plural]})
    return result


def run_dn_info(params, client=None):
    """``genesys_dn_info``: the switch's DNs (all, or the numbers asked), as ``genesys_dn`` input."""
    return _info(DN, params, 'numbers', client)


def run_agent_login_info(params, client=None):
    """``genesys_agent_login_info``: the switch's Agent Logins, as ``genesys_agent_login`` input."""
    return _info(AGENT_LOGIN, params, 'login_codes', client)


def read_switch(params, client=None):
    """Every Extension and ACD Position DN and every Agent Logins of one switch, secrets in clear,
    for the controller-side export (plugins/action/inventory_export.py), which writes them to a vault
    file only: ``({'dns': [...], 'agent_logins': [...]}, masker)``; the masker knows every secret read."""
    switch_name = _text(params.get('switch'))
    client = _client(params, _masker(DN, params), client)
    switch = _switch(client, switch_name)[0]
    read = {}
    for kind in (DN, AGENT_LOGIN):
        entries = []
        for found in _index(kind, client.list(kind.cfg_type), switch).values():
            for obj in found:
                if not _manageable(kind, obj):
                    continue
                _display(kind, obj, client.masker)   # learns the secrets
                entry = {kind.key_param: kind.key_of(obj)}
                entry.update(kind.describe(obj))
                entry['options'] = objects.annex_of(obj)
                entries.append(entry)
        read[kind.plural] = entries
    return read, client.masker
