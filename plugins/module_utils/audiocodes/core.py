# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the three phone modules do, as plain functions that need no AnsibleModule.

``run_phone``, ``run_phone_info`` and ``run_phone_reboot`` take the modules' parameters as a
dict and return the result dict; they raise ``OperatorError`` subclasses, whose ``as_result()``
is what a module fails with. Every secret they learn goes into the ``SecretMasker`` they are
given (so a module can register it as a no-log value), and every result is masked before it
is returned.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import os
import re

try:
    from urllib.parse import unquote, urlsplit
except ImportError:  # pragma: no cover
    from urllib import unquote
    from urlparse import urlsplit

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import (
    InputError, PartialResultError, RemoteError, SecretMasker, changes_of, diff_of,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import identity, keys, pages
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.client import LoginRefused, PhoneClient

GATHER_CHOICES = ('device', 'status', 'config')


class NotKeptError(PartialResultError):
    """The phone was written but did not keep some keys; the result still says what changed."""


def secret_values(params):
    """The secret values in ``params`` (password, secret keys of settings), for no-log lists."""
    values = []
    for option in ('password', 'initial_password'):
        if params.get(option):
            values.append(params[option])
    for option in ('config_url', 'firmware_url'):     # audiocodes_provisioning: user:password@ in a URL
        password = url_password(params.get(option))
        if password:
            values.append(password)
    settings = params.get('settings') or {}
    if isinstance(settings, dict):
        for key, value in settings.items():
            if isinstance(key, str) and keys.is_secret(key) and value is not None and not isinstance(value, (dict, list)):
                values.append(str(value))
        values.extend(url_passwords(settings))      # user:password@ inside any URL value (firmware, TR-069, ...)
    return values


def url_passwords(values):
    """The passwords inside the URL values of ``values`` (``scheme://user:password@host/...``), as the URL
    carries them and percent-decoded: no-log values, masked in results, diffs, backups and info output."""
    found = []
    for value in values.values():
        if isinstance(value, str) and '://' in value:
            password = url_password(value)
            if password:
                found.extend((password, unquote(password)))
    return found


def url_password(url):
    """The password part of ``scheme://user:password@host/...``, or None."""
    if not url or '@' not in str(url):
        return None
    try:
        return urlsplit(str(url)).password
    except ValueError:
        return None


def md5_crypt_matches(password, hashed):
    """Whether an MD5-crypt hash (``$1$salt$...``) is the hash of ``password``."""
    parts = str(hashed or '').split('$')
    return len(parts) == 4 and parts[1] == '1' and keys.md5_crypt(password or '', parts[2]) == hashed


def admin_login(params, client, masker):
    """Log in with ``password``; ``{system/password: hash}`` to write when the phone refuses it.

    A factory-fresh phone (admin / 1234), or one whose admin password is being rotated, refuses the
    configured password: the module then logs in with ``initial_password`` (tried only then) and
    plans the configured password as the MD5-crypt hash the firmware stores. A phone that accepts
    the configured password keeps its hash (nothing to write), so a second run changes nothing.
    """
    if not params.get('initial_password'):
        return {}   # nothing else to try: the first request logs in, and a refusal fails there
    try:
        client.check_login()
        return {}
    except LoginRefused:
        pass
    client.switch_password(params['initial_password'])
    try:
        client.check_login()
    except LoginRefused:
        raise LoginRefused(_subject(params), 'refused both password and initial_password for user %s'
                           % (params.get('username') or 'admin'),
                           'check both passwords (initial_password is the one the phone has now: 1234 when '
                           'factory-fresh, the old one when rotating)')
    hashed = keys.md5_crypt(params.get('password') or '')
    masker.add(hashed)
    return {keys.ADMIN_PASSWORD_KEY: hashed}


def prove_admin_password(params, client):
    """After the admin password was written: a fresh login with it must succeed."""
    client.switch_password(params['password'])
    client.forget_session()
    try:
        client.check_login()
    except LoginRefused:
        raise RemoteError(_subject(params), 'system/password was written but the phone refuses a login with the new '
                          'password', 'log in with initial_password and check system/password (it takes an MD5-crypt '
                          'hash); the firmware may ignore a changed system/password')


def _masker(masker, params):
    masker = masker if masker is not None else SecretMasker()
    for value in secret_values(params):
        masker.add(value)
    return masker


def _subject(params):
    return 'phone %s' % params['host']


def _client(params, client):
    return client if client is not None else PhoneClient.from_params(params)


UPDATE_SECRETS = ('on_create', 'on_change', 'always')
"""When a secret of ``settings`` is written (the modules' ``update_secrets``): on_create only where
the phone shows it empty, on_change where it differs (or alongside other writes when the phone hides
it), always on every run."""


def plan(settings, have, update_secrets='on_change'):
    """(writes, unknown): the file values to write, and the secrets whose current value the
    phone hides (shown encrypted or not at all), which are written only alongside other writes.

    With ``on_create`` a secret the phone shows (in clear or encrypted) is never written, one it
    shows empty is, and one it does not show at all goes with other writes (a firmware that hides
    its secrets cannot tell an unset one from a set one)."""
    writes, unknown = {}, {}
    for key in sorted(settings):
        wanted = settings[key]
        current = have.get(key)
        value = keys.file_value(key, wanted, current)
        if keys.is_secret(key):
            hidden = current is None or keys.is_encrypted(current) or keys.is_encrypted(value)
            if update_secrets == 'always':
                writes[key] = value
            elif update_secrets == 'on_create':
                if current is None:
                    unknown[key] = value
                elif not current.strip() and str(wanted if wanted is not None else '').strip():
                    writes[key] = value
            elif keys.is_encrypted(value) and current is not None and current.strip() == value:
                continue
            elif hidden:
                unknown[key] = value
            elif not keys.same(key, wanted, current):
                writes[key] = value
            continue
        if not keys.same(key, wanted, current):
            writes[key] = value
    return writes, unknown


def checkable(key, value, now):
    """Whether a read-back can tell that ``key`` holds ``value``: not for a secret the phone
    shows encrypted, masked or not at all."""
    current = now.get(key)
    return not (keys.is_secret(key) and (current is None or keys.is_encrypted(current) or keys.is_encrypted(value)
                                         or key in keys.masked_secrets(now)))


def not_kept(writes, now):
    """``{key: (how, shown)}`` for written keys the phone does not show as written."""
    result = {}
    for key in sorted(writes):
        value, current = writes[key], now.get(key)
        if not checkable(key, value, now):
            continue
        if current is None:
            result[key] = ('dropped', None)
        elif not keys.same(key, value, current):
            result[key] = ('changed', current)
    return result


def _not_kept_error(subject, missing, writes, device, result, masker):
    parts = []
    for key in sorted(missing):
        how, shown = missing[key]
        if how == 'dropped':
            parts.append('%s (dropped: no longer in its configuration)' % key)
        elif keys.is_secret(key):
            parts.append('%s (changed to another value)' % key)
        else:
            parts.append("%s (wanted '%s', shows '%s')" % (key, masker.text(writes[key]), masker.text(shown)))
    firmware = device.get('firmware') or 'unknown'
    cause = 'after the upload the phone (firmware %s) did not keep %s' % (firmware, '; '.join(parts))
    fix = ('remove these keys from settings or correct their names and values; the other keys were written '
           '(run audiocodes_phone_info with gather: config to see what the phone holds)')
    failed = dict(result, changed=True, not_kept=sorted(missing))
    return NotKeptError(subject, cause, fix, masker.mask(failed))


CLEAR_SECRET_LEFT_OUT = '<left out of the backup: the phone showed this secret in clear>'


def backup_bytes(data, masker=None):
    """The configuration file as downloaded, but without a secret in clear: a secret key whose value
    the phone showed in clear becomes a comment line (its encrypted form and MD5-crypt hashes stay,
    they restore as they are), and any secret the run knows is masked wherever else it appears."""
    lines = []
    # Lines end as the file ends them (CR LF, CR or LF), each end kept: a CR-only file is many lines too.
    parts = re.split(br'(\r\n|\r|\n)', data)
    for line, newline in zip(parts[0::2], parts[1::2] + [b'']):
        text = line.decode('utf-8', 'surrogateescape')
        key, sep, value = text.partition('=')
        key, value = key.strip(), value.strip()
        if sep and not key.startswith(';') and keys.is_secret(key) and value and not (
                keys.is_encrypted(value) or keys.MD5_CRYPT_PATTERN.match(value)):
            text = '; %s=%s' % (key, CLEAR_SECRET_LEFT_OUT)
        elif masker is not None:
            text = masker.text(text)
        lines.append(text.encode('utf-8', 'surrogateescape') + newline)
    return b''.join(lines)


BACKUP_DIR_ENV = 'AUDIOCODES_BACKUP_DIR'
BACKUP_DIR_DEFAULT = '~/.ansible/backups/telephony.genesys_audiocodes'
COLLECTION_NAME = 'telephony.genesys_audiocodes'


def backup_directory(params):
    """Where backups go: backup_options.dir_path, else the deprecated backup_dir, else
    $AUDIOCODES_BACKUP_DIR, else ~/.ansible/backups/telephony.genesys_audiocodes (never the working
    directory, which vanishes with an AWX job); ~ expanded on the host that runs the module."""
    options = params.get('backup_options') or {}
    directory = options.get('dir_path') or params.get('backup_dir') or os.environ.get(BACKUP_DIR_ENV) or BACKUP_DIR_DEFAULT
    return os.path.abspath(os.path.expanduser(directory))


def _backup(params, snapshot, masker=None):
    """Save the configuration as downloaded (secrets in clear left out: ``backup_bytes``), mode 0600.

    Named ``<host>_<timestamp>_<file name>`` unless backup_options.filename names it (then a file of
    that name is replaced)."""
    directory = backup_directory(params)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700, exist_ok=True)   # fleet threads may race here
    filename = (params.get('backup_options') or {}).get('filename')
    if filename:
        path = os.path.join(directory, filename)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    else:
        stamp = datetime.datetime.now().strftime('%Y%m%dT%H%M%S%f')
        host = re.sub(r'[^A-Za-z0-9.-]', '_', params['host'])
        path = os.path.join(directory, '%s_%s_%s' % (host, stamp, snapshot.name or 'configuration.cfg'))
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    handle = os.open(path, flags, 0o600)
    os.fchmod(handle, 0o600)      # a replaced file keeps its mode otherwise
    with os.fdopen(handle, 'wb') as stream:
        stream.write(backup_bytes(snapshot.data, masker))
    return path


def _restarting(result):
    """The phone is restarting and the module does not wait for it (yet)."""
    result.update(rebooted=False, reboot_pending=True)


def _restarted(result):
    """The phone went down and came back."""
    result.update(rebooted=True, reboot_pending=False)


def _read_back(client):
    """The configuration after a change; None when the phone has gone away (restarting)."""
    try:
        return client.read_config(again=True)
    except RemoteError as exc:
        if not exc.transient:
            raise
        return None


def _completed(values, writes, device):
    """A read-back's values; a download listing only modified keys gets the written keys it
    leaves out at their defaults (a key written with its default stays out of such a listing)."""
    if len(values) >= pages.FULL_LISTING_MIN_KEYS:
        return values
    return keys.with_defaults(values, writes, keys.model_of(device.get('model')))


def _upload_bytes(snapshot, leave_out):
    """The file to upload: the snapshot with its writes, without the lines of masked secrets
    (a mask is never uploaded as a value; a firmware that merges keeps the secret)."""
    if not leave_out:
        return snapshot.config.to_bytes()
    # Lines end as the file ends them (CR LF, CR or LF): a CR-only file has many lines too.
    parts = re.split(br'(\r\n|\r|\n)', snapshot.config.to_bytes())
    kept = [line + newline for line, newline in zip(parts[0::2], parts[1::2] + [b''])
            if line.split(b'=', 1)[0].strip().decode('utf-8', 'replace') not in leave_out]
    return b''.join(kept)


def _secrets_shown(values, writes, keep):
    """The secrets the download showed (masked, encrypted or in clear) that this run does not write."""
    return dict((key, (value or '').strip()) for key, value in values.items()
                if keys.is_secret(key) and key not in writes and key not in keep)


def _check_secrets(subject, before, now, result, masker):
    """After a write: a secret this run did not write must read back as before. One the phone
    lost (now empty or gone) or reports differently fails naming it; nothing more is written."""
    if not before:
        return
    lost = sorted(key for key, shown in before.items() if shown and not (now.get(key) or '').strip())
    other = sorted(key for key, shown in before.items()
                   if shown and (now.get(key) or '').strip() and (now.get(key) or '').strip() != shown)
    if not lost and not other:
        return
    parts = ['%s (lost: now %s)' % (key, 'empty' if key in now else 'gone') for key in lost]
    parts += ['%s (now shown differently)' % key for key in other]
    failed = dict(result, changed=True, not_kept=lost + other)
    raise NotKeptError(subject, 'after the upload the phone did not keep secret(s) this run did not write: %s '
                       '(the phone showed them masked or encrypted, so the upload could not carry them)'
                       % '; '.join(parts),
                       'name these secrets in settings (with update_secrets: always or on_change) so that every upload '
                       'carries them; nothing else was written after this upload', masker.mask(failed))


def _apply(client, snapshot, writes, params, result, device, masker, new_password=None, secrets_before=None,
           leave_out=()):
    """Upload, then follow the phone: it restarts by itself, applies live, or needs reboot.htm.

    ``result['rebooted']`` says what was seen: True once it went down and came back (by itself
    or through reboot.htm), False when applied live or when the module does not wait for a restart
    under way (then ``result['reboot_pending']`` is True).
    """
    subject = client.subject
    wait = params.get('wait_for_reboot', True)
    verify = params.get('verify', True)
    timeout = params.get('reboot_timeout') or 300
    gone = False
    for attempt in (1, 2):
        client.down_seen = False
        try:
            client.upload(snapshot, _upload_bytes(snapshot, leave_out))
        except RemoteError as exc:
            if not exc.transient or not client.down_seen:
                raise           # it kept answering with faults: the upload did not go through
            gone = True         # it went away during the upload (restarting); the read-back tells the rest
        if not gone or attempt == 2 or new_password is not None:
            break
        # Gone during the upload: restarting to apply it (its answer lost), or restarting before it
        # got it (a crash, a power dip). Only what it holds once back tells: look, upload again if not.
        client.wait_until_back(client.clock() + timeout, 'the upload')
        back = _completed(client.read_config(again=True).values, writes, device)
        _check_secrets(subject, secrets_before, back, result, masker)
        if not not_kept(writes, back):
            _restarted(result)
            return
        gone = False
    if new_password is not None:
        client.switch_password(new_password)   # the file changed the admin password: log in with the new one
    if not gone:
        client.sleep(pages.UPLOAD_SETTLE_SECONDS)
        client.down_seen = False
        # Not waiting: one look whether it went down, rather than retrying through its restart.
        after = None if not wait and not client.answers() else _read_back(client)
        after_values = None if after is None else _completed(after.values, writes, device)
        if after is not None:
            _check_secrets(subject, secrets_before, after_values, result, masker)   # before any reboot.htm
        if after is None:
            gone = True         # restarting by itself
        elif client.down_seen:
            # It restarted by itself and was back before the read-back gave up: what it shows is final.
            _restarted(result)
            missing = not_kept(writes, after_values)
            if missing and verify:
                raise _not_kept_error(subject, missing, writes, device, result, masker)
            return
        elif not not_kept(writes, after_values):
            return              # applied live
        else:
            # Not (all) applied and the phone kept running: a restart applies what waits for one
            # (and a key still missing afterwards is reported below).
            client.reboot_unless_restarting(pages.UPLOAD_GO_DOWN_SECONDS if wait else 0)
            _restarting(result)
            if not wait:
                return
            client.watch_reboot(client.clock() + timeout)
            _restarted(result)
    if gone:
        _restarting(result)
        if not wait:
            return
        client.wait_until_back(client.clock() + timeout, 'the upload')
        _restarted(result)
    if not verify:
        return
    back = _completed(client.read_config(again=True).values, writes, device)
    _check_secrets(subject, secrets_before, back, result, masker)
    missing = not_kept(writes, back)
    if missing:
        raise _not_kept_error(subject, missing, writes, device, result, masker)


def refuse_uncarried(config, writes, subject):
    """Fail before any write when the phone's file (not UTF-8) cannot carry a value: its bytes are kept."""
    uncarried = config.cannot_carry(writes)
    if uncarried:
        raise InputError(subject, "the phone's configuration file is not UTF-8 (it reads as %s), and the values of "
                         '%s hold characters %s cannot carry; nothing was written' % (
                             config.encoding, ', '.join(uncarried), config.encoding),
                         'give these values in %s characters (the rest of the file keeps its bytes)' % config.encoding)


def _hides_own_password(params, have, settings):
    """Whether the phone hides the password of the account the module logs in with."""
    if keys.ADMIN_PASSWORD_KEY in have or keys.ADMIN_PASSWORD_KEY in settings:
        return False
    return (params.get('username') or 'admin') == have.get(keys.ADMIN_NAME_KEY, 'admin')


def run_phone(params, check_mode=False, diff=False, masker=None, client=None):
    """Bring the phone's configuration to ``settings`` (keys not named are left alone)."""
    masker = _masker(masker, params)
    subject = _subject(params)
    settings = dict(params.get('settings') or {})
    problems = keys.static_problems(settings)
    if problems:
        raise InputError(subject, 'settings refused before any change: %s' % masker.text('; '.join(problems)),
                         'correct settings and run again')
    identity.check_input(params, subject)
    client = _client(params, client)
    admin_writes = admin_login(params, client, masker)
    snapshot = client.read_config()
    have = snapshot.values
    for value in url_passwords(have):     # what the phone shows inside its own URLs (provisioning, TR-069)
        masker.add(value)
    masked = keys.masked_secrets(have)     # shown as a mask: unknown, like a secret not shown, never uploaded back
    have = dict((key, value) for key, value in have.items() if key not in masked)
    device = client.device(snapshot, need_firmware=False)     # the model matters here; the firmware only in messages
    identity.check(params, device, subject)     # before any write (and before a backup of its file)
    model = keys.model_of(device['model'])
    if len(snapshot.values) < pages.FULL_LISTING_MIN_KEYS:
        # A download that lists only modified keys: a known key it leaves out is at its default.
        have = keys.with_defaults(have, settings, model)
    problems = keys.dump_problems(settings, have, model)
    if problems:
        raise InputError(subject, 'settings refused before any change: %s' % '; '.join(problems),
                         "remove the key from settings or correct its name (audiocodes_phone_info with gather: config "
                         "lists every key this phone knows)")
    writes, unknown = plan(settings, have, params.get('update_secrets') or 'on_change')
    writes.update(admin_writes)
    if writes:
        writes.update(unknown)
    refuse_uncarried(snapshot.config, writes, subject)
    secret_keys = [key for key in writes if keys.is_secret(key)]
    changes = changes_of(writes, have, secret_keys=secret_keys, masker=masker)
    result = {
        'changed': bool(writes),
        'changes': changes,
        'rebooted': False,
        'reboot_pending': False,
        'device': device,
    }
    keep = {}
    if writes and not admin_writes and _hides_own_password(params, have, settings):
        # A firmware that replaces its configuration on upload would reset the admin password we
        # log in with: send it along, hashed as the phone stores it (the phone hides it otherwise).
        keep[keys.ADMIN_PASSWORD_KEY] = keys.md5_crypt(params.get('password') or '')
        masker.add(keep[keys.ADMIN_PASSWORD_KEY])
    warnings = []
    if writes:
        hidden = [key for key in keys.hidden_secrets(have, settings) if key not in keep]
        if hidden:
            warnings.append('%s does not show %s: should its firmware replace the whole configuration on upload, '
                            'these are reset unless settings names them' % (subject, ', '.join(hidden)))
    if warnings:
        result['warnings'] = warnings
    if diff:
        result['diff'] = diff_of(changes, '%s %s' % (subject, snapshot.name))
    if params.get('backup'):
        result['backup_file'] = _backup(params, snapshot, masker)
    if check_mode or not writes:
        return masker.mask(result)
    snapshot.config.update(writes)
    snapshot.config.update(keep)
    _apply(client, snapshot, writes, params, result, device, masker,
           secrets_before=_secrets_shown(snapshot.values, writes, keep),
           leave_out=[key for key in masked if key not in writes and key not in keep],
           new_password=params['password'] if admin_writes else None)
    if admin_writes and not result['reboot_pending']:
        prove_admin_password(params, client)
    return masker.mask(result)


def run_phone_info(params, masker=None, client=None):
    """Device, registration status and configuration (secrets left out) of one phone."""
    masker = _masker(masker, params)
    gather = list(params.get('gather') or GATHER_CHOICES)
    client = _client(params, client)
    result = {'changed': False}
    snapshot = None
    if 'device' in gather or 'config' in gather:
        snapshot = client.read_config()
        for value in url_passwords(snapshot.values):
            masker.add(value)
    if 'device' in gather:
        result['device'] = client.device(snapshot)
    if 'status' in gather:
        result['status'] = {'lines': client.status()}
    if 'config' in gather:
        values = snapshot.values
        result['config'] = dict((key, value) for key, value in values.items() if not keys.is_secret(key))
        result['secret_keys'] = dict((key, 'encrypted' if keys.is_encrypted(value) else 'shown')
                                     for key, value in values.items() if keys.is_secret(key))
        result['config_file'] = snapshot.name
    return masker.mask(result)


def run_phone_reboot(params, check_mode=False, masker=None, client=None):
    """Restart the phone; optionally wait until it answers and its enabled lines register."""
    masker = _masker(masker, params)
    subject = _subject(params)
    client = _client(params, client)
    if check_mode:
        client.show(pages.REBOOT_PAGE)        # proves the credentials and the page, writes nothing
        return {'changed': True, 'rebooted': False, 'reboot_pending': False, 'msg': '%s would be restarted' % subject}
    wait = params.get('wait_for_reboot', True)
    timeout = params.get('reboot_timeout') or 300
    client.reboot()
    result = {'changed': True}
    _restarting(result)
    if not wait:
        return result
    deadline = client.clock() + timeout
    client.watch_reboot(deadline)
    _restarted(result)
    if params.get('wait_for_registration'):
        lines = keys.enabled_lines(client.read_config().values)
        result['lines'] = client.wait_registered(lines, deadline)
    return masker.mask(result)
