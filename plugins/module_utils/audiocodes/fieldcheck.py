# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The field check of one phone: read every page the collection uses, judge every assumption.

Read-only by construction: the client's session is wrapped by ``capture.ReadOnlyRecorder``, which
refuses any request other than GET/HEAD and the POST of the login before it leaves the machine.
``observe`` gathers what the pages show (``observations``), ``judge`` turns them into one entry
``{id, subject, status, evidence}`` per entry of ``pages.py`` and per behaviour of
docs/compatibility.md. Keys the deployment would write are judged on the controller
(plugins/filter/field_check.py), from the list of keys returned here.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import re

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils import capture
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import keys, pages, scrape
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.cfgfile import ConfigFile

CONFIRMED, CONTRADICTED, UNKNOWN = 'confirmed', 'contradicted', 'unknown'
USER_AGENT_PATH = '/configuration/user_agent.txt'
# A download missing more than this share of the key table's keys lists only modified keys.
MODIFIED_ONLY_SHARE = 0.25
_VERSION = re.compile(r'\d+(?:\.\d+)+')
_VARIANT = re.compile(r'\(variant (\w+)=(\w+)')
_TITLE = re.compile(r'<title>([^<]*)</title>', re.I)


def entry(ident, subject, status, evidence):
    return {'id': ident, 'subject': subject, 'status': status, 'evidence': evidence}


def _short(text, limit=160):
    text = ' '.join(str(text or '').split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


# --- observing ------------------------------------------------------------------------------------

def _get(client, path, masker):
    """GET ``path`` within the session; ``(response or None, error text or None)``."""
    try:
        return client.request('GET', path), None
    except OperatorError as exc:
        return None, masker.text(exc.message if hasattr(exc, 'message') else str(exc))


def _unauthenticated(client, path):
    """What the phone answers without a session (the shape of an expired session)."""
    try:
        response = client.http.request('GET', client._local(path), allow_redirects=False, timeout=client.timeout)
    except Exception as exc:  # pylint: disable=broad-except
        return {'error': exc.__class__.__name__}
    text = response.text or ''
    title = _TITLE.search(text)
    return {
        'status': response.status_code,
        'location': response.headers.get('Location'),
        'www_authenticate': (response.headers.get('WWW-Authenticate') or '').split(' ', 1)[0] or None,
        'login_form': bool(re.search(pages.LOGIN_PAGE_PATTERNS[0], text, re.I)),
        'login_markers': scrape.looks_like_login_page(text),
        'title': _short(title.group(1), 60) if title else None,
    }


def _form_view(form):
    return {'name': form.name, 'action': urlsplit(form.action).path, 'method': form.method,
            'fields': form.field_names(), 'file_field': form.file_field}


def _selects(text):
    """``{name: {'options': {value: label}, 'selected': value or None}}`` of a page's selects."""
    found = {}
    document = scrape._document(text)
    if document is None:
        return found
    for select in document.iter('select'):
        name = select.get('name')
        if not name:
            continue
        options, selected = {}, None
        for option in select.iter('option'):
            value = option.get('value')
            value = value if value is not None else (option.text or '').strip()
            options[value] = _short(option.text_content(), 40)
            if option.get('selected') is not None:
                selected = value
        found[name] = {'options': options, 'selected': selected}
    return found


def _inputs(text):
    """``{name: {'type', 'value' (None when the markup has none), 'maxlength'}}`` of a page's inputs."""
    found = {}
    document = scrape._document(text)
    if document is None:
        return found
    for element in document.iter('input'):
        name = element.get('name')
        if name:
            found[name] = {'type': (element.get('type') or 'text').lower(), 'value': element.get('value'),
                           'maxlength': element.get('maxlength')}
    return found


def _secret_display(value):
    if value is None:
        return 'omitted'
    value = value.strip()
    if not value:
        return 'empty'
    if keys.is_encrypted(value):
        return 'encrypted'
    if set(value) == {'*'}:
        return 'stars'
    return 'clear'


def _enum_spelling(value):
    value = (value or '').strip()
    if not value:
        return None
    if value.isdigit():
        return 'number'
    if value.isupper():
        return 'upper'
    if value.islower():
        return 'lower'
    return 'mixed'


def observe(client, masker):
    """Every read of the field check, in the order a browser would; returns the observations."""
    obs = {'errors': {}}
    obs['root'] = _unauthenticated(client, pages.ROOT_PATH)
    obs['no_session'] = _unauthenticated(client, pages.page_path(pages.INFO_PAGE))
    try:
        client.login()
        obs['auth'] = client.auth
    except OperatorError as exc:
        obs['auth'] = None
        obs['errors']['login'] = masker.text(exc.message)
        return obs
    for name, attribute in ((pages.INFO_PAGE, 'info'), (pages.NETWORK_STATUS_PAGE, 'network'),
                            (pages.CONFIG_PAGE, 'manu_config'), (pages.AUTO_PROVISION_PAGE, 'auto_provision'),
                            (pages.REBOOT_PAGE, 'reboot')):
        response, error = _get(client, pages.page_path(name), masker)
        if error:
            obs['errors'][attribute] = error
            continue
        text = scrape.page_text(response) if name == pages.INFO_PAGE else response.text
        obs[attribute] = {'status': response.status_code, 'text': text, 'url': response.url,
                          'login_page': scrape.looks_like_login_page(text)}
    manu = obs.get('manu_config')
    if manu:
        link = scrape.find_config_link(manu['text'], manu['url'])
        manu['link'] = link
        if link:
            response, error = _get(client, link, masker)
            if error:
                obs['errors']['config_file'] = error
            else:
                obs['config_file'] = {'status': response.status_code, 'name': urlsplit(link).path.rsplit('/', 1)[-1],
                                      'html': scrape.looks_like_html(response.text),
                                      'config': ConfigFile.from_bytes(response.content)}
    response, error = _get(client, pages.STATUS_PATH, masker)
    if error:
        obs['errors']['status'] = error
    else:
        obs['status'] = {'status': response.status_code, 'text': response.text,
                         'lines': scrape.parse_status(response.text)}
    response, error = _get(client, USER_AGENT_PATH, masker)
    if error and '404' in error:
        obs['user_agent'] = None        # absent, as on most builds
    elif error:
        obs['errors']['user_agent'] = error
    elif response.status_code == 200 and not scrape.looks_like_html(response.text):
        obs['user_agent'] = _short(response.text, 200)
    else:
        obs['user_agent'] = None
    return obs


# --- judging pages.py -----------------------------------------------------------------------------

def _page_ok(obs, attribute):
    page = obs.get(attribute)
    if not page:
        return CONTRADICTED, 'not read: %s' % obs['errors'].get(attribute, 'no answer')
    if page['status'] != 200 or page['login_page']:
        return CONTRADICTED, 'HTTP %d%s' % (page['status'], ', the login page' if page['login_page'] else '')
    return CONFIRMED, 'HTTP 200, %d bytes' % len(page['text'])


def _login_entry(obs):
    auth = obs.get('auth')
    if auth == 'cookie':
        return CONFIRMED, 'POST %s answered the success marker and set a session cookie' % pages.LOGIN_PATH
    if auth in ('basic', 'digest'):
        return CONTRADICTED, '%s gave no cookie login; the phone takes HTTP %s on every request' % (
            pages.LOGIN_PATH, auth.capitalize())
    return CONTRADICTED, 'login failed: %s' % obs['errors'].get('login', '?')


def _info_labels(obs, labels):
    page = obs.get('info')
    if not page:
        return UNKNOWN, 'info.htm not read'
    pairs = scrape.label_values(page['text'])
    seen = [label for label, dummy in pairs][:20]
    value = scrape.pick(pairs, labels)
    if value:
        return CONFIRMED, 'label found, value %s' % _short(value, 40)
    return CONTRADICTED, 'none of its labels on info.htm; labels seen: %s' % (', '.join(seen) or 'none')


def _status_tags(obs):
    status = obs.get('status') or {}
    tags = set()
    attributes = set()
    for match in re.finditer(r'<(\w+)([^>]*)>', status.get('text') or ''):
        tags.add(match.group(1))
        if match.group(1).lower() == pages.STATUS_LINE_TAG.lower():
            attributes.update(re.findall(r'(\w+)\s*=', match.group(2)))
    return tags, attributes


def _pages_checks(obs):
    """``{pages entry name: (status, evidence)}`` for the entries a read can judge."""
    checks = {}
    login = _login_entry(obs)
    for name in ('LOGIN_PATH', 'LOGIN_USER_FIELD', 'LOGIN_PASSWORD_FIELD', 'LOGIN_OK_MARKER', 'SESSION_COOKIE'):
        checks[name] = login
    checks['LOGIN_FAILED_MARKER'] = (UNKNOWN, 'the field check never tries a wrong password')
    shape = obs.get('no_session') or {}
    if shape.get('status') == 200 and shape.get('login_markers'):
        checks['LOGIN_PAGE_PATTERNS'] = (CONFIRMED, 'info.htm without a session: HTTP 200, the login page (%s)' % (
            'login form' if shape.get('login_form') else 'title %s' % shape.get('title')))
    else:
        checks['LOGIN_PAGE_PATTERNS'] = (CONTRADICTED, 'info.htm without a session: HTTP %s%s%s%s' % (
            shape.get('status'), ' to %s' % shape['location'] if shape.get('location') else '',
            ' WWW-Authenticate %s' % shape['www_authenticate'] if shape.get('www_authenticate') else '',
            ', title %s' % shape['title'] if shape.get('title') else ''))
    redirect = shape.get('location')
    if redirect:
        path = urlsplit(redirect).path
        checks['LOGIN_REDIRECT_PATHS'] = ((CONFIRMED if any(path.endswith(p) for p in getattr(pages, 'LOGIN_REDIRECT_PATHS', ()))
                                           else CONTRADICTED), 'an expired session is sent to %s' % path)
    root = obs.get('root') or {}
    checks['ROOT_PATH'] = ((CONFIRMED, 'HTTP %s without a session' % root.get('status')) if root.get('status')
                           else (CONTRADICTED, 'no answer (%s)' % root.get('error')))
    checks['PAGE_PREFIX'] = _page_ok(obs, 'info')
    checks['INFO_PAGE'] = _page_ok(obs, 'info')
    checks['INFO_MODEL_LABELS'] = _info_labels(obs, pages.INFO_MODEL_LABELS)
    checks['INFO_FIRMWARE_LABELS'] = _info_labels(obs, pages.INFO_FIRMWARE_LABELS)
    checks['INFO_MAC_LABELS'] = _info_labels(obs, pages.INFO_MAC_LABELS)
    checks['NETWORK_STATUS_PAGE'] = _page_ok(obs, 'network')
    network = obs.get('network')
    mac = scrape.find_mac(network['text']) if network else None
    checks['MAC_PATTERN'] = (CONFIRMED, 'network_status.htm shows %s' % mac) if mac else (
        CONTRADICTED if network else UNKNOWN, 'no MAC address on network_status.htm')
    checks['CONFIG_PAGE'] = _page_ok(obs, 'manu_config')
    manu = obs.get('manu_config') or {}
    link = manu.get('link')
    if link:
        in_attribute = r'(?:%s)\s*=\s*["\'][^"\']*\.cfg' % '|'.join(pages.CONFIG_LINK_ATTRIBUTES)
        how = 'an attribute' if re.search(in_attribute, manu['text'], re.I) else 'a script'
        checks['CONFIG_LINK_ATTRIBUTES'] = (CONFIRMED, 'link %s found in %s' % (urlsplit(link).path, how))
        checks['CONFIG_LINK_PATTERN'] = checks['CONFIG_LINK_ATTRIBUTES']
        name_model, name_mac = scrape.config_name_parts(link)
        checks['CONFIG_NAME_PATTERN'] = ((CONFIRMED, 'file %s: model %s, MAC %s' % (
            urlsplit(link).path.rsplit('/', 1)[-1], name_model, name_mac)) if name_model
            else (CONTRADICTED, 'file %s is not named <model>_<mac>.cfg' % urlsplit(link).path))
    elif manu:
        checks['CONFIG_LINK_ATTRIBUTES'] = (CONTRADICTED, 'manu_config.htm shows no .cfg link')
        checks['CONFIG_LINK_PATTERN'] = checks['CONFIG_LINK_ATTRIBUTES']
    if manu:
        form = scrape.find_upload_form(manu['text'], manu['url'])
        forms = [_form_view(f) for f in scrape.forms(manu['text'], manu['url'])]
        checks['UPLOAD_FORM_HINTS'] = ((CONFIRMED, 'upload form: action %s, file field %s, fields %s' % (
            urlsplit(form.action).path, form.file_field, ', '.join(form.field_names())))
            if form else (CONTRADICTED, 'no configuration upload form; forms: %s' % (
                '; '.join('%s %s' % (f['name'] or '-', f['action']) for f in forms) or 'none')))
        checks['UPLOAD_FORM_AVOID'] = checks['UPLOAD_FORM_HINTS']
    checks['UPLOAD_CONTENT_TYPE'] = (UNKNOWN, 'seen only on an upload, which the field check never sends')
    checks['REBOOT_PAGE'] = _page_ok(obs, 'reboot')
    reboot = obs.get('reboot')
    if reboot:
        with_field = [f for f in scrape.forms(reboot['text'], reboot['url']) if pages.REBOOT_FIELD in f.field_names()]
        checks['REBOOT_FIELD'] = ((CONFIRMED, 'form %s has %s' % (with_field[0].name, pages.REBOOT_FIELD)) if with_field
                                  else (CONTRADICTED, 'no form of reboot.htm has a field %s' % pages.REBOOT_FIELD))
    checks['REBOOT_VALUE'] = (UNKNOWN, 'seen only on a restart, which the field check never asks for')
    status = obs.get('status')
    if status is None:
        checks['STATUS_PATH'] = (CONTRADICTED, 'not read: %s' % obs['errors'].get('status'))
    elif status['lines'] is None:
        checks['STATUS_PATH'] = (CONTRADICTED, 'HTTP %d, not XML' % status['status'])
    else:
        tags, attributes = _status_tags(obs)
        states = sorted(set(line['state'] or '' for line in status['lines']))
        checks['STATUS_PATH'] = (CONFIRMED, 'XML with %d line(s)' % len(status['lines']))
        checks['STATUS_LINE_TAG'] = ((CONFIRMED if pages.STATUS_LINE_TAG in tags else CONTRADICTED),
                                     'elements: %s' % ', '.join(sorted(tags)))
        checks['STATUS_REGISTRATION_TAG'] = ((CONFIRMED if pages.STATUS_REGISTRATION_TAG in tags else CONTRADICTED),
                                             'states seen: %s' % (', '.join(states) or 'none'))
        checks['STATUS_REGISTERED_VALUE'] = ((CONFIRMED if pages.STATUS_REGISTERED_VALUE in states else UNKNOWN),
                                             'states seen: %s' % (', '.join(states) or 'none'))
        server = [tag for tag in pages.STATUS_SERVER_TAGS if tag in tags]
        checks['STATUS_SERVER_TAGS'] = ((CONFIRMED, 'server element %s' % server[0]) if server
                                        else (UNKNOWN, 'no server element (no line registered?)'))
        used = [name for name in pages.STATUS_INDEX_ATTRIBUTES if name in attributes]
        checks['STATUS_INDEX_ATTRIBUTES'] = ((CONFIRMED, 'Line attribute %s' % used[0]) if used else (
            UNKNOWN, 'Line has no index attribute; children: %s' % (
                ', '.join(t for t in ('LineNum', 'UserId') if t in tags) or 'none (lines by position)')))
    auto = obs.get('auto_provision')
    checks['AUTO_PROVISION_PAGE'] = _page_ok(obs, 'auto_provision')
    if auto:
        fields = set(_inputs(auto['text'])) | set(_selects(auto['text']))
        for name in ('PROVISIONING_METHOD_FIELD', 'PROVISIONING_CONFIG_URL_FIELD', 'PROVISIONING_FIRMWARE_URL_FIELD',
                     'PROVISIONING_PERIOD_FIELD'):
            field = getattr(pages, name, None)
            if field:
                checks[name] = ((CONFIRMED, 'field %s on the page' % field) if field in fields
                                else (CONTRADICTED, 'no field %s; fields: %s' % (field, ', '.join(sorted(fields)))))
        selects = _selects(auto['text'])
        for name, field in (('PROVISIONING_METHODS', pages.PROVISIONING_METHOD_FIELD),
                            ('PROVISIONING_PERIODS', pages.PROVISIONING_PERIOD_FIELD)):
            options = (selects.get(field) or {}).get('options') or {}
            wanted = getattr(pages, name)
            missing = sorted(value for value in wanted.values() if value not in options)
            seen = ', '.join('%s=%s' % item for item in sorted(options.items()))
            checks[name] = ((CONFIRMED if not missing else CONTRADICTED) if options else UNKNOWN,
                            ('options %s' % seen) if options else 'no options rendered for %s' % field)
        url_input = _inputs(auto['text']).get(pages.PROVISIONING_CONFIG_URL_FIELD) or {}
        limit = url_input.get('maxlength')
        checks['PROVISIONING_URL_MAX'] = ((CONFIRMED if limit == str(pages.PROVISIONING_URL_MAX) else CONTRADICTED,
                                           '%s maxlength %s' % (pages.PROVISIONING_CONFIG_URL_FIELD, limit)) if limit
                                          else (UNKNOWN, 'the page sets no maxlength'))
    config = (obs.get('config_file') or {}).get('config')
    if config is not None and auto:
        checks['AUTO_PROVISION_KEYS'] = _auto_provision_keys(auto['text'], config.values())
    if config is not None and getattr(pages, 'PROVISIONING_KEY_PREFIX', None):
        listed = [key for key in config.values() if key.startswith(pages.PROVISIONING_KEY_PREFIX)]
        checks['PROVISIONING_KEY_PREFIX'] = ((CONFIRMED, '%d keys under it in the download' % len(listed)) if listed
                                             else (UNKNOWN, 'no key under it in the download'))
    if config is not None:
        checks['SIP_PORT_KEY'] = ((CONFIRMED, 'in the download') if pages.SIP_PORT_KEY in config
                                  else (UNKNOWN, 'not in the download'))
    for name in ('CHECK_SYNC_EVENT', 'CHECK_SYNC_TIMEOUT', 'SIP_DEFAULT_PORT'):
        checks[name] = (UNKNOWN, 'SIP, not the web interface: the field check does not send a NOTIFY')
    for name in ('UPLOAD_SETTLE_SECONDS', 'REBOOT_START_SECONDS', 'REBOOT_DOWN_CONFIRM', 'POLL_SECONDS', 'POLL_TIMEOUT',
                 'REGISTRATION_POLL_SECONDS'):
        checks[name] = (UNKNOWN, 'a timing of an upload or restart, which a read-only check never causes')
    return checks


def _auto_provision_keys(text, values):
    """pages.AUTO_PROVISION_KEYS: each form field is on the page, its key in the download, and a value
    the page renders agrees with the file's."""
    table = getattr(pages, 'AUTO_PROVISION_KEYS', None) or {}
    selects, inputs = _selects(text), _inputs(text)
    seen, problems = [], []
    for field, (key, codes) in sorted(table.items()):
        if field not in selects and field not in inputs:
            problems.append('no field %s' % field)
            continue
        if key not in values:
            seen.append('%s: %s not in the download' % (field, key))
            continue
        shown = (selects.get(field) or {}).get('selected') if field in selects else (inputs.get(field) or {}).get('value')
        stored = values[key]
        if codes:
            stored = dict((name.lower(), code) for name, code in codes.items()).get(stored.lower(), stored)
        if shown is None or shown == '':
            seen.append('%s: rendered empty' % field)
        elif shown != stored:
            problems.append('%s shows %s, %s is %s' % (
                field, shown if codes else 'another value', key, values[key] if codes else 'the file\'s'))
        else:
            seen.append('%s%s agrees with %s' % (field, '=%s' % shown if codes else '', key))
    if problems:
        return CONTRADICTED, '; '.join(problems + seen)
    return CONFIRMED, '; '.join(seen) or 'no field to cross-check'


def pages_entries(obs):
    """One entry per upper-case name of ``pages.py`` (new names are listed as unknown)."""
    checks = _pages_checks(obs)
    entries = []
    for name in sorted(n for n in dir(pages) if n.isupper() and not n.startswith('_')):
        value = getattr(pages, name)
        status, evidence = checks.get(name, (UNKNOWN, 'no read-only check for this entry yet'))
        shown = value if isinstance(value, (str, int, float)) else _short(repr(value), 100)
        entries.append(entry('pages.%s' % name, '%s = %s' % (name, shown), status, evidence))
    return entries


# --- judging the behaviours of docs/compatibility.md ----------------------------------------------

def _behaviour_auth(obs):
    login = next((e for e in obs.get('exchanges', []) if e['method'] == 'POST' and e['path'] == pages.LOGIN_PATH), None)
    seen = 'POST %s: HTTP %s%s' % (pages.LOGIN_PATH, login['status'], ', cookie set' if login.get('cookie_set') else '') \
        if login else 'no login exchange'
    if obs.get('auth') == 'cookie':
        return CONFIRMED, 'cookie login (variant auth=cookie); %s' % seen
    if obs.get('auth') in ('basic', 'digest'):
        silent = login is not None and login['status'] == 200
        return CONTRADICTED, 'HTTP %s on every request, %s (variant auth=%s); %s' % (
            obs['auth'].capitalize(), 'login.cgi answers 200 without success or failure' if silent
            else 'login.cgi absent', 'basic_silent_login' if silent else 'basic', seen)
    return CONTRADICTED, 'no login: %s' % obs['errors'].get('login')


def _behaviour_session(obs):
    shape = obs.get('no_session') or {}
    status, location = shape.get('status'), urlsplit(shape.get('location') or '').path
    if status == 200 and shape.get('login_form'):
        return CONFIRMED, 'HTTP 200 with the login form (variant expired_session=login_page)'
    if status == 200 and shape.get('title') and 'login' in shape['title'].lower():
        return CONTRADICTED, 'HTTP 200, a page titled %r without the login form (variant expired_session=web_login)' % shape['title']
    if status in (301, 302, 303, 307, 308):
        variant = 'redirect_login_redirect' if 'login_redirect' in location else 'redirect_login'
        return CONTRADICTED, 'HTTP %d to %s (variant expired_session=%s)' % (status, location, variant)
    if status == 401:
        return CONTRADICTED, 'HTTP 401, WWW-Authenticate %s (variant expired_session=unauthorized, or auth=basic)' % (
            shape.get('www_authenticate'))
    return CONTRADICTED, 'HTTP %s: %s' % (status, shape)


def _download_entries(obs):
    found = []
    config_file = obs.get('config_file')
    if not config_file:
        error = obs['errors'].get('config_file') or obs['errors'].get('manu_config') or 'no .cfg link'
        return [entry('behaviour.download', 'the download lists every key, including defaults', UNKNOWN, 'not read: %s' % error)]
    config = config_file['config']
    values = config.values()
    other = config.other_lines()
    lines = keys.MODEL_LINES.get(keys.model_of(values.get('system/type') or config_file['name'])) or 2
    table = set()
    for template in keys.KEYS:
        if keys.is_secret(template):
            continue
        table.update([template.replace('/N/', '/%d/' % i) for i in range(lines)] if '/N/' in template else [template])
    absent = sorted(key for key in table if key not in values)
    share = float(len(absent)) / len(table) if table else 0.0
    manu = obs.get('manu_config') or {}
    switch = 'show_modified_cfg_params' in (manu.get('text') or '')
    forms = [f for f in scrape.forms(manu.get('text') or '', manu.get('url') or '')
             if 'show_modified_cfg_params' in f.field_names() and not f.file_field]
    control = '; manu_config.htm has a form with show_modified_cfg_params (%s)' % forms[0].name if forms else (
        '; the page names show_modified_cfg_params' if switch else '')
    if config_file['html']:
        found.append(entry('behaviour.download', 'the download lists every key, including defaults', CONTRADICTED,
                           'the .cfg link answered a web page'))
    elif share > MODIFIED_ONLY_SHARE:
        found.append(entry('behaviour.download', 'the download lists every key, including defaults', CONTRADICTED,
                           'only modified keys (variant download=%s): %d keys, %d of the %d keys of the key table absent '
                           '(e.g. %s)%s' % ('modified_only_switchable' if forms else 'modified_only', len(values),
                                            len(absent), len(table), ', '.join(absent[:3]), control)))
    else:
        found.append(entry('behaviour.download', 'the download lists every key, including defaults', CONFIRMED,
                           '%d keys; %d of the %d keys of the key table absent%s (variant download=full)'
                           % (len(values), len(absent), len(table), control)))
    header = any(line.strip().startswith(';') for line in config.render().splitlines()[:3])
    if other:
        found.append(entry('behaviour.download_format', 'the download is key=value lines', CONTRADICTED,
                           'malformed (variant download_format=broken): %d line(s) not key=value, first %r'
                           % (len(other), _short(other[0], 40))))
    else:
        found.append(entry('behaviour.download_format', 'the download is key=value lines', CONFIRMED,
                           '%s, line ending %r' % ('a ; header (annotated)' if header else 'no header (plain)', config.newline)))
    # secrets: how the admin password (always set) and each set secret are shown
    shown = {}
    for key in sorted(values):
        if keys.is_secret(key):
            shown.setdefault(_secret_display(values[key]), []).append(key)
    admin = _secret_display(values.get(keys.ADMIN_PASSWORD_KEY))
    evidence = 'system/password shown %s; %s' % (admin, '; '.join('%s: %s' % (kind, ', '.join(names[:3]) + (
        ' ...' if len(names) > 3 else '')) for kind, names in sorted(shown.items())) or 'no secret key listed')
    found.append(entry('behaviour.secrets', 'set secrets are shown encrypted ({"..."})',
                       CONFIRMED if admin == 'encrypted' else CONTRADICTED,
                       '%s (variant secrets=%s)' % (evidence, {'encrypted': 'encrypted', 'omitted': 'omitted',
                                                               'clear': 'clear', 'stars': 'stars', 'empty': 'empty'}[admin])))
    # enumerations: the spelling of each enum key of the key table in the download
    spellings = {}
    for key, value in sorted(values.items()):
        if keys.spec_of(key)[0] == 'enum':
            spelling = _enum_spelling(value)
            if spelling:
                spellings.setdefault(spelling, []).append('%s=%s' % (key, value))
    mwi = values.get('voip/services/msg_waiting_ind/enabled')
    number_mwi = mwi is not None and mwi.strip().isdigit()
    kinds = sorted(spellings)
    status = CONFIRMED if kinds == ['upper'] else (CONTRADICTED if kinds else UNKNOWN)
    variant = ('enum_download=numbers' if number_mwi or 'number' in kinds else
               'enum_case=lower' if kinds == ['lower'] else 'enum_case=database' if 'mixed' in kinds or 'lower' in kinds
               else 'enum_case=upper')
    found.append(entry('behaviour.enum_spelling', 'enumerations are spelled by name in upper case', status,
                       '%s (variant %s)' % ('; '.join('%s: %s' % (kind, ', '.join(spellings[kind][:3])) for kind in kinds)
                                            or 'no enumeration of the key table listed', variant)))
    return found


def _behaviour_form(obs, values):
    auto = obs.get('auto_provision')
    if not auto:
        return UNKNOWN, 'Auto_Provision.htm not read'
    selects = _selects(auto['text'])
    inputs = _inputs(auto['text'])
    unselected = sorted(name for name, select in selects.items() if select['options'] and select['selected'] is None)
    url = inputs.get(pages.PROVISIONING_CONFIG_URL_FIELD) or {}
    configured = (values or {}).get('provisioning/configuration/url')
    empty_url = url and not url.get('value') and bool(configured)
    names = r'<script[^>]*>[^<]*(?:%s|%s)' % (pages.PROVISIONING_METHOD_FIELD, pages.PROVISIONING_CONFIG_URL_FIELD)
    script = bool(re.search(names, auto['text'], re.I))
    if unselected or empty_url:
        return CONTRADICTED, ('the form is filled by a script (variant auto_provision_form=script_filled): selects without '
                              'a selected option: %s%s%s' % (
                                  ', '.join(unselected) or 'none',
                                  '; CFG_URL rendered empty while the file has one' if empty_url else '',
                                  '; a script names the fields' if script else ''))
    method = (selects.get(pages.PROVISIONING_METHOD_FIELD) or {}).get('selected')
    return CONFIRMED, 'values rendered (variant auto_provision_form=rendered): %s selected %s, provisioning/method %s' % (
        pages.PROVISIONING_METHOD_FIELD, method, (values or {}).get('provisioning/method'))


def _behaviour_identity(obs, values, name):
    info = obs.get('info')
    device = scrape.device_from_info(info['text']) if info else {}
    agent = obs.get('user_agent')
    model_hint = keys.model_of(agent) if agent else None
    version = _VERSION.search(agent or '')
    rest = 'user_agent.txt: %s; file %s; system/type %s' % (
        ('model %s, firmware %s' % (model_hint, version.group(0) if version else None)) if agent else 'absent',
        name, (values or {}).get('system/type'))
    if device.get('model') and device.get('firmware'):
        return CONFIRMED, 'info.htm labels give model %s, firmware %s (variant info_page=labelled); %s' % (
            device['model'], device['firmware'], rest)
    return CONTRADICTED, 'info.htm shows no known label (variant info_page=unlabelled); %s' % rest


def _behaviour_lines(obs, values):
    status = obs.get('status')
    if not status or status['lines'] is None:
        return UNKNOWN, 'voip_status.cgi not read'
    tags, dummy = _status_tags(obs)
    lines = keys.MODEL_LINES.get(keys.model_of((values or {}).get('system/type'))) or None
    listed = len(status['lines'])
    numbered = 'LineNum' in tags
    if not listed:
        return CONTRADICTED, 'no line listed, none of the %s enabled? (variant status_lines=enabled_only)' % (lines or '?')
    if numbered and lines and listed < lines:
        return CONTRADICTED, '%d of %d lines listed, with LineNum/UserId (variant status_lines=enabled_only)' % (listed, lines)
    if numbered:
        return CONFIRMED, '%d line(s), each with LineNum%s (variant status_lines=numbered)' % (
            listed, ' and UserId' if 'UserId' in tags else '')
    return CONTRADICTED, '%d line(s) without LineNum/UserId: matched by position (variant status_lines=bare)' % listed


def behaviour_entries(obs):
    found = [entry('behaviour.auth', 'login.cgi with a session cookie', *_behaviour_auth(obs)),
             entry('behaviour.expired_session', 'an expired session answers 200 with the login page',
                   *_behaviour_session(obs))]
    found.extend(_download_entries(obs))
    config_file = obs.get('config_file') or {}
    values = config_file['config'].values() if config_file.get('config') is not None else None
    found.append(entry('behaviour.auto_provision_form', 'Auto_Provision.htm renders its values',
                       *_behaviour_form(obs, values)))
    found.append(entry('behaviour.identity', 'info.htm shows model and firmware under known labels',
                       *_behaviour_identity(obs, values, config_file.get('name'))))
    found.append(entry('behaviour.status_lines', 'voip_status.cgi numbers its lines (LineNum/UserId)',
                       *_behaviour_lines(obs, values)))
    url = (values or {}).get('provisioning/configuration/url') or ''
    found.append(entry('behaviour.provisioning_url', 'CFG_URL fetches <dir>/<mac>.cfg; the phone asks in its own name case',
                       UNKNOWN, 'only a fetch shows it (read-only check); provisioning/configuration/url is %s' % (
                           'empty' if not url else 'a file URL' if url.lower().endswith('.cfg') else 'a directory URL'
                           if url.endswith('/') else 'set')))
    found.append(entry('behaviour.upload_timing', 'after an upload the phone restarts at once, or applies live',
                       UNKNOWN, 'only an upload shows it; the field check never uploads'))
    return found


def lab_variants(entries):
    """``{variant: value}`` of the lab that the evidence names (``(variant auth=basic)``): what a replay
    of the capture emulates where it has no capture (tests/lab/phone/replay.py)."""
    found = {}
    for item in entries:
        match = _VARIANT.search(item['evidence'])
        if match and item['status'] != UNKNOWN:
            found.setdefault(match.group(1), match.group(2))
    if found.get('auth', 'cookie') != 'cookie':
        found.pop('expired_session', None)      # a Basic build has no session to lose
    return found


# --- one entry per phone row of docs/compatibility.md ---------------------------------------------

# row -> (subject, the entry that judges it, or None and why a read cannot tell)
COMPAT_ROWS = (
    ('P1', 'HTTPS with a self-signed certificate, HTTP too', 'transport', None),
    ('P2', 'POST /login.cgi user + base64 psw, markers in the body', 'pages.LOGIN_PATH', None),
    ('P3', 'cookie session=...; path=/', 'pages.SESSION_COOKIE', None),
    ('P4', 'some builds use HTTP Basic on every request', 'behaviour.auth', None),
    ('P5', 'an expired session answers with the login page', 'behaviour.expired_session', None),
    ('P6', 'a POST counts only after a GET of its page', None, 'only a POST shows it'),
    ('P7', 'POST reboot.htm REBOOT=2', 'pages.REBOOT_FIELD', None),
    ('P8', 'what an upload does (reboot, live, pending, delayed)', None, 'only an upload shows it'),
    ('P9', 'manu_config.htm has a configuration upload form', 'pages.UPLOAD_FORM_HINTS', None),
    ('P10', 'manu_config.htm links /configuration/<MODEL>_<MAC>.cfg', 'pages.CONFIG_NAME_PATTERN', None),
    ('P11', 'the download lists every key', 'behaviour.download', None),
    ('P12', 'key=value lines, ; comments, LF', 'behaviour.download_format', None),
    ('P13', 'secrets in the download shown {"..."}', 'behaviour.secrets', None),
    ('P14', 'system/password holds an MD5-crypt hash', 'admin_hash', None),
    ('P15', 'an upload replaces or merges', None, 'only an upload shows it'),
    ('P16', 'enums upper-case in files', 'behaviour.enum_spelling', None),
    ('P17', 'some enums written as numbers (MWI)', 'behaviour.enum_spelling', None),
    ('P18', 'a key the firmware does not know is dropped silently', None,
     'only a write shows it; the keys this firmware lists are judged per key (key.*)'),
    ('P19', 'info.htm is a label/value table', 'behaviour.identity', None),
    ('P20', 'the one MAC of network_status.htm', 'pages.MAC_PATTERN', None),
    ('P21', 'voip_status.cgi <Line><SipStatus>, LineNum/UserId', 'behaviour.status_lines', None),
    ('P22', 'Auto_Provision.htm ASU_METHOD, CFG_URL, FW_URL', 'pages.PROVISIONING_METHOD_FIELD', None),
    ('P23', 'the server renders the provisioning form\'s values', 'behaviour.auto_provision_form', None),
    ('P24', 'a directory CFG_URL makes the phone fetch <mac>.cfg', 'behaviour.provisioning_url', None),
    ('P25', 'SIP NOTIFY Event: check-sync', None, 'SIP, not the web interface'),
    ('P26', 'firmware upload through Manu_Firmware_Upgrade.htm and /upload.cgi', None,
     'the field check does not open the firmware page'),
    ('P27', 'auto-answer: auto_answer/enabled on a header, advanced_auto_answer/type=Manual every call', None,
     'only a call shows what the phone answers; whether this firmware has the type key is judged per key (key.*)'),
)


def compat_entries(entries, client, values):
    """``compat.<row>``: each phone row of docs/compatibility.md, judged by the entry that reads it."""
    by_id = dict((item['id'], item) for item in entries)
    found = []
    for row, subject, source, why in COMPAT_ROWS:
        if source == 'transport':
            status, evidence = CONFIRMED, 'answered over %s' % client.base.split(':', 1)[0].upper()
        elif source == 'admin_hash':
            shown = (values or {}).get(keys.ADMIN_PASSWORD_KEY)
            if shown is None or _secret_display(shown) != 'clear':
                status, evidence = UNKNOWN, 'the download shows system/password %s' % _secret_display(shown)
            else:
                hashed = bool(keys.MD5_CRYPT_PATTERN.match(shown.strip()))
                status = CONFIRMED if hashed else CONTRADICTED
                evidence = 'shown in clear: %s' % ('an MD5-crypt hash' if hashed else 'not an MD5-crypt hash')
        elif source in by_id:
            status, evidence = by_id[source]['status'], '%s: %s' % (source, by_id[source]['evidence'])
        else:
            status, evidence = UNKNOWN, why or 'not read'
        found.append(entry('compat.%s' % row, subject, status, evidence))
    return found


# --- the run --------------------------------------------------------------------------------------

def run(client, masker, capture_dir=None, host=None):
    """Observe and judge one phone; the result never holds a secret."""
    masker.add(client._password)
    masker.add(base64.b64encode((client._password or '').encode('utf-8')).decode('ascii'))
    recorder = capture.ReadOnlyRecorder('phone', client.subject, masker, allowed_posts=(pages.LOGIN_PATH,))
    recorder.attach(client.http)
    obs = observe(client, masker)
    obs['exchanges'] = recorder.exchanges
    config_file = obs.get('config_file') or {}
    config = config_file.get('config')
    values = config.values() if config is not None else {}
    for key, value in values.items():
        if keys.is_secret(key) and value:
            # {"<cipher>"}: the cipher is the secret, the braces show how the phone hides it.
            masker.add(value.strip()[2:-2] if keys.is_encrypted(value) else value)
    info = obs.get('info')
    device = scrape.device_from_info(info['text']) if info else {}
    name_model, name_mac = scrape.config_name_parts(config_file.get('name'))
    network = obs.get('network')
    agent_version = _VERSION.search(obs.get('user_agent') or '')
    entries = pages_entries(obs) + behaviour_entries(obs)
    result = {
        'changed': False,
        'host': host or client.host,
        'device': {
            'model': values.get('system/type') or device.get('model') or name_model,
            'firmware': device.get('firmware') or (agent_version.group(0) if agent_version else None),
            'mac': name_mac or device.get('mac') or (scrape.find_mac(network['text']) if network else None),
        },
        'auth': obs.get('auth'),
        'config_file': config_file.get('name'),
        'config_keys': sorted(values),
        'secret_display': dict((key, _secret_display(value)) for key, value in values.items() if keys.is_secret(key)),
        'model_lines': keys.MODEL_LINES.get(keys.model_of(values.get('system/type') or config_file.get('name'))),
        'entries': entries + compat_entries(entries, client, values),
        'errors': obs['errors'],
        'requests': [{'method': e['method'], 'path': e['path'], 'status': e['status']} for e in recorder.exchanges],
        'writes': recorder.writes(),
    }
    if capture_dir:
        result['capture'] = capture.write_bundle(capture_dir, 'phone-%s' % (host or client.host), recorder.bundle({
            'host': host or client.host, 'model': result['device']['model'], 'mac': result['device']['mac'],
            'firmware': result['device']['firmware'], 'auth': result['auth'],
            'secret_display': result['secret_display'], 'lab_variants': lab_variants(result['entries'])}))
    return capture.mask_tree(masker.mask(result), masker)


def run_field_check(params, masker, client=None):
    """The module's entry point (``module_support.outcome``)."""
    from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.client import PhoneClient
    client = client if client is not None else PhoneClient.from_params(params)
    return run(client, masker, params.get('capture_dir'), params['host'])
