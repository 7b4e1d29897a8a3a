# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provisioning-server path (zero-touch): what module audiocodes_provisioning does.

``run_provisioning`` points the phone at a provisioning server (``Auto_Provision.htm``: method
static, configuration URL, optionally firmware URL and period, the whole form posted back), then,
when a directory is given, publishes the phone's COMPLETE configuration file ``<mac>.cfg`` there
(mode 0600): the configuration the phone has now, read through its web interface, with
``settings`` set in place (the same planning as audiocodes_phone: no second mapping). When the
phone does not hold those settings yet, it triggers a resync (SIP NOTIFY ``Event: check-sync``,
else ``reboot.htm``), waits (bounded) and verifies by reading the configuration back.

The file holds secrets in clear where the phone needs them (line passwords it hides, the admin
password hash): it is written with mode 0600 and never returned, logged or shown in a diff.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import socket
import tempfile
import uuid

try:
    from urllib.parse import urlsplit, urlunsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit, urlunsplit

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import (
    MASK, InputError, RemoteError, SecretMasker, changes_of, diff_of, unsafe_characters,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import core, identity, keys, pages, scrape
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.cfgfile import ConfigFile
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.client import PhoneClient
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.module_support import (
    connection_argument_spec,
)

RESYNC_CHOICES = ('auto', 'check_sync', 'reboot', 'none')
PERIOD_CHOICES = tuple(sorted(pages.PROVISIONING_PERIODS))
FORM_ITEMS = (  # result name, form field
    ('method', pages.PROVISIONING_METHOD_FIELD),
    ('config_url', pages.PROVISIONING_CONFIG_URL_FIELD),
    ('firmware_url', pages.PROVISIONING_FIRMWARE_URL_FIELD),
    ('period', pages.PROVISIONING_PERIOD_FIELD),
)


def argument_spec():
    """The options of module audiocodes_provisioning (an action plugin validates with the same spec)."""
    spec = connection_argument_spec()
    spec.update(
        config_url=dict(type='str', required=True),
        firmware_url=dict(type='str'),
        period=dict(type='str', choices=list(PERIOD_CHOICES)),
        publish_dir=dict(type='path'),
        settings=dict(type='dict', default={}),
        update_secrets=dict(type='str', choices=list(core.UPDATE_SECRETS), default='on_change', no_log=False),
        initial_password=dict(type='str', no_log=True),
        resync=dict(type='str', choices=list(RESYNC_CHOICES), default='auto'),
        sip_port=dict(type='int'),
        reboot_timeout=dict(type='int', default=300),
        verify=dict(type='bool', default=True),
    )
    spec.update(identity.argument_spec())
    return spec


def shown_url(url):
    """A URL with its password replaced by the mask, for results and messages."""
    if not url or '@' not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, host = parts.netloc.rsplit('@', 1)
    netloc = '%s:%s@%s' % (userinfo.split(':', 1)[0], MASK, host)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def config_file_url(url, mac):
    """``<dir>/<mac>.cfg`` for a directory ``url`` (ending in ``/``), within the key's 128 characters;
    any other URL (a file already, or one that would grow too long) as it is."""
    parts = urlsplit(url)
    if not parts.path.endswith('/') or not mac:
        return url
    full = urlunsplit((parts.scheme, parts.netloc, parts.path + file_name(mac), parts.query, ''))
    return full if len(full) <= pages.PROVISIONING_URL_MAX else url


def file_name(mac):
    """``<mac lowercase, no colons>.cfg``: the file a phone fetches from a directory URL."""
    return ''.join(c for c in str(mac or '').lower() if c in '0123456789abcdef') + '.cfg'


def _server_check(params, settings, have):
    """``(settings, warnings)``: for an https config_url the published file turns on the phone's check of its
    provisioning server's certificate (``keys.PROVISIONING_VERIFY_KEY``) unless settings says otherwise, which is
    warned about, as is a phone that checks nothing until it has applied the file."""
    key, warnings = keys.PROVISIONING_VERIFY_KEY, []
    if urlsplit(params['config_url']).scheme != 'https':
        return settings, warnings
    if key in settings:
        if not keys.as_bool(settings[key]):
            warnings.append('settings turn %s off: a phone then takes any server that answers at the provisioning '
                            'URL for its own, sends it the URL\'s credentials and applies the file it serves; leave the '
                            'key out (the published file turns the check on) and give the phone the CA that signed the '
                            'server (security/ca_certificate/1/uri)' % key)
        return settings, warnings
    if key not in have:
        warnings.append("a phone's firmware shows no %s, so the check of the provisioning server's certificate is "
                        'not published; check it on the phone' % key)
        return settings, warnings
    if not keys.as_bool(have.get(key)):
        warnings.append('a phone checks no certificate of its provisioning server (%s=0) until it has applied the '
                        'file published now, which turns the check on: its next fetch trusts any server that answers; '
                        'on an untrusted network set the key and the CA (security/ca_certificate/1/uri) when the '
                        'phone is staged' % key)
    settings = dict(settings)
    settings[key] = '1'
    return settings, warnings


def _check_input(params, subject):
    for option in ('config_url', 'firmware_url'):
        url = params.get(option)
        if url is None:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ('http', 'https', 'ftp', 'tftp') or not parts.netloc:
            raise InputError(subject, '%s %s is not an http(s), ftp or tftp URL with a host' % (option, shown_url(url)),
                             'give e.g. https://user:password@prov.example.com/phones/')
        if len(url) > pages.PROVISIONING_URL_MAX:
            raise InputError(subject, '%s is %d characters, the phone keeps at most %d'
                             % (option, len(url), pages.PROVISIONING_URL_MAX), 'use a shorter host name or path')
        if parts.password is not None and parts.scheme != 'https':
            raise InputError(subject, '%s %s carries a password over %s: anyone on the way reads it, and any server '
                             'answering there gets it and has its file applied' % (option, shown_url(url), parts.scheme),
                             'use an https:// URL (the phone then checks the server, see '
                             'security/provisioning/verify_server_certificate), or leave the credentials out')
        if ' ' in url or unsafe_characters(url):
            raise InputError(subject, '%s contains a space or %s' % (option, unsafe_characters(url) or 'a blank'),
                             'percent-encode it')
    if params.get('publish_dir') is None and params.get('settings'):
        raise InputError(subject, 'settings are given without publish_dir',
                         'give publish_dir, the directory the provisioning server serves')


# --- Auto_Provision.htm -----------------------------------------------------------------------------

def _provision_form(text, url):
    """The form of Auto_Provision.htm: the one with the method field."""
    for form in scrape.forms(text, url):
        if pages.PROVISIONING_METHOD_FIELD in form.field_names():
            return form
    return None


def read_form(client):
    """``(form, {field: value})`` of Auto_Provision.htm in this session."""
    response = client.show(pages.AUTO_PROVISION_PAGE)
    form = _provision_form(response.text, response.url)
    if form is None:
        raise RemoteError(client.subject, '%s shows no form with field %s' % (pages.AUTO_PROVISION_PAGE,
                                                                              pages.PROVISIONING_METHOD_FIELD),
                          'correct AUTO_PROVISION_* and PROVISIONING_* in plugins/module_utils/audiocodes/pages.py '
                          'from a capture of this firmware', endpoint=pages.page_path(pages.AUTO_PROVISION_PAGE))
    return form, dict(form.fields)


def wanted_form(params):
    """``{field: value}`` the form must show."""
    want = {pages.PROVISIONING_METHOD_FIELD: pages.PROVISIONING_METHODS['static'],
            pages.PROVISIONING_CONFIG_URL_FIELD: params['config_url']}
    if params.get('firmware_url') is not None:
        want[pages.PROVISIONING_FIRMWARE_URL_FIELD] = params['firmware_url']
    if params.get('period'):
        want[pages.PROVISIONING_PERIOD_FIELD] = pages.PROVISIONING_PERIODS[params['period']]
    return want


def _form_view(field, value):
    """A form value as the result shows it: names for codes, URLs without their password."""
    if value is None:
        return None
    if field == pages.PROVISIONING_METHOD_FIELD:
        return dict((v, k) for k, v in pages.PROVISIONING_METHODS.items()).get(value, value)
    if field == pages.PROVISIONING_PERIOD_FIELD:
        return dict((v, k) for k, v in pages.PROVISIONING_PERIODS.items()).get(value, value)
    return shown_url(value)


def form_changes(want, have):
    changes = {}
    for name, field in FORM_ITEMS:
        if field not in want:
            continue
        if (have.get(field) or '').strip() != want[field]:
            changes['provisioning ' + name] = {'before': _form_view(field, have.get(field)),
                                               'after': _form_view(field, want[field])}
    return changes


def _form_code(field, value):
    """The form's code for a configuration value of ``field`` (``STATIC`` -> ``2``)."""
    codes = pages.AUTO_PROVISION_KEYS[field][1]
    value = (value or '').strip()
    if codes is None:
        return value
    return codes.get(value.lower(), value)


def _as_file_shows(client, form):
    """The form's values with those the configuration file's provisioning/* keys give for the fields
    the collection can map (``pages.AUTO_PROVISION_KEYS``)."""
    values = client.read_config(again=True).values
    shown = dict(form)
    for field, (key, dummy) in pages.AUTO_PROVISION_KEYS.items():
        if field in shown and key in values:
            shown[field] = _form_code(field, values[key])
    return shown


def _cross_checked(client, want, have):
    """``(overrides, leave_out, before)``: the form as rendered checked against the configuration
    file's provisioning/* keys. Where they disagree the page fills its form with JavaScript: the
    file's values are posted for the fields the collection can map, the others are left out."""
    before = client.read_config(again=True).values
    stale = [field for field in pages.AUTO_PROVISION_KEYS if field in have and field not in want
             and pages.AUTO_PROVISION_KEYS[field][0] in before
             and (have.get(field) or '').strip() != _form_code(field, before[pages.AUTO_PROVISION_KEYS[field][0]])]
    if not stale:
        return dict(want), (), before
    overrides = dict((field, _form_code(field, before[pages.AUTO_PROVISION_KEYS[field][0]]))
                     for field in pages.AUTO_PROVISION_KEYS
                     if field in have and pages.AUTO_PROVISION_KEYS[field][0] in before)
    overrides.update(want)
    # What the page rendered for the other fields is not what a browser would send: leave them out.
    leave_out = [field for field in have if field not in overrides]
    return overrides, leave_out, before


def _check_provisioning_keys(want, before, after, subject):
    """After the post: every provisioning/* key keeps its value but those the post changes."""
    changed = set(pages.AUTO_PROVISION_KEYS[field][0] for field in want if field in pages.AUTO_PROVISION_KEYS)
    lost = sorted(key for key, value in before.items() if key.startswith(pages.PROVISIONING_KEY_PREFIX)
                  and key not in changed and not keys.same(key, value, after.get(key)))
    if lost:
        raise RemoteError(subject, 'posting %s changed %s, which this run did not ask for (the page may fill its '
                          'form with JavaScript, and a field the collection cannot map was posted empty)'
                          % (pages.AUTO_PROVISION_PAGE, ', '.join(lost)),
                          'set these keys back (audiocodes_phone settings), and map the form fields in '
                          'AUTO_PROVISION_KEYS of plugins/module_utils/audiocodes/pages.py from a capture of this page')


def point(client, want, have):
    """Post the whole form back with the wanted values (cross-checked with the configuration file),
    then read it and the file again to verify."""
    overrides, leave_out, before = _cross_checked(client, want, have)

    def form_without(text, url):
        form = _provision_form(text, url)
        if form is not None and leave_out:
            form.fields = [(name, value) for name, value in form.fields if name not in leave_out]
        return form
    response = client.submit(pages.AUTO_PROVISION_PAGE, form_without, overrides)
    if response is None:
        raise RemoteError(client.subject, 'the form of %s is gone' % pages.AUTO_PROVISION_PAGE,
                          'correct pages.py from a capture of this firmware')
    shown = read_form(client)[1]
    after = client.read_config(again=True).values
    # Kept when the form shows it, or (a form filled by JavaScript shows nothing) the file holds it.
    missing = [name for name, field in FORM_ITEMS if field in want and (shown.get(field) or '').strip() != want[field]
               and not (field in pages.AUTO_PROVISION_KEYS
                        and _form_code(field, after.get(pages.AUTO_PROVISION_KEYS[field][0])) == want[field])]
    if missing:
        raise RemoteError(client.subject, '%s did not keep %s after the form was posted'
                          % (pages.AUTO_PROVISION_PAGE, ', '.join(missing)),
                          'check the values (the URL may be too long for this firmware) and the page in a browser')
    _check_provisioning_keys(want, before, after, client.subject)
    return shown


# --- the configuration file ---------------------------------------------------------------------------

def _existing(path):
    try:
        with open(path, 'rb') as handle:
            return ConfigFile.from_bytes(handle.read())
    except (IOError, OSError):
        return None


def render(snapshot, writes, unknown, keep):
    """The complete file: the phone's configuration with the planned values set in place."""
    config = ConfigFile.from_bytes(snapshot.data)
    config.update(writes)
    config.update(unknown)      # secrets the phone hides: always in the file (it may replace on fetch)
    config.update(keep)
    return config


def _normal(value):
    """A value as the firmware reads it (numbers in any base, words in any case, outer spaces):
    the phone shows back 0xb8 as 184 and rfc2833 as RFC2833, which is no reason to republish."""
    text = value.strip()
    try:
        return str(int(text, 0))
    except ValueError:
        return text if keys.is_encrypted(text) else text.lower()


def _normal_values(config):
    return dict((key, _normal(value)) for key, value in config.values().items())


def publish(path, config, mode=0o600):
    """Write the file atomically with ``mode`` (the directory made 0700 when missing)."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=directory)
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, 'wb') as stream:
            stream.write(config.to_bytes())
        os.rename(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _admin_hash_to_keep(params, have, existing, admin_writes):
    """The admin hash the file carries when the phone hides it: the one being written, else the one
    the published file already has when it matches the password (kept: no change), else a new one."""
    if admin_writes:
        return admin_writes[keys.ADMIN_PASSWORD_KEY]
    # The phone accepted the password: a published hash of it stays (the phone may show its own
    # hash encrypted, which would otherwise count as a different file on every run).
    old = existing.get(keys.ADMIN_PASSWORD_KEY) if existing is not None else None
    if old and core.md5_crypt_matches(params.get('password') or '', old):
        return old
    if keys.ADMIN_PASSWORD_KEY in have:
        return None
    return keys.md5_crypt(params.get('password') or '')


# --- resync ---------------------------------------------------------------------------------------------

def check_sync(host, port, timeout=pages.CHECK_SYNC_TIMEOUT):
    """Send SIP NOTIFY ``Event: check-sync`` over UDP; ``(True, answer)`` on a 2xx, ``(False, why)`` otherwise."""
    sock = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect((host, port))
        local, local_port = sock.getsockname()[:2]
        call_id = uuid.uuid4().hex
        request = '\r\n'.join([
            'NOTIFY sip:%s:%d SIP/2.0' % (host, port),
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s;rport' % (local, local_port, uuid.uuid4().hex[:16]),
            'Max-Forwards: 70',
            'From: <sip:provisioning@%s>;tag=%s' % (local, uuid.uuid4().hex[:8]),
            'To: <sip:%s:%d>' % (host, port),
            'Call-ID: %s@%s' % (call_id, local),
            'CSeq: 1 NOTIFY',
            'Event: %s' % pages.CHECK_SYNC_EVENT,
            'Subscription-State: terminated',
            'User-Agent: telephony.genesys_audiocodes',
            'Content-Length: 0', '', '']).encode('ascii')
        interval, waited = 0.5, 0.0
        while waited < timeout:
            sock.send(request)
            sock.settimeout(min(interval, timeout - waited))
            try:
                while True:
                    answer = sock.recv(4096).decode('utf-8', 'replace')
                    first = answer.split('\r\n', 1)[0]
                    if not first.startswith('SIP/2.0 ') or call_id not in answer:
                        continue
                    status = int(first.split(' ', 2)[1])
                    if status >= 200:
                        return 200 <= status < 300, first[len('SIP/2.0 '):]
            except socket.timeout:
                pass
            waited += interval
            interval *= 2
        return False, 'no answer to the NOTIFY within %.0f s' % timeout
    except (socket.error, OSError, ValueError) as exc:
        return False, 'NOTIFY not delivered (%s)' % (getattr(exc, 'strerror', None) or exc)
    finally:
        sock.close()


def _poll_until_applied(client, writes, deadline):
    """Read the configuration until every written key shows; the phone may restart meanwhile."""
    last = None
    while True:
        try:
            last = client.read_config(again=True).values
        except RemoteError as exc:
            if not exc.transient and exc.status != 404:
                raise
            client.forget_session()
        else:
            if not core.not_kept(writes, last):
                return last
        if client.clock() >= deadline:
            return last
        client.sleep(pages.POLL_SECONDS)


def resync_and_verify(client, params, snapshot, writes, result, masker, new_password=None):
    """Make the phone fetch its file (check-sync, else reboot), wait, and verify by reading back."""
    how = params.get('resync') or 'auto'
    timeout = params.get('reboot_timeout') or 300
    subject = client.subject
    result['resync'] = None
    if how == 'none':
        return
    if how in ('auto', 'check_sync'):
        port = params.get('sip_port') or _int(snapshot.values.get(pages.SIP_PORT_KEY), pages.SIP_DEFAULT_PORT)
        delivered, answer = check_sync(client.host, port)
        result['check_sync'] = answer
        if delivered:
            result['resync'] = 'check_sync'
        elif how == 'check_sync':
            raise RemoteError(subject, 'did not accept the check-sync NOTIFY on SIP port %d: %s' % (port, answer),
                              'use resync: reboot (or auto), or check voip/signalling/sip/port and that the phone '
                              'is reachable over UDP')
    if new_password is not None:
        client.switch_password(new_password)
    deadline = client.clock() + timeout
    if result['resync'] is None:
        client.reboot()
        result['resync'] = 'reboot'
        client.watch_reboot(deadline)
        result['rebooted'] = True
    elif not params.get('verify', True):
        return
    else:
        # The phone answers the NOTIFY, fetches, and applies live or restarts. A phone that keeps
        # running without the new values after REBOOT_START_SECONDS gets a restart, which applies them.
        client.down_seen = False
        values = _poll_until_applied(client, writes, min(deadline, client.clock() + pages.REBOOT_START_SECONDS))
        result['rebooted'] = bool(client.down_seen)
        if values is None or core.not_kept(writes, values):
            if values is not None and not client.down_seen:
                client.reboot()
                result['resync'] = 'check_sync+reboot'
                client.watch_reboot(deadline)
                result['rebooted'] = True
    if not params.get('verify', True):
        return
    values = _poll_until_applied(client, writes, deadline)
    missing = core.not_kept(writes, values) if values is not None else dict((k, ('unread', None)) for k in writes)
    if missing:
        names = ', '.join(sorted(missing))
        raise RemoteError(subject, 'after the resync (%s) the phone does not show %s' % (result['resync'], masker.text(names)),
                          'check that the phone can reach %s (the provisioning server log shows its requests), that '
                          'the file is there, and the key names' % shown_url(params['config_url']))


def _int(text, default):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return default


# --- the module ---------------------------------------------------------------------------------------

def run_provisioning(params, check_mode=False, diff=False, masker=None, client=None):
    """Point the phone at the provisioning server; publish its file; resync, wait, verify."""
    masker = masker if masker is not None else SecretMasker()
    for value in core.secret_values(params):
        masker.add(value)
    subject = 'phone %s' % params['host']
    _check_input(params, subject)
    identity.check_input(params, subject)
    settings = dict(params.get('settings') or {})
    problems = keys.static_problems(settings)
    if problems:
        raise InputError(subject, 'settings refused before any change: %s' % masker.text('; '.join(problems)),
                         'correct settings and run again')
    client = client if client is not None else PhoneClient.from_params(params)
    directory = params.get('publish_dir')
    admin_writes = core.admin_login(params, client, masker)
    if admin_writes and not directory:
        raise InputError(subject, 'the phone refused password and accepted initial_password, but no publish_dir is '
                         'given to carry the new admin password', 'give publish_dir (or use audiocodes_phone)')

    want = wanted_form(params)
    form_have = read_form(client)[1]
    for value in core.url_passwords(form_have):        # the URLs the form shows may carry a password
        masker.add(value)
    changes = form_changes(want, form_have)
    rendered = form_have
    if changes:
        # The form may be filled by JavaScript (rendered empty): the configuration file tells what it holds.
        form_have = _as_file_shows(client, form_have)
        changes = form_changes(want, form_have)
    result = {'changed': bool(changes), 'changes': dict(changes), 'url': shown_url(params['config_url']),
              'rebooted': False, 'resync': None, 'file': None, 'file_changed': False}
    snapshot = None
    if directory:
        # Keys the firmware does not know are refused before the form is touched.
        snapshot = client.read_config()
        for value in core.url_passwords(snapshot.values):     # the phone's own URLs may carry a password
            masker.add(value)
        device = client.device(snapshot)
        result['device'] = device
        # The file is named after the MAC the phone reports: it must be the inventory's, and known.
        identity.check(params, device, subject, need_mac=True)
        # CFG_URL names the phone's own file, as public users set it (Elastix AudioCodes.py): a phone
        # that fetches only a named file, or asks for another case of the name, gets it all the same.
        full = config_file_url(params['config_url'], device['mac'])
        if full != want[pages.PROVISIONING_CONFIG_URL_FIELD]:
            want[pages.PROVISIONING_CONFIG_URL_FIELD] = full
            changes = form_changes(want, form_have)
            result.update(changed=bool(changes), changes=dict(changes), url=shown_url(full))
        settings, tls_warnings = _server_check(params, settings, snapshot.values)
        if tls_warnings:
            result['warnings'] = tls_warnings
        problems = keys.dump_problems(settings, snapshot.values, keys.model_of(device['model']))
        if problems:
            raise InputError(subject, 'settings refused before any change: %s' % '; '.join(problems),
                             'remove the key from settings or correct its name (audiocodes_phone_info with gather: '
                             'config lists every key this phone knows)')
    elif params.get('expected_mac') or params.get('expected_model'):
        identity.check(params, client.device(), subject)    # before the form is posted
    if changes and not check_mode:
        point(client, want, rendered)
        if snapshot is not None:
            snapshot = client.read_config(again=True)   # the file keeps the method and URL just set

    writes = {}
    if directory:
        have = snapshot.values
        writes, unknown = core.plan(settings, have, params.get('update_secrets') or 'on_change')
        writes.update(admin_writes)
        core.refuse_uncarried(ConfigFile.from_bytes(snapshot.data), writes, subject)
        secret_keys = [key for key in writes if keys.is_secret(key)]
        config_changes = changes_of(writes, have, secret_keys=secret_keys, masker=masker)
        result['changes'].update(config_changes)
        result['changed'] = result['changed'] or bool(writes)
        path = os.path.join(directory, file_name(device['mac']))
        result['file'] = path
        existing = _existing(path)
        keep = {}
        kept_hash = _admin_hash_to_keep(params, have, existing, admin_writes)
        if kept_hash:
            keep[keys.ADMIN_PASSWORD_KEY] = kept_hash
            masker.add(kept_hash)
        config = render(snapshot, writes, unknown, keep)
        if existing is None or _normal_values(existing) != _normal_values(config):
            result['file_changed'] = True
            result['changed'] = True
            result['changes']['file %s' % os.path.basename(path)] = {
                'before': None if existing is None else 'published', 'after': 'published'}
        elif existing is not None and (os.stat(path).st_mode & 0o777) != 0o600:
            result['file_changed'] = True
            result['changed'] = True
        if not check_mode and result['file_changed']:
            publish(path, config)
        if not check_mode and writes:
            resync_and_verify(client, params, snapshot, writes, result, masker,
                              new_password=params['password'] if admin_writes else None)
            if admin_writes:
                core.prove_admin_password(params, client)
    if diff:
        result['diff'] = diff_of(result['changes'], '%s %s' % (subject, pages.AUTO_PROVISION_PAGE))
    return masker.mask(result)
