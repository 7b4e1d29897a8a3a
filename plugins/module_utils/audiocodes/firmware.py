# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Firmware of one AudioCodes 400HD phone: read an image, compare versions, upgrade, verify.

``run_firmware`` takes the module's parameters as a dict and returns its result; it raises
``OperatorError`` subclasses worded for the operator. The table below is what the firmware
side of the web interface and the image files are assumed to look like (tagged like pages.py);
a field engineer corrects it from a capture of a real phone.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit

try:
    import lxml.etree
    import lxml.html
    HAS_LXML = True
except ImportError:  # pragma: no cover - reported by the modules
    HAS_LXML = False

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import (
    InputError, PartialResultError, RemoteError, SecretMasker,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import keys, pages, scrape
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import identity as phone_identity
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.client import PhoneClient
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.module_support import connection_argument_spec

# --- the firmware table -----------------------------------------------------------------------
FIRMWARE_PAGE = 'Manu_Firmware_Upgrade.htm'          # confirmed (drunkwater upgrade_ipp_image)
ARM_FIELD = 'UPGRADESHOW'                            # confirmed: POST UPGRADESHOW=1 arms the upload
ARM_VALUE = '1'                                      # confirmed
UPLOAD_PATH = '/upload.cgi'                          # confirmed: the multipart upload
UPLOAD_KIND_FIELD = 'localupgrade'                   # confirmed
UPLOAD_KIND_VALUE = '20'                             # confirmed (a firmware image)
UPLOAD_FILE_FIELD = 'upname'                         # confirmed
UPLOAD_CONTENT_TYPE = 'application/octet-stream'     # assumed (what a browser sends for .img)
# The Auto_Provision.htm form: its names live in pages.py, with the provisioning module's.
AUTO_PROVISION_PAGE = pages.AUTO_PROVISION_PAGE
FIRMWARE_URL_FIELD = pages.PROVISIONING_FIRMWARE_URL_FIELD
PROVISIONING_METHOD_FIELD = pages.PROVISIONING_METHOD_FIELD
PROVISIONING_STATIC = pages.PROVISIONING_METHODS['static']
# Words in the visible text of the upload's answer that mean the phone refused the image (assumed).
REJECTED_PATTERNS = (r'invalid', r'\bfail', r'\berror', r'not match', r'wrong', r'corrupt', r'not supported',
                     r'incompatible')
# Image file names: <model>_<version>.img (as served by AudioCodes), or <model>.img as a
# provisioning server names them (sipXecs); an optional UC prefix (assumed).
IMAGE_NAME_PATTERN = r'^(?:UC)?(?P<model>[0-9]{3}(?:HD)?G?)(?:[_-](?P<version>[0-9]+(?:\.[0-9]+){2,4}))?\.img$'
# The image header: the first bytes carry model and version as name=value lines (assumed).
IMAGE_HEADER_BYTES = 4096
IMAGE_HEADER_MAGIC = r'^AUDC-IPP-FW/[0-9]+'
IMAGE_HEADER_MODEL = r'(?m)^model\s*[=:]\s*(\S+)\s*$'
IMAGE_HEADER_VERSION = r'(?m)^version\s*[=:]\s*([0-9]+(?:\.[0-9]+){2,4})\s*$'
VERSION_PATTERN = r'^[0-9]+(?:\.[0-9]+){1,5}$'
# Seconds the phone may keep answering after an accepted upload before it goes down to flash.
START_SECONDS = 120.0                                # assumed
# After a provisioning reboot the phone may boot on the old version and fetch the image only
# then: how long to watch for that second restart before calling the upgrade failed (assumed).
PROVISIONING_SETTLE_SECONDS = 20.0


class FirmwareError(PartialResultError):
    """The upgrade was tried and did not take; the result still says what happened."""


# --- options ---------------------------------------------------------------------------------

def argument_spec():
    """The options of module audiocodes_firmware (its action plugin validates with the same spec)."""
    spec = connection_argument_spec()
    spec.update(
        image=dict(type='path'),
        version=dict(type='str'),
        method=dict(type='str', choices=['web', 'provisioning'], default='web'),
        firmware_url=dict(type='str'),
        restore_firmware_url=dict(type='bool', default=True),
        allow_downgrade=dict(type='bool', default=False),
        reboot_timeout=dict(type='int', default=900),
    )
    spec.update(phone_identity.argument_spec())
    return spec


SPEC_OPTIONS = dict(required_if=[('method', 'provisioning', ('firmware_url',))])
"""The module's other argument-spec rules (the action plugin applies them too)."""


# --- pure functions ---------------------------------------------------------------------------

def version_tuple(text):
    """``'2.2.16.501'`` -> ``(2, 2, 16, 501)``; None when it is not dotted numbers."""
    text = str(text or '').strip()
    if not re.match(VERSION_PATTERN, text):
        return None
    return tuple(int(part) for part in text.split('.'))


def compare(running, target):
    """-1, 0 or 1 as the running version is older than, the same as or newer than the target."""
    have, want = version_tuple(running), version_tuple(target)
    if have is None or want is None:
        return None
    return (have > want) - (have < want)


def image_identity(name, head):
    """``{'model', 'version', 'name'}`` from an image's file name and first bytes.

    Raises ValueError naming the disagreement when name and header disagree, or when neither
    gives a model or a version.
    """
    match = re.match(IMAGE_NAME_PATTERN, name, re.IGNORECASE)
    name_model = keys.model_of(match.group('model')) if match else None
    name_version = match.group('version') if match else None
    text = head.decode('latin-1') if isinstance(head, bytes) else (head or '')
    header_model = header_version = None
    if re.match(IMAGE_HEADER_MAGIC, text):
        found = re.search(IMAGE_HEADER_MODEL, text)
        header_model = keys.model_of(found.group(1)) if found else None
        found = re.search(IMAGE_HEADER_VERSION, text)
        header_version = found.group(1) if found else None
    if name_model and header_model and name_model != header_model:
        raise ValueError('its name says model %s, its header %s' % (name_model, header_model))
    if name_version and header_version and name_version != header_version:
        raise ValueError('its name says version %s, its header %s' % (name_version, header_version))
    model, version = header_model or name_model, header_version or name_version
    if not model or not version:
        raise ValueError('neither its name nor its header tells the %s' % ('model' if not model else 'version'))
    return {'name': name, 'model': model, 'version': version}


def read_image(path, subject):
    """The identity of the image file at ``path`` plus its size; InputError when unusable."""
    fix = 'give the image file as AudioCodes ships it (<model>_<version>.img, e.g. 440HD_2.2.16.600.img)'
    if not path or not os.path.isfile(path):
        raise InputError(subject, 'image %s is not a file on the controller' % path, fix)
    try:
        with open(path, 'rb') as handle:
            head = handle.read(IMAGE_HEADER_BYTES)
        size = os.path.getsize(path)
    except (IOError, OSError) as exc:
        raise InputError(subject, 'image %s cannot be read (%s)' % (path, exc), 'check the path and its permissions')
    try:
        identity = image_identity(os.path.basename(path), head)
    except ValueError as exc:
        raise InputError(subject, 'image %s is not usable: %s' % (path, exc), fix)
    identity['size'] = size
    identity['path'] = path
    return identity


def visible_text(text):
    if not HAS_LXML or not text or not text.strip():
        return text or ''
    try:
        document = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return text
    for element in document.iter('script', 'style'):
        element.text = ''
    return ' '.join(document.itertext())


def refusal(text):
    """The sentence of an upload's answer that says the image was refused, or None."""
    visible = re.sub(r'\s+', ' ', visible_text(text))
    for pattern in REJECTED_PATTERNS:
        found = re.search(pattern, visible, re.IGNORECASE)
        if found:
            start = visible.rfind('.', 0, found.start()) + 1
            end = visible.find('.', found.end())
            return visible[start:end if end >= 0 else None].strip()[:200]
    return None


# --- the phone ----------------------------------------------------------------------------------

def _arm_form(text, url):
    found = [form for form in scrape.forms(text, url) if ARM_FIELD in form.field_names()]
    return found[0] if found else scrape.Form(url, 'POST', [])


def _upload_form(text, url):
    """The upload form the armed page shows; the confirmed shape when the page hides it in script."""
    candidates = [form for form in scrape.forms(text, url) if form.file_field]
    candidates.sort(key=lambda form: (UPLOAD_KIND_FIELD not in form.field_names(), UPLOAD_PATH not in form.action))
    if candidates:
        return candidates[0]
    return scrape.Form(url.split('/mainform.cgi', 1)[0] + UPLOAD_PATH if '/mainform.cgi' in url else UPLOAD_PATH,
                       'POST', [(UPLOAD_KIND_FIELD, UPLOAD_KIND_VALUE)], UPLOAD_FILE_FIELD)


def upload_web(client, image, data):
    """Arm the manual upgrade, then upload the image. Returns True when the phone went away
    during the upload (it is flashing); raises when it refused the image."""
    subject = client.subject
    client.down_seen = False
    for attempt in (1, 2):
        armed = client.submit(FIRMWARE_PAGE, _arm_form, {ARM_FIELD: ARM_VALUE})
        form = _upload_form(armed.text, armed.url)
        if UPLOAD_KIND_FIELD not in form.field_names():
            form.fields.append((UPLOAD_KIND_FIELD, UPLOAD_KIND_VALUE))
        files = {form.file_field: (image['name'], data, UPLOAD_CONTENT_TYPE)}
        try:
            answer = client.post_form(form, files=files, referer=pages.page_path(FIRMWARE_PAGE))
        except RemoteError as exc:
            if exc.transient and client.down_seen:
                return True          # gone while answering: flashing
            raise
        if answer is None and attempt == 1:
            continue                 # the session expired between the two steps: arm again
        if answer is None:
            raise RemoteError(subject, 'answers the firmware upload with its login page even right after a login',
                              'check that user %s has the administrator role' % client.username)
        refused = refusal(answer.text)
        if refused:
            raise RemoteError(subject, 'refused image %s: "%s"' % (image['name'], refused),
                              'check that the image is complete and meant for this model and firmware line')
        return False
    return False  # pragma: no cover


def wait_flashed(client, deadline, gone):
    """After an accepted upload: wait until the phone has gone down, then until it answers."""
    if not gone:
        start_limit = min(deadline, client.clock() + START_SECONDS)
        while client.answers():
            if client.clock() >= start_limit:
                raise RemoteError(client.subject, 'kept running for %d s after accepting the image without restarting '
                                  'to flash it' % (START_SECONDS if start_limit < deadline else 0),
                                  'look at the phone (Manu_Firmware_Upgrade.htm, system log); raise reboot_timeout, '
                                  'or correct START_SECONDS in module_utils/audiocodes/firmware.py')
            client.sleep(pages.POLL_SECONDS)
    client.wait_until_back(deadline, 'the firmware upgrade')


def provisioning_form(client):
    """(form, firmware URL, method) as Auto_Provision.htm shows them now."""
    def choose(text, url):
        found = [form for form in scrape.forms(text, url) if FIRMWARE_URL_FIELD in form.field_names()]
        return found[0] if found else None

    response = client.show(AUTO_PROVISION_PAGE)
    form = choose(response.text, response.url)
    if form is None:
        raise RemoteError(client.subject, '%s has no %s field' % (AUTO_PROVISION_PAGE, FIRMWARE_URL_FIELD),
                          'use method: web, or correct the firmware table in module_utils/audiocodes/firmware.py',
                          endpoint=pages.page_path(AUTO_PROVISION_PAGE))
    values = dict(form.fields)
    return choose, values.get(FIRMWARE_URL_FIELD, ''), values.get(PROVISIONING_METHOD_FIELD)


def set_firmware_url(client, url, method):
    """Write FW_URL (and the provisioning method) through Auto_Provision.htm; check it was kept."""
    choose, dummy_url, dummy_method = provisioning_form(client)
    overrides = {FIRMWARE_URL_FIELD: url}
    if method is not None:
        overrides[PROVISIONING_METHOD_FIELD] = method
    answer = client.submit(AUTO_PROVISION_PAGE, choose, overrides)
    shown = choose(answer.text, answer.url) if answer is not None else None
    kept = dict(shown.fields) if shown is not None else {}
    if kept.get(FIRMWARE_URL_FIELD, '') != url or (method is not None and kept.get(PROVISIONING_METHOD_FIELD) != method):
        raise RemoteError(client.subject, '%s did not keep the firmware URL %s' % (AUTO_PROVISION_PAGE, url),
                          'check the URL (the phone may refuse its length or scheme) and the account\'s role',
                          endpoint=pages.page_path(AUTO_PROVISION_PAGE))


def _watch_second_restart(client, deadline):
    """A phone back on the old version after a provisioning reboot may restart again to flash."""
    settle = min(deadline, client.clock() + PROVISIONING_SETTLE_SECONDS)
    while client.clock() < settle:
        if not client.answers():
            client.wait_until_back(deadline, 'the firmware upgrade')
            return True
        client.sleep(pages.POLL_SECONDS)
    return False


def _failed_flash(subject, image, before, after, result, how):
    result = dict(result, changed=True, version=after, upgraded=False)
    cause = ('the upgrade to %s failed: %s, and the phone runs %s, its old version'
             % (image['version'], how, after)) if after == before else \
        ('the upgrade to %s did not take: the phone now runs %s (it ran %s)' % (image['version'], after, before))
    fix = ('the phone works on its old version; check the image (%s) and the phone\'s system log '
           '(/configuration/system.log), then run again; if it fails again, upgrade it by hand' % image['name'])
    return FirmwareError(subject, cause, fix, result)


def run_firmware(params, check_mode=False, diff=False, masker=None, client=None):
    """Report the running firmware; with ``image``, bring the phone to the image's version."""
    masker = masker if masker is not None else SecretMasker()
    if params.get('password'):
        masker.add(params['password'])
    subject = 'phone %s' % params['host']
    method = params.get('method') or 'web'
    image = None
    if params.get('image'):
        image = read_image(params['image'], subject)
        if params.get('version') and version_tuple(params['version']) != version_tuple(image['version']):
            raise InputError(subject, 'image %s is version %s, not the version %s asked for'
                             % (image['name'], image['version'], params['version']),
                             'give the image of version %s, or correct version' % params['version'])
    if params.get('version') and version_tuple(params['version']) is None:
        raise InputError(subject, 'version %s is not dotted numbers like 2.2.16.600' % params['version'],
                         'correct version')
    if method == 'provisioning' and image is not None:
        url = params.get('firmware_url') or ''
        if urlsplit(url).scheme.lower() not in ('http', 'https', 'ftp', 'tftp') or not urlsplit(url).netloc:
            raise InputError(subject, 'firmware_url %r is not an http(s), ftp or tftp URL' % url,
                             'give the URL from which the phone fetches the image, e.g. https://prov.example/fw/%s'
                             % image['name'])
    phone_identity.check_input(params, subject)
    client = client if client is not None else PhoneClient.from_params(params)
    device = client.device()
    phone_identity.check(params, device, subject)     # before an image is uploaded or a URL set
    running, model = device.get('firmware'), keys.model_of(device.get('model'))
    result = {'changed': False, 'model': device.get('model'), 'version': running, 'previous_version': running,
              'upgraded': False, 'method': method}
    target = (image or {}).get('version') or params.get('version')
    if target:
        result['target_version'] = target
        result['at_target'] = compare(running, target) == 0
    if image is None:
        result['msg'] = '%s (%s) runs firmware %s' % (subject, device.get('model'), running)
        return masker.mask(result)
    result['image'] = dict((k, image[k]) for k in ('name', 'model', 'version', 'size'))
    if keys.image_model(model) != keys.image_model(image['model']):
        raise InputError(subject, 'image %s is for the %s, this phone is a %s (info.htm); nothing was uploaded'
                         % (image['name'], image['model'], device.get('model')),
                         'give the %s image of version %s' % (device.get('model'), image['version']))
    order = compare(running, image['version'])
    if order is None:
        raise RemoteError(subject, 'shows firmware %r, which is not a version this module can compare' % running,
                          'check info.htm on the phone; correct INFO_FIRMWARE_LABELS in pages.py if it reads the '
                          'wrong field')
    if order == 0:
        result['msg'] = '%s already runs %s' % (subject, running)
        return masker.mask(result)
    if order > 0 and not params.get('allow_downgrade'):
        result['msg'] = ('%s runs %s, newer than %s: left alone (allow_downgrade: true installs the image)'
                         % (subject, running, image['version']))
        result['warnings'] = [result['msg']]
        return masker.mask(result)
    result['changed'] = True
    if diff:
        result['diff'] = {'before': 'firmware: %s\n' % running, 'after': 'firmware: %s\n' % image['version'],
                          'before_header': '%s firmware' % subject, 'after_header': '%s firmware' % subject}
    how = 'the web interface (%s, %s)' % (FIRMWARE_PAGE, UPLOAD_PATH) if method == 'web' else \
        'the provisioning firmware URL %s and a restart' % params.get('firmware_url')
    if check_mode:
        result['msg'] = '%s would be upgraded from %s to %s through %s' % (subject, running, image['version'], how)
        return masker.mask(result)
    timeout = params.get('reboot_timeout') or 900
    if method == 'web':
        with open(image['path'], 'rb') as handle:
            data = handle.read()
        gone = upload_web(client, image, data)
        deadline = client.clock() + timeout
        wait_flashed(client, deadline, gone)
        after = client.device().get('firmware')
    else:
        dummy, old_url, old_method = provisioning_form(client)
        static = None if old_method == PROVISIONING_STATIC else PROVISIONING_STATIC
        set_firmware_url(client, params['firmware_url'], static)
        try:
            client.reboot()
            deadline = client.clock() + timeout
            client.watch_reboot(deadline)
            after = client.device().get('firmware')
            if compare(after, image['version']) != 0 and _watch_second_restart(client, deadline):
                after = client.device().get('firmware')
        finally:
            if params.get('restore_firmware_url', True):
                try:
                    set_firmware_url(client, old_url, old_method if static is not None else None)
                except RemoteError as exc:
                    result.setdefault('warnings', []).append('%s: the firmware URL was not put back to %r: %s'
                                                             % (subject, old_url, exc.cause))
    result['version'] = after
    if compare(after, image['version']) != 0:
        reason = 'the phone restarted without it' if method == 'provisioning' else 'the flash did not complete'
        raise _failed_flash(subject, image, running, after, masker.mask(result), reason)
    result['upgraded'] = True
    result['msg'] = '%s upgraded from %s to %s through %s' % (subject, running, after, how)
    return masker.mask(result)
